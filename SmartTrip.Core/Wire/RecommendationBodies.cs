using System.Text.Json.Serialization;
using SmartTrip.Core.Recommendations;
using SmartTrip.Core.Validation;

namespace SmartTrip.Core.Wire;

// Bodies of POST /api/v2/recommendations (api.md §6); the items are RecommendedOccurrence.

public sealed record ScoreThresholds(
    [property: JsonPropertyName("HIGH")] int High,
    [property: JsonPropertyName("MID")] int Mid);

/// <summary>The 200 body of <c>POST /api/v2/recommendations</c> (api.md §6.2).</summary>
public sealed record RecommendationResponse : SuccessBody
{
    [JsonPropertyName("api_version")] public string ApiVersion => RecommendationErrorBody.Version;
    [JsonPropertyName("count")] public int Count => PrimaryCount + RelaxedCount;
    [JsonPropertyName("primary_count")] public required int PrimaryCount { get; init; }
    [JsonPropertyName("relaxed_count")] public required int RelaxedCount { get; init; }
    [JsonPropertyName("data")] public required IReadOnlyList<RecommendedOccurrence> Data { get; init; }
    [JsonPropertyName("total_candidates")] public required int TotalCandidates { get; init; }
    [JsonPropertyName("total_trips")] public int TotalTrips => TotalCandidates;
    [JsonPropertyName("total_trips_in_db")] public required int TotalTripsInDb { get; init; }
    [JsonPropertyName("has_relaxed_results")] public bool HasRelaxedResults => RelaxedCount > 0;
    [JsonPropertyName("score_thresholds")] public required ScoreThresholds ScoreThresholds { get; init; }
    [JsonPropertyName("show_refinement_message")] public required bool ShowRefinementMessage { get; init; }
    [JsonPropertyName("request_id")] public required Guid RequestId { get; init; }
    [JsonPropertyName("search_type")] public required string SearchType { get; init; }
    [JsonPropertyName("message")] public required string Message { get; init; }

    /// <summary>
    /// The experiment and variant this search was ranked by (docs/experiments.md §3); absent outside an experiment. A key
    /// the existing frontend does not read.
    /// </summary>
    [JsonPropertyName("experiment"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ExperimentTag? Experiment { get; init; }

    /// <summary>How the list was chosen, for the request log only (never sent).</summary>
    [JsonIgnore]
    public ServedList? Served { get; init; }
}

/// <summary>
/// How a search's list was chosen (docs/experiments.md §7): the policy, the engine's order when the shown one differs,
/// the probability of the shown list under the policy, and the share of browsers the experiment's variant gets.
/// </summary>
public sealed record ServedList(
    Experiments.LoggingPolicy Policy, int[]? RankedTripIds, double ListProbability, double? AllocationProbability, string? Teams = null);

/// <summary>
/// Every error of the recommendations endpoint carries <c>api_version</c> (api.md §6.3-§6.4); a 500 also carries the
/// <c>error_id</c> its log line carries.
/// </summary>
public sealed record RecommendationErrorBody(string Error, IReadOnlyList<FieldError>? Errors = null, string? ErrorId = null)
    : FailureBody(Error, Errors)
{
    public const string Version = "v2";

    [JsonPropertyName("error_id")]
    [JsonPropertyOrder(1)] // after the error and its field errors
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ErrorId { get; init; } = ErrorId;

    [JsonPropertyName("api_version")]
    [JsonPropertyOrder(2)]
    public string ApiVersion => Version;
}

/// <summary>
/// The experiment a search was served in: its id and the browser's variant. Not its name, which operators write for
/// themselves and which says what is being tried to anyone reading the public response.
/// </summary>
public sealed record ExperimentTag(
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("variant")] string Variant);
