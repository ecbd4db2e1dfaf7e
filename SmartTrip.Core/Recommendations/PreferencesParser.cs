using System.Globalization;
using System.Text.Json;
using SmartTrip.Core.Catalog;
using SmartTrip.Core.Json;
using SmartTrip.Core.Validation;
using SmartTrip.Core.Wire;

namespace SmartTrip.Core.Recommendations;

/// <summary>The outcome of reading a preferences body: the preferences, or the 400 it deserves.</summary>
public sealed record PreferencesParseResult(TripPreferences? Preferences, string? Error, IReadOnlyList<FieldError> FieldErrors)
{
    public bool IsValid => Preferences is not null;
}

/// <summary>
/// Validates a recommendations body (api.md §6.1, §6.3; decisions D3). Every field error is reported, in the
/// order of the api.md table; unknown keys are ignored.
/// </summary>
public static class PreferencesParser
{

    /// <summary>Parses a raw body (<see cref="JsonBody.Parse"/>: an empty or whitespace-only body is <c>{}</c>).</summary>
    public static PreferencesParseResult Parse(ReadOnlyMemory<byte> body, CancellationToken ct = default)
    {
        var (root, error) = JsonBody.Parse(body, ct);
        return error is null ? Parse(root, ct) : new PreferencesParseResult(null, error, []);
    }

