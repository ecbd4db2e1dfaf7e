using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using SmartTrip.Core.Catalog;
using SmartTrip.Core.Wire;

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

/// <summary>A search answered with its response, or a body the API refused with its 400 error.</summary>
public sealed record RecommendationOutcome
{
    private RecommendationOutcome(RecommendationResponse? response, RecommendationErrorBody? refusal) =>
        (Response, Refusal) = (response, refusal);

    public static RecommendationOutcome Found(RecommendationResponse response) => new(response, null);

    public static RecommendationOutcome Refused(RecommendationErrorBody refusal) => new(null, refusal);

    public RecommendationResponse? Response { get; }

    public RecommendationErrorBody? Refusal { get; }

    /// <summary>The JSON body to send: the response, or the refusal.</summary>
    public object Body => (object?)Response ?? Refusal!;
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
