using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using SmartTrip.Core.Catalog;
using SmartTrip.Core.Json;
using SmartTrip.Core.Validation;

namespace SmartTrip.Core.Recommendations;

/// <summary>An occurrence as a recommendation item (api.md §2.7): no <c>template.countries</c>, plus the match.</summary>
[JsonConverter(typeof(RecommendedOccurrenceJsonConverter))]
public sealed record RecommendedOccurrence : Occurrence
{
    public RecommendedOccurrence(Occurrence occurrence, ScoredTrip match, byte[]? occurrenceJson = null)
        : base(occurrence.Template.Countries is null ? occurrence : occurrence with { Template = occurrence.Template with { Countries = null } })
    {
        MatchScore = match.Score;
        MatchDetails = match.Details;
        IsRelaxed = match.IsRelaxed;
        OccurrenceJson = occurrenceJson;
    }

    /// <summary>The occurrence part already written in the wire format (SmartTripJson), when the catalogue cached it.</summary>
    [JsonIgnore]
    public byte[]? OccurrenceJson { get; }

    public int MatchScore { get; init; }
    public IReadOnlyList<string> MatchDetails { get; init; }
    public bool IsRelaxed { get; init; }
}

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
}

/// <summary>Every error of the recommendations endpoint carries <c>api_version</c> (api.md §6.3–§6.4).</summary>
public sealed record RecommendationErrorBody(string Error, IReadOnlyList<FieldError>? Errors = null) : FailureBody(Error, Errors)
{
    public const string Version = "v2";

    public const string DatabaseUnavailable = "שגיאת חיבור למסד הנתונים. אנא נסה שוב מאוחר יותר.";
    public const string DatabaseFailed = "שגיאה במסד הנתונים. אנא נסה שוב מאוחר יותר.";
    public const string EngineFailed = "שגיאה בעיבוד ההמלצות. אנא נסה שוב או נסה עם העדפות אחרות.";
    public const string RequestFailed = "שגיאה בעיבוד הבקשה. אנא נסה שוב מאוחר יותר.";
    public const string BodyTooLarge = "Request body too large (maximum 1 MB)";

    [JsonPropertyName("api_version")]
    [JsonPropertyOrder(1)] // after the error and its field errors
    public string ApiVersion => Version;
}

/// <summary>What the endpoint answers: a status and a body (the 200 response or an error body).</summary>
public sealed record RecommendationOutcome
{
    private RecommendationOutcome(int status, RecommendationResponse? response, RecommendationErrorBody? error) =>
        (Status, Response, Error) = (status, response, error);

    /// <summary>A search answered: 200 with its response.</summary>
    public static RecommendationOutcome Found(RecommendationResponse response) => new(200, response, null);

    /// <summary>A search refused or failed, with its status and error body.</summary>
    public static RecommendationOutcome Failed(int status, RecommendationErrorBody error) => new(status, null, error);

    public int Status { get; }

    public RecommendationResponse? Response { get; }

    public RecommendationErrorBody? Error { get; }

    /// <summary>The JSON body to send: the response, or the error.</summary>
    public object Body => (object?)Response ?? Error!;
}

/// <summary>
/// Writes a recommendation item as its occurrence object (the cached bytes when there are some, which saves
/// serialising the nested template, company and guide on every request) followed by the three match keys.
/// </summary>
public sealed class RecommendedOccurrenceJsonConverter : JsonConverter<RecommendedOccurrence>
{
    public override RecommendedOccurrence Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Recommendation items are written, never read.");

    public override void Write(Utf8JsonWriter writer, RecommendedOccurrence value, JsonSerializerOptions options)
    {
        var occurrence = value.OccurrenceJson ?? JsonSerializer.SerializeToUtf8Bytes(value, typeof(Occurrence), options);
        var item = new ArrayBufferWriter<byte>(occurrence.Length + 256);
        item.Write(occurrence.AsSpan(0, occurrence.Length - 1)); // the object without its closing brace
        item.Write(","u8);
        using (var tail = new Utf8JsonWriter(item, new JsonWriterOptions { Encoder = options.Encoder, SkipValidation = true }))
        {
            tail.WriteNumber("match_score", value.MatchScore);
            tail.WriteStartArray("match_details");
            foreach (var detail in value.MatchDetails)
            {
                tail.WriteStringValue(detail);
            }

            tail.WriteEndArray();
            tail.WriteBoolean("is_relaxed", value.IsRelaxed);
            tail.WriteEndObject();
        }

        writer.WriteRawValue(item.WrittenSpan, skipInputValidation: true);
    }
}
