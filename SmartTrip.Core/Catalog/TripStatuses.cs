namespace SmartTrip.Core.Catalog;

/// <summary>Trip occurrence statuses (schema.md §5.2).</summary>
public static class TripStatuses
{
    public const string Open = "Open";
    public const string Guaranteed = "Guaranteed";
    public const string LastPlaces = "Last Places";
    public const string Full = "Full";
    public const string Cancelled = "Cancelled";

    /// <summary>
    /// Maps a query value (<c>OPEN</c>, <c>last places</c>, <c>Last_Places</c>…) to the stored status:
    /// upper-cased, spaces become underscores. Unknown values give null (the filter is then ignored).
    /// </summary>
    public static string? FromQuery(string? value) =>
        value?.ToUpperInvariant().Replace(' ', '_') switch
        {
            "OPEN" => Open,
            "GUARANTEED" => Guaranteed,
            "LAST_PLACES" => LastPlaces,
            "FULL" => Full,
            "CANCELLED" => Cancelled,
            _ => null,
        };
}
