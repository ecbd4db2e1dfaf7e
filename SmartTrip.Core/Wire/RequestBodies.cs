using System.Text.Json;
using System.Text.Json.Serialization;

namespace SmartTrip.Core.Wire;

// The request bodies as the API documents them (its OpenAPI document and a generated client use these). The endpoints
// read the JSON themselves, field by field, with the exact rules of api.md and events.md; these records only describe
// what a client sends.

/// <summary>A search (api.md §6.1); every field is optional.</summary>
public sealed record RecommendationRequestBody
{
    [JsonPropertyName("selected_countries")] public IReadOnlyList<int>? SelectedCountries { get; init; }
    [JsonPropertyName("selected_continents")] public IReadOnlyList<string>? SelectedContinents { get; init; }
    [JsonPropertyName("preferred_type_id")] public int? PreferredTypeId { get; init; }
    [JsonPropertyName("preferred_theme_ids")] public IReadOnlyList<int>? PreferredThemeIds { get; init; }
    [JsonPropertyName("min_duration")] public int? MinDuration { get; init; }
    [JsonPropertyName("max_duration")] public int? MaxDuration { get; init; }
    [JsonPropertyName("budget")] public decimal? Budget { get; init; }
    [JsonPropertyName("difficulty")] public int? Difficulty { get; init; }

    /// <summary>A year 1–9999, its digits as a string, or "all".</summary>
    [JsonPropertyName("year")] public JsonElement? Year { get; init; }

    /// <summary>A month 1–12, its digits as a string, or "all".</summary>
    [JsonPropertyName("month")] public JsonElement? Month { get; init; }

    [JsonPropertyName("start_date")] public string? StartDate { get; init; }
    [JsonPropertyName("session_id")] public string? SessionId { get; init; }

    /// <summary>The browser, for ranking experiments (docs/experiments.md §2).</summary>
    [JsonPropertyName("anonymous_id")] public Guid? AnonymousId { get; init; }
}

/// <summary>One tracked event (events.md §2).</summary>
public sealed record EventBody
{
    [JsonPropertyName("event_type")] public required string EventType { get; init; }
    [JsonPropertyName("session_id")] public required Guid SessionId { get; init; }
    [JsonPropertyName("anonymous_id")] public required Guid AnonymousId { get; init; }
    [JsonPropertyName("event_id")] public Guid? EventId { get; init; }
    [JsonPropertyName("trip_id")] public int? TripId { get; init; }
    [JsonPropertyName("source")] public string? Source { get; init; }
    [JsonPropertyName("recommendation_request_id")] public Guid? RecommendationRequestId { get; init; }
    [JsonPropertyName("metadata")] public JsonElement? Metadata { get; init; }
    [JsonPropertyName("position")] public int? Position { get; init; }
    [JsonPropertyName("score")] public double? Score { get; init; }
    [JsonPropertyName("timestamp")] public string? Timestamp { get; init; }
    [JsonPropertyName("page_url")] public string? PageUrl { get; init; }
    [JsonPropertyName("referrer")] public string? Referrer { get; init; }
}

/// <summary>Up to 100 events of one browser (api.md §7.3).</summary>
public sealed record EventBatchBody([property: JsonPropertyName("events")] IReadOnlyList<EventBody> Events);

/// <summary>A session starting or resuming (api.md §7.1).</summary>
public sealed record SessionStartBody
{
    [JsonPropertyName("session_id")] public required Guid SessionId { get; init; }
    [JsonPropertyName("anonymous_id")] public required Guid AnonymousId { get; init; }
    [JsonPropertyName("device_type")] public string? DeviceType { get; init; }
    [JsonPropertyName("referrer")] public string? Referrer { get; init; }
}

/// <summary>Linking the signed-in identity to a browser (api.md §7.4).</summary>
public sealed record IdentifyBody([property: JsonPropertyName("anonymous_id")] Guid AnonymousId);

/// <summary>Which personas to evaluate (api.md §8.4); both optional.</summary>
public sealed record EvaluationRunBody
{
    [JsonPropertyName("category")] public string? Category { get; init; }
    [JsonPropertyName("scenario_ids")] public IReadOnlyList<int>? ScenarioIds { get; init; }
}
