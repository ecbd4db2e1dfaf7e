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
