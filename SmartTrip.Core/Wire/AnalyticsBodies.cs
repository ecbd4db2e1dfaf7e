using System.Text.Json.Serialization;
using SmartTrip.Core.Analytics;

namespace SmartTrip.Core.Wire;

// Bodies of the metrics and evaluation endpoints (api.md §8, analytics.md §6).

public sealed record DailyMetricsBody(
    [property: JsonPropertyName("start")] DateOnly Start,
    [property: JsonPropertyName("end")] DateOnly End,
    [property: JsonPropertyName("data")] IReadOnlyList<DailyMetrics> Data) : SuccessBody
{
    [JsonPropertyName("count")]
    public int Count => Data.Count;
}

/// <summary><c>/api/metrics/engagement</c> (docs/engagement.md §2): the days of [start, end] and the whole range as one window.</summary>
public sealed record EngagementMetricsBody(
    [property: JsonPropertyName("start")] DateOnly Start,
    [property: JsonPropertyName("end")] DateOnly End,
    [property: JsonPropertyName("data")] IReadOnlyList<EngagementMetrics> Data,
    [property: JsonPropertyName("total")] EngagementMetrics Total) : SuccessBody
{
    [JsonPropertyName("count")]
    public int Count => Data.Count;
}

/// <summary>An evaluation scenario as the list endpoint shows it (api.md §8.5).</summary>
public sealed record ScenarioSummary
{
    [JsonPropertyName("id")] public int Id { get; init; }
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("category")] public string? Category { get; init; }
    [JsonPropertyName("expected_min_results")] public int ExpectedMinResults { get; init; }
}

public sealed record ScenarioResult(
    [property: JsonPropertyName("scenario_id")] int ScenarioId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("passed")] bool Passed,
    [property: JsonPropertyName("result_count")] int ResultCount,
    [property: JsonPropertyName("top_score")] int? TopScore,
    [property: JsonPropertyName("expected_min_results")] int ExpectedMinResults,
    [property: JsonPropertyName("expected_min_top_score")] decimal? ExpectedMinTopScore,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("response_time_ms")] int ResponseTimeMs);

/// <summary>The evaluation report (analytics.md §6.4), returned bare.</summary>
public sealed record EvaluationReport : SuccessBody
{
    [JsonPropertyName("total_scenarios")] public int TotalScenarios => Results.Count;
    [JsonPropertyName("passed")] public int Passed => Results.Count(r => r.Passed);
    [JsonPropertyName("failed")] public int Failed => Results.Count(r => !r.Passed);

    /// <summary>
    /// Passed / total × 100, half-to-even to one decimal and written with it (<c>63.0</c>, as the report has always shown);
    /// absent when nothing ran.
    /// </summary>
    [JsonPropertyName("pass_rate"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public decimal? PassRate => Results.Count == 0 ? null : Math.Round(Passed * 100m / Results.Count, 1, MidpointRounding.ToEven) + 0.0m;

    [JsonPropertyName("results")] public required IReadOnlyList<ScenarioResult> Results { get; init; }

    [JsonPropertyName("message"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Message => Results.Count == 0 ? "No scenarios found" : null;
}
