namespace SmartTrip.Core.Tracking;

/// <summary>The event types and sources the API accepts (events.md §2.1).</summary>
public static class EventCatalog
{
    public const string Navigation = "navigation";
    public const string Search = "search";
    public const string Engagement = "engagement";
    public const string Conversion = "conversion";

    /// <summary>The 17 accepted types in the order of events.md §2.1, with their category.</summary>
    public static IReadOnlyList<(string Type, string Category)> Types { get; } =
    [
        ("page_view", Navigation),
        ("search_submit", Search), ("results_view", Search), ("filter_change", Search), ("filter_removed", Search), ("sort_change", Search),
        ("impression", Engagement), ("click_trip", Engagement), ("trip_view", Engagement), ("trip_dwell_time", Engagement), ("scroll_depth", Engagement),
        ("save_trip", Conversion), ("unsave_trip", Conversion), ("contact_whatsapp", Conversion), ("contact_phone", Conversion),
        ("booking_start", Conversion), ("share_trip", Conversion),
    ];

    public static IReadOnlyList<string> Sources { get; } = ["search_results", "relaxed_results", "homepage", "similar", "saved"];

    private static readonly Dictionary<string, string> CategoryByType = Types.ToDictionary(t => t.Type, t => t.Category, StringComparer.Ordinal);
    private static readonly HashSet<string> SourceSet = new(Sources, StringComparer.Ordinal);

    public static string ValidTypesText { get; } = string.Join(", ", Types.Select(t => t.Type).Order(StringComparer.Ordinal));
    public static string ValidSourcesText { get; } = string.Join(", ", Sources.Order(StringComparer.Ordinal));

    public static bool IsType(string value) => CategoryByType.ContainsKey(value);

    public static bool IsSource(string value) => SourceSet.Contains(value);

    public static string CategoryOf(string type) => CategoryByType[type];

    /// <summary>Engagement and conversion events with a trip move that trip's interaction counters (§4.4).</summary>
    public static bool TouchesTripInteractions(string type) => CategoryByType.TryGetValue(type, out var c) && c is Engagement or Conversion;
}
