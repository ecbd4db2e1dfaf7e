namespace SmartTrip.Core.Catalog;

/// <summary>Filters of <c>GET /api/v2/templates</c> (api.md §5.3).</summary>
public sealed record TemplateQuery
{
    public int? CompanyId { get; init; }
    public int? TripTypeId { get; init; }
    public int? Difficulty { get; init; }
    public int? CountryId { get; init; }
    public bool IncludeOccurrences { get; init; }
    public int? Limit { get; init; }
    public int Offset { get; init; }
}

/// <summary>Filters of <c>GET /api/v2/occurrences</c> (api.md §5.5).</summary>
public sealed record OccurrenceQuery
{
    public int? TemplateId { get; init; }
    public int? GuideId { get; init; }
    public string? Status { get; init; }
    public int? Year { get; init; }
    public int? Month { get; init; }
    public DateOnly? StartDate { get; init; }
    public DateOnly? EndDate { get; init; }
    public decimal? MinPrice { get; init; }
    public decimal? MaxPrice { get; init; }
    public int? Limit { get; init; }
    public int Offset { get; init; }
}

/// <summary>Filters of <c>GET /api/v2/trip-occurrences</c> (api.md §5.7).</summary>
public sealed record TripOccurrenceQuery
{
    public int? CountryId { get; init; }
    public int? TripTypeId { get; init; }
    public int? GuideId { get; init; }
    public string? Status { get; init; }
    public int? Difficulty { get; init; }
    public int? Limit { get; init; }
    public int Offset { get; init; }
}

/// <summary>Paging rules shared by the listings.</summary>
public static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;
    public const int MaxTripOccurrencesLimit = 1000;

    /// <summary>Templates and occurrences: default 50, at most 100, 0 allowed.</summary>
    public static int ListingLimit(int? requested) => Math.Min(requested ?? DefaultLimit, MaxLimit);

    /// <summary>Trip occurrences: no limit unless given; a given limit is clamped to 1..1000.</summary>
    public static int? TripOccurrencesLimit(int? requested) =>
        requested is { } value ? Math.Clamp(value, 1, MaxTripOccurrencesLimit) : null;
}
