using System.Globalization;
using Microsoft.AspNetCore.Http;
using SmartTrip.Core.Json;
using SmartTrip.Core.Validation;

namespace SmartTrip.Functions.Http;

/// <summary>
/// Reads typed query parameters by the rules of api.md §1.5. An absent and an empty parameter are the same;
/// the first invalid parameter is kept in <see cref="Error"/> (the caller answers 400 with it).
/// </summary>
public sealed class QueryReader(IQueryCollection query)
{
    public string? Error { get; private set; }

    public bool IsValid => Error is null;

    /// <summary>The parameter's text; one that cannot be stored (<see cref="StorableText"/>) is an error.</summary>
    public string? String(string name)
    {
        var values = query[name];
        var text = values.Count > 0 && !string.IsNullOrEmpty(values[0]) ? values[0] : null;
        if (!StorableText.IsStorable(text))
        {
            Fail($"Invalid query parameter: {name} {StorableText.Refused}");
            return null;
        }

        return text;
    }

    /// <summary>Optional leading '-', ASCII digits, within the 32-bit range.</summary>
    public int? Int(string name)
    {
        var text = String(name);
        if (text is null)
        {
            return null;
        }

        if (IsIntegerText(text) && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        Fail($"Invalid query parameter: {name} must be an integer");
        return null;
    }

    /// <summary>An integer that must not be negative (limit, offset).</summary>
    public int? Count(string name)
    {
        var value = Int(name);
        if (value < 0)
        {
            Fail($"Invalid query parameter: {name} must not be negative");
            return null;
        }

        return value;
    }

    /// <summary>Invariant decimals such as 9000 or 9000.5.</summary>
    public decimal? Number(string name)
    {
        var text = String(name);
        if (text is null)
        {
            return null;
        }

        if (IsDecimalText(text) && decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint,
                CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        Fail($"Invalid query parameter: {name} must be a number");
        return null;
    }

    /// <summary><c>YYYY-MM-DD</c> or an ISO 8601 date-time (its date part); anything else is ignored.</summary>
    public DateOnly? Date(string name) => ParseDate(String(name));

    /// <summary>True only for "true", in any case.</summary>
    public bool Flag(string name) => string.Equals(String(name), "true", StringComparison.OrdinalIgnoreCase);

    public static DateOnly? ParseDate(string? text) => IsoDates.Parse(text);

    private static bool IsIntegerText(string text)
    {
        var digits = text.AsSpan(text.StartsWith('-') ? 1 : 0);
        return digits.Length > 0 && !digits.ContainsAnyExceptInRange('0', '9');
    }

    private static bool IsDecimalText(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        return dot < 0
            ? IsIntegerText(text)
            : IsIntegerText(text[..dot]) && dot + 1 < text.Length && !text.AsSpan(dot + 1).ContainsAnyExceptInRange('0', '9');
    }

    private void Fail(string message) => Error ??= message;
}
