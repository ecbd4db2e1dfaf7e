using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SmartTrip.Core.Tracking;

/// <summary>The identity of a caller whose JWT was verified by an HTTP function (D18).</summary>
public sealed record VerifiedIdentity(
    [property: JsonPropertyName("sub")] string Sub,
    [property: JsonPropertyName("email")] string? Email);

/// <summary>An accepted event, normalised (events.md §3.1).</summary>
public sealed record TrackedEvent
{
    [JsonPropertyName("event_id")] public required Guid EventId { get; init; }
    [JsonPropertyName("index")] public required int Index { get; init; }
    [JsonPropertyName("event_type")] public required string EventType { get; init; }
    [JsonPropertyName("session_id")] public required Guid SessionId { get; init; }
    [JsonPropertyName("anonymous_id")] public required Guid AnonymousId { get; init; }
    [JsonPropertyName("trip_id")] public int? TripId { get; init; }
    [JsonPropertyName("source")] public string? Source { get; init; }
    [JsonPropertyName("recommendation_request_id")] public Guid? RecommendationRequestId { get; init; }
    [JsonPropertyName("metadata")] public required JsonElement Metadata { get; init; }
    [JsonPropertyName("position")] public int? Position { get; init; }
    [JsonPropertyName("score")] public decimal? Score { get; init; }
    [JsonPropertyName("client_timestamp")] public DateTimeOffset? ClientTimestamp { get; init; }
    [JsonPropertyName("page_url")] public string? PageUrl { get; init; }
    [JsonPropertyName("referrer")] public string? Referrer { get; init; }

    /// <summary>Bytes of caller text the event stores (metadata and URLs, UTF-8), as the edge counted them; not sent on.</summary>
    [JsonIgnore] public int StoredBytes { get; init; }
}

/// <summary>One queue message: the accepted events of (part of) one request, with what the HTTP function knew.</summary>
public sealed record EventEnvelope
{
    public const int CurrentVersion = 1;

    /// <summary>Largest UTF-8 JSON of one message; base64 makes it 64 000 characters, under the 64 KiB queue limit.</summary>
    public const int MaxMessageBytes = 48_000;

    [JsonPropertyName("version")] public int Version { get; init; } = CurrentVersion;
    [JsonPropertyName("received_at")] public required DateTimeOffset ReceivedAt { get; init; }
    [JsonPropertyName("identity")] public VerifiedIdentity? Identity { get; init; }

    /// <summary>
    /// The W3C trace context of the request that accepted the events (absent when it had none), so the drain's span
    /// links to it. Before <c>events</c>, which packing keeps last.
    /// </summary>
    [JsonPropertyName("traceparent"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TraceParent { get; init; }

    /// <summary>
    /// A dead letter sent back by an operator: the drain marks its row replayed once the event is stored. Absent on
    /// every other message.
    /// </summary>
    [JsonPropertyName("replay"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Replay { get; init; }

    [JsonPropertyName("events")] public required IReadOnlyList<TrackedEvent> Events { get; init; }

    /// <summary>Compact UTF-8 JSON, non-ASCII unescaped, instants as UTC ISO 8601 with a Z.</summary>
    public static JsonSerializerOptions Json { get; } = CreateJson();

    /// <summary>
    /// Packs events greedily, in order, into messages of at most <see cref="MaxMessageBytes"/> bytes (events.md §3.2).
    /// </summary>
    public static IReadOnlyList<byte[]> Pack(DateTimeOffset receivedAt, VerifiedIdentity? identity, IReadOnlyList<TrackedEvent> events) =>
        PackCounted(receivedAt, identity, events).Select(m => m.Message).ToList();

    /// <summary>As <see cref="Pack"/>, with how many of the events (taken in order) each message holds.</summary>
    public static IReadOnlyList<(byte[] Message, int Count)> PackCounted(
        DateTimeOffset receivedAt, VerifiedIdentity? identity, IReadOnlyList<TrackedEvent> events, string? traceParent = null)
    {
        var head = JsonSerializer.SerializeToUtf8Bytes(
            new EventEnvelope { ReceivedAt = receivedAt, Identity = identity, TraceParent = traceParent, Events = [] }, Json);
        var prefix = head.AsSpan(0, head.Length - 2).ToArray(); // without the closing "]}"
        var messages = new List<(byte[], int)>();
        using var current = new MemoryStream();
        var count = 0;

        foreach (var item in events)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(item, Json);
            if (count > 0 && current.Length + 1 + bytes.Length + 2 > MaxMessageBytes)
            {
                messages.Add((Close(current), count));
                count = 0;
            }

            if (count == 0)
            {
                current.SetLength(0);
                current.Write(prefix);
            }
            else
            {
                current.WriteByte((byte)',');
            }

            current.Write(bytes);
            count++;
        }

        if (count > 0)
        {
            messages.Add((Close(current), count));
        }

        return messages;
    }

    /// <summary>Reads a message; null when it is not a version-1 envelope with events.</summary>
    public static EventEnvelope? TryRead(string text)
    {
        try
        {
            var envelope = JsonSerializer.Deserialize<EventEnvelope>(text, Json);
            return envelope is { Version: CurrentVersion, Events.Count: > 0 } && envelope.Events.All(e => e.EventType is not null)
                ? envelope
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static byte[] Close(MemoryStream stream)
    {
        stream.Write("]}"u8);
        return stream.ToArray();
    }

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            RespectRequiredConstructorParameters = true,
        };
        options.Converters.Add(new UtcInstantConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private sealed class UtcInstantConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetDateTimeOffset().ToUniversalTime();

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
    }
}
