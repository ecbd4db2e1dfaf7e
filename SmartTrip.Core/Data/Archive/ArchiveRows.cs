using System.Text.Json.Serialization;
using Parquet.Serialization.Attributes;

namespace SmartTrip.Core.Data.Archive;

// The Parquet rows of the two archived logs: one property per column of the table, named as the column, with the
// column's type (docs/archive.md lists them). Times are UTC instants in microseconds (PostgreSQL's resolution), JSONB
// is its text, UUIDs are Parquet UUIDs, numerics are decimals of the column's precision.

/// <summary>A row of <c>events</c> as archived.</summary>
public sealed class EventArchiveRow
{
    [JsonPropertyName("id")] public long Id { get; set; }
    [JsonPropertyName("event_id")] public Guid EventId { get; set; }
    [JsonPropertyName("user_id")] public int? UserId { get; set; }
    [JsonPropertyName("session_id")] public Guid SessionId { get; set; }
    [JsonPropertyName("anonymous_id")] public Guid AnonymousId { get; set; }
    [JsonPropertyName("event_type_id")] public int EventTypeId { get; set; }
    [JsonPropertyName("trip_id")] public int? TripId { get; set; }
    [JsonPropertyName("recommendation_request_id")] public Guid? RecommendationRequestId { get; set; }
    [JsonPropertyName("source")] public string? Source { get; set; }
    [JsonPropertyName("event_data")] public string EventData { get; set; } = "{}";
    [JsonPropertyName("position_in_results")] public int? PositionInResults { get; set; }
    [JsonPropertyName("score_at_time"), ParquetDecimal(5, 2)] public decimal? ScoreAtTime { get; set; }
    [JsonPropertyName("timestamp"), ParquetTimestamp(ParquetTimestampResolution.Microseconds, true, true)] public DateTime Timestamp { get; set; }
    [JsonPropertyName("client_timestamp"), ParquetTimestamp(ParquetTimestampResolution.Microseconds, true, true)] public DateTime? ClientTimestamp { get; set; }
    [JsonPropertyName("page_url")] public string? PageUrl { get; set; }
    [JsonPropertyName("referrer")] public string? Referrer { get; set; }
    [JsonPropertyName("created_at"), ParquetTimestamp(ParquetTimestampResolution.Microseconds, true, true)] public DateTime CreatedAt { get; set; }
}

/// <summary>A row of <c>recommendation_requests</c> (the search log) as archived.</summary>
public sealed class SearchArchiveRow
{
    [JsonPropertyName("id")] public int Id { get; set; }
    [JsonPropertyName("request_id")] public Guid RequestId { get; set; }
    [JsonPropertyName("session_id")] public string? SessionId { get; set; }
    [JsonPropertyName("user_id")] public int? UserId { get; set; }
    [JsonPropertyName("created_at"), ParquetTimestamp(ParquetTimestampResolution.Microseconds, true, true)] public DateTime CreatedAt { get; set; }
    [JsonPropertyName("preferences")] public string Preferences { get; set; } = "{}";
    [JsonPropertyName("selected_countries")] public int[]? SelectedCountries { get; set; }
    [JsonPropertyName("selected_continents")] public string[]? SelectedContinents { get; set; }
    [JsonPropertyName("preferred_type_id")] public int? PreferredTypeId { get; set; }
    [JsonPropertyName("preferred_theme_ids")] public int[]? PreferredThemeIds { get; set; }
    [JsonPropertyName("min_duration")] public int? MinDuration { get; set; }
    [JsonPropertyName("max_duration")] public int? MaxDuration { get; set; }
    [JsonPropertyName("budget"), ParquetDecimal(10, 2)] public decimal? Budget { get; set; }
    [JsonPropertyName("difficulty")] public int? Difficulty { get; set; }
    [JsonPropertyName("year")] public string? Year { get; set; }
    [JsonPropertyName("month")] public string? Month { get; set; }
    [JsonPropertyName("response_time_ms")] public int ResponseTimeMs { get; set; }
    [JsonPropertyName("total_candidates")] public int TotalCandidates { get; set; }
    [JsonPropertyName("primary_count")] public int PrimaryCount { get; set; }
    [JsonPropertyName("relaxed_count")] public int RelaxedCount { get; set; }
    [JsonPropertyName("final_count")] public int FinalCount { get; set; }
    [JsonPropertyName("has_relaxed_results")] public bool HasRelaxedResults { get; set; }
    [JsonPropertyName("has_no_results")] public bool HasNoResults { get; set; }
    [JsonPropertyName("top_score"), ParquetDecimal(5, 2)] public decimal? TopScore { get; set; }
    [JsonPropertyName("avg_score"), ParquetDecimal(5, 2)] public decimal? AvgScore { get; set; }
    [JsonPropertyName("min_score"), ParquetDecimal(5, 2)] public decimal? MinScore { get; set; }
    [JsonPropertyName("score_std_dev"), ParquetDecimal(5, 2)] public decimal? ScoreStdDev { get; set; }
    [JsonPropertyName("result_trip_ids")] public int[] ResultTripIds { get; set; } = [];
    [JsonPropertyName("result_scores")] public decimal[] ResultScores { get; set; } = [];
    [JsonPropertyName("algorithm_version")] public string AlgorithmVersion { get; set; } = "";
    [JsonPropertyName("search_type")] public string SearchType { get; set; } = "";
    [JsonPropertyName("experiment_id")] public int? ExperimentId { get; set; }
    [JsonPropertyName("variant")] public string? Variant { get; set; }
    [JsonPropertyName("anonymous_id")] public Guid? AnonymousId { get; set; }
    [JsonPropertyName("ranked_trip_ids")] public int[]? RankedTripIds { get; set; }
    [JsonPropertyName("exploration")] public string? Exploration { get; set; }
    [JsonPropertyName("exploration_share")] public float? ExplorationShare { get; set; }
    [JsonPropertyName("exploration_depth")] public short? ExplorationDepth { get; set; }
    [JsonPropertyName("list_propensity")] public double? ListPropensity { get; set; }
    [JsonPropertyName("allocation_probability")] public float? AllocationProbability { get; set; }
    [JsonPropertyName("teams")] public string? Teams { get; set; }
}