    public static PreferencesParseResult Parse(JsonElement body, CancellationToken ct = default)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return NotObject();
        }

        if (StorableText.Check(body, ct) is { } unstorable)
        {
            return new PreferencesParseResult(null, ErrorMessages.Recommendations.InvalidPreferences, [unstorable]);
        }

        var errors = new List<FieldError>();
        var countries = IntArray(body, "selected_countries", errors);
        var (continents, continentMask) = ContinentArray(body, errors);
        var typeId = OptionalInt(body, "preferred_type_id", "preferred_type_id must be an integer or null", int.MinValue, int.MaxValue, errors);
        var themes = IntArray(body, "preferred_theme_ids", errors);

        const string minMessage = "min_duration must be an integer from 1 to 365, or null";
        const string maxMessage = "max_duration must be an integer from 1 to 365, or null";
        var minValid = TryOptionalInt(body, "min_duration", 1, 365, out var minDuration);
        var maxValid = TryOptionalInt(body, "max_duration", 1, 365, out var maxDuration);
        if (!minValid)
        {
            errors.Add(new FieldError("min_duration", minMessage));
        }
        else if (maxValid && minDuration is { } min && maxDuration is { } max && min > max)
        {
            errors.Add(new FieldError("min_duration", "min_duration must not be greater than max_duration"));
        }

        if (!maxValid)
        {
            errors.Add(new FieldError("max_duration", maxMessage));
        }

        var (budget, budgetDecimal) = Budget(body, errors);
        var difficulty = OptionalInt(body, "difficulty", "difficulty must be an integer from 1 to 5, or null", 1, 5, errors);
        var (year, yearText) = YearOrMonth(body, "year", 9999, "year must be an integer from 1 to 9999, a numeric string, or 'all'", errors);
        var (month, monthText) = YearOrMonth(body, "month", 12, "month must be an integer from 1 to 12, a numeric string, or 'all'", errors);

        if (errors.Count > 0)
        {
            return new PreferencesParseResult(null, ErrorMessages.Recommendations.InvalidPreferences, errors);
        }

        var preferences = new TripPreferences
        {
            SelectedCountries = countries,
            SelectedContinents = continents,
            ContinentMask = continentMask,
            PreferredTypeId = typeId,
            PreferredThemeIds = themes,
            MinDurationGiven = minDuration,
            MaxDurationGiven = maxDuration,
            Budget = budget,
            BudgetDecimal = budgetDecimal,
            Difficulty = difficulty,
            Year = year,
            YearText = yearText,
            Month = month,
            MonthText = monthText,
            LegacyStart = body.TryGetProperty("start_date", out var start) && start.ValueKind == JsonValueKind.String
                ? IsoDates.Parse(start.GetString())
                : null,
            SessionId = body.TryGetProperty("session_id", out var session) && session.ValueKind == JsonValueKind.String
                        && session.GetString() is { Length: >= 1 and <= 64 } id
                ? id
                : null,
            AnonymousId = body.TryGetProperty("anonymous_id", out var browser) && browser.ValueKind == JsonValueKind.String
                          && Guid.TryParseExact(browser.GetString(), "D", out var anonymousId)
                ? anonymousId
                : null,
        };
        return new PreferencesParseResult(preferences.WithSets(), null, []);
    }

    private static PreferencesParseResult NotObject() => new(null, ErrorMessages.NotAnObject, []);

    private static bool IsAbsent(JsonElement body, string name, out JsonElement value) =>
        !body.TryGetProperty(name, out value) || value.ValueKind == JsonValueKind.Null;


    private static IReadOnlyList<int> IntArray(JsonElement body, string name, List<FieldError> errors)
    {
        if (IsAbsent(body, name, out var value))
        {
            return [];
        }

        if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > TripPreferences.MaxListItems)
        {
            errors.Add(new FieldError(name, $"{name} must have at most {TripPreferences.MaxListItems} items"));
            return [];
        }

        if (value.ValueKind == JsonValueKind.Array)
        {
            var items = new List<int>(value.GetArrayLength());
            foreach (var element in value.EnumerateArray())
            {
                if (!JsonIntegers.TryGet(element, out var item))
                {
                    items = null;
                    break;
                }

                items.Add(item);
            }

            if (items is not null)
            {
                return items;
            }
        }

        errors.Add(new FieldError(name, $"{name} must be an array of integers"));
        return [];
    }

    private static (IReadOnlyList<string> AsSent, int Mask) ContinentArray(JsonElement body, List<FieldError> errors)
    {
        const string name = "selected_continents";
        if (IsAbsent(body, name, out var value))
        {
            return ([], 0);
        }

        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            errors.Add(new FieldError(name, "selected_continents must be an array of strings"));
            return ([], 0);
        }

        if (value.GetArrayLength() > TripPreferences.MaxContinents)
        {
            errors.Add(new FieldError(name, $"selected_continents must have at most {TripPreferences.MaxContinents} items"));
            return ([], 0);
        }

        var asSent = value.EnumerateArray().Select(e => e.GetString()!).ToList();
        var mask = 0;
        foreach (var text in asSent)
        {
            if (!Continents.TryNormalize(text, out var label))
            {
                errors.Add(new FieldError(name, Continents.InvalidMessage(text)));
                return ([], 0);
            }

            mask |= Continents.Bit(label);
        }

        return (asSent, mask);
    }

    private static bool TryOptionalInt(JsonElement body, string name, int min, int max, out int? result)
    {
        result = null;
        if (IsAbsent(body, name, out var value))
        {
            return true;
        }

        if (!JsonIntegers.TryGet(value, out var number) || number < min || number > max)
        {
            return false;
        }

        result = number;
        return true;
    }

    private static int? OptionalInt(JsonElement body, string name, string message, int min, int max, List<FieldError> errors)
    {
        if (TryOptionalInt(body, name, min, max, out var result))
        {
            return result;
        }

        errors.Add(new FieldError(name, message));
        return null;
    }

    private static (double? Value, decimal? Exact) Budget(JsonElement body, List<FieldError> errors)
    {
        if (IsAbsent(body, "budget", out var value))
        {
            return (null, null);
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var budget) && double.IsFinite(budget) && budget > 0)
        {
            return (budget, value.TryGetDecimal(out var exact) ? exact : null);
        }

        errors.Add(new FieldError("budget", "budget must be a number greater than 0, or null"));
        return (null, null);
    }

    /// <summary>
    /// <c>year</c>/<c>month</c>: an integer in range, a string of ASCII digits with such a value, or exactly
    /// <c>"all"</c> (value none, text "all"). The text is what the log stores.
    /// </summary>
    private static (int? Value, string? Text) YearOrMonth(JsonElement body, string name, int max, string message, List<FieldError> errors)
    {
        if (IsAbsent(body, name, out var value))
        {
            return (null, null);
        }

        if (value.ValueKind == JsonValueKind.Number && JsonIntegers.TryGet(value, out var number) && number >= 1 && number <= max)
        {
            return (number, number.ToString(CultureInfo.InvariantCulture));
        }

        if (value.ValueKind == JsonValueKind.String && value.GetString() is { } text)
        {
            if (text == "all")
            {
                return (null, text);
            }

            if (text.Length is > 0 and <= TripPreferences.MaxNumericText && !text.AsSpan().ContainsAnyExceptInRange('0', '9') &&
                int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed >= 1 && parsed <= max)
            {
                return (parsed, text);
            }
        }

        errors.Add(new FieldError(name, message));
        return (null, null);
    }
}
