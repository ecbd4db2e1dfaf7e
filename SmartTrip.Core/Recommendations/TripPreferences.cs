using System.Collections.Frozen;

namespace SmartTrip.Core.Recommendations;

/// <summary>
/// A validated preferences body (recommendation.md §3.1). Keeps both what the engine uses (sets, defaults,
/// normalised continents) and what the request log stores as sent (schema.md §4.1).
/// </summary>
public sealed record TripPreferences
{
    public const int DefaultMinDuration = 1;
    public const int DefaultMaxDuration = 365;

    /// <summary>Most items <c>selected_countries</c> and <c>preferred_theme_ids</c> may hold (the world has fewer countries).</summary>
    public const int MaxListItems = 200;

    /// <summary>Most items <c>selected_continents</c> may hold.</summary>
    public const int MaxContinents = 20;

    /// <summary>Longest numeric string <c>year</c> or <c>month</c> may be.</summary>
    public const int MaxNumericText = 8;

    /// <summary><c>selected_countries</c> as sent (duplicates kept).</summary>
    public IReadOnlyList<int> SelectedCountries { get; init; } = [];

    /// <summary><c>selected_continents</c> as sent (not normalised).</summary>
    public IReadOnlyList<string> SelectedContinents { get; init; } = [];

    /// <summary>The normalised continents as a bit mask (see <see cref="Catalog.Continents.Bit"/>).</summary>
    public int ContinentMask { get; init; }

    /// <summary><c>preferred_type_id</c> as sent (0 included), for the log.</summary>
    public int? PreferredTypeId { get; init; }

    /// <summary><c>preferred_theme_ids</c> as sent (duplicates kept).</summary>
    public IReadOnlyList<int> PreferredThemeIds { get; init; } = [];

    /// <summary><c>min_duration</c> / <c>max_duration</c> as sent; null when absent or null.</summary>
    public int? MinDurationGiven { get; init; }
    public int? MaxDurationGiven { get; init; }

    public double? Budget { get; init; }

    /// <summary>The budget exactly as the JSON number was written, for the log's NUMERIC column.</summary>
    public decimal? BudgetDecimal { get; init; }

    public int? Difficulty { get; init; }

    /// <summary>The year to filter on; null when absent, null or "all".</summary>
    public int? Year { get; init; }

    /// <summary><c>year</c> as text for the log: digits of a number, a string as sent; null when absent or null.</summary>
    public string? YearText { get; init; }

    public int? Month { get; init; }
    public string? MonthText { get; init; }

    /// <summary>The legacy <c>start_date</c>; null when absent or unparseable.</summary>
    public DateOnly? LegacyStart { get; init; }

    /// <summary>The body's <c>session_id</c> when it is a string of 1..64 characters.</summary>
    public string? SessionId { get; init; }

    /// <summary>The body's <c>anonymous_id</c> when it is a UUID string (the browser, for experiments); else null.</summary>
    public Guid? AnonymousId { get; init; }

    // ---- what the engine reads -----------------------------------------------------------------------------

    public FrozenSet<int> Countries { get; private init; } = FrozenSet<int>.Empty;
    public FrozenSet<int> Themes { get; private init; } = FrozenSet<int>.Empty;

    /// <summary>The trip type searched; none for absent, null or 0.</summary>
    public int? TypeId => PreferredTypeId is null or 0 ? null : PreferredTypeId;

    public int MinDuration => MinDurationGiven ?? DefaultMinDuration;
    public int MaxDuration => MaxDurationGiven ?? DefaultMaxDuration;

    /// <summary>The body's <c>year</c> is present and not null (<c>"all"</c> included).</summary>
    public bool YearGiven => YearText is not null;

    public bool HasGeography => Countries.Count > 0 || ContinentMask != 0;

    /// <summary>
    /// The preferences as the request log's <c>preferences</c> column keeps them: only the keys the parser read, with the
    /// values it accepted (lists as sent, the budget's exact decimal, year and month as text, the legacy start as a date),
    /// absent keys left out. Whatever else a body carried is not stored, so the row's size is bounded by the limits above.
    /// </summary>
    public string ToLogJson()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            WriteList(writer, "selected_countries", SelectedCountries);
            if (SelectedContinents.Count > 0)
            {
                writer.WriteStartArray("selected_continents");
                foreach (var continent in SelectedContinents)
                {
                    writer.WriteStringValue(continent);
                }

                writer.WriteEndArray();
            }

            WriteNumber(writer, "preferred_type_id", PreferredTypeId);
            WriteList(writer, "preferred_theme_ids", PreferredThemeIds);
            WriteNumber(writer, "min_duration", MinDurationGiven);
            WriteNumber(writer, "max_duration", MaxDurationGiven);
            if (BudgetDecimal is { } budget)
            {
                writer.WriteNumber("budget", budget);
            }

            WriteNumber(writer, "difficulty", Difficulty);
            WriteText(writer, "year", YearText);
            WriteText(writer, "month", MonthText);
            WriteText(writer, "start_date", LegacyStart?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            WriteText(writer, "session_id", SessionId);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteList(System.Text.Json.Utf8JsonWriter writer, string name, IReadOnlyList<int> items)
    {
        if (items.Count == 0)
        {
            return;
        }

        writer.WriteStartArray(name);
        foreach (var item in items)
        {
            writer.WriteNumberValue(item);
        }

        writer.WriteEndArray();
    }

    private static void WriteNumber(System.Text.Json.Utf8JsonWriter writer, string name, int? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
    }

    private static void WriteText(System.Text.Json.Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    /// <summary>Builds the engine's sets from the as-sent lists.</summary>
    public TripPreferences WithSets() => this with
    {
        Countries = SelectedCountries.ToFrozenSet(),
        Themes = PreferredThemeIds.ToFrozenSet(),
    };

    /// <summary>
    /// recommendation.md §9: one point per filter the body sets (defaults and "all" do not count);
    /// two or more make a focused search.
    /// </summary>
    public string SearchType
    {
        get
        {
            var filters = 0;
            filters += SelectedCountries.Count > 0 ? 1 : 0;
            filters += SelectedContinents.Count > 0 ? 1 : 0;
            filters += TypeId is not null ? 1 : 0;
            filters += PreferredThemeIds.Count > 0 ? 1 : 0;
            filters += Budget is not null ? 1 : 0;
            filters += Difficulty is not null ? 1 : 0;
            filters += MinDurationGiven is { } min && min != DefaultMinDuration ||
                       MaxDurationGiven is { } max && max != DefaultMaxDuration ? 1 : 0;
            filters += Year is not null ? 1 : 0;
            filters += Month is not null ? 1 : 0;
            return filters >= 2 ? SearchTypes.Focused : SearchTypes.Exploration;
        }
    }
}

public static class SearchTypes
{
    public const string Exploration = "exploration";
    public const string Focused = "focused_search";
}
