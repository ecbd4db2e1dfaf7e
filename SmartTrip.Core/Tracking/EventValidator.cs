using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using SmartTrip.Core.Json;
using SmartTrip.Core.Validation;
using SmartTrip.Core.Wire;

namespace SmartTrip.Core.Tracking;

/// <summary>The first rule an event breaks: the field it names and the message (events.md §2.2).</summary>
public sealed record EventError(string Field, string Message);

/// <summary>
/// Checks one event against the rules of events.md §2.2, in order, and normalises an accepted one for the queue.
/// </summary>
public static class EventValidator
{
    /// <summary>The most bytes of an event's metadata, as compact UTF-8 JSON.</summary>
    public const int MaxMetadataBytes = 4096;

    /// <summary>The most bytes of <c>page_url</c> and of <c>referrer</c>, in UTF-8 (a Hebrew letter is two).</summary>
    public const int MaxUrlBytes = 2048;

    /// <summary>
    /// The most bytes of text one event can make the service store: its metadata and its two URLs (the rest are ids,
    /// numbers and names from fixed lists).
    /// </summary>
    public const int MaxEventBytes = MaxMetadataBytes + 2 * MaxUrlBytes;
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();
    private static readonly JsonWriterOptions CompactWriter = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The normalised event, or the error of the first rule it breaks.</summary>
    public static (TrackedEvent? Event, EventError? Error) Validate(JsonElement item, int index, CancellationToken ct = default)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return Fail("body", "Event must be a JSON object");
        }

        if (StorableText.Check(item, ct) is { } unstorable)
        {
            return Fail(unstorable.Field, unstorable.Message);
        }

        foreach (var field in new[] { "event_type", "session_id", "anonymous_id" })
        {
            if (!item.TryGetProperty(field, out var value) || IsFalsy(value))
            {
                return Fail(field, $"Missing required field: {field}");
            }
        }

        var type = item.GetProperty("event_type");
        if (type.ValueKind != JsonValueKind.String || !EventCatalog.IsType(type.GetString()!))
        {
            return Fail("event_type", $"Invalid event type: {Text(type)}. Valid types: {EventCatalog.ValidTypesText}");
        }

        var eventType = type.GetString()!;
        var session = item.GetProperty("session_id");
        var anonymous = item.GetProperty("anonymous_id");
        if (session.ValueKind != JsonValueKind.String || !TrackingIds.TryParseUuid(session.GetString(), out var sessionId))
        {
            return Fail("session_id", ErrorMessages.InvalidUuid);
        }

        if (anonymous.ValueKind != JsonValueKind.String || !TrackingIds.TryParseUuid(anonymous.GetString(), out var anonymousId))
        {
            return Fail("anonymous_id", ErrorMessages.InvalidUuid);
        }

        // Absent, null and "" mean no source; any other value must be one of the sources (an array or object never is).
        string? source = null;
        if (item.TryGetProperty("source", out var sourceValue) && sourceValue.ValueKind != JsonValueKind.Null &&
            !(sourceValue.ValueKind == JsonValueKind.String && sourceValue.GetString()!.Length == 0))
        {
            if (sourceValue.ValueKind != JsonValueKind.String || !EventCatalog.IsSource(sourceValue.GetString()!))
            {
                return Fail("source", $"Invalid source: {Text(sourceValue)}. Valid sources: {EventCatalog.ValidSourcesText}");
            }

            source = sourceValue.GetString();
        }

        int? tripId = null;
        if (item.TryGetProperty("trip_id", out var trip) && trip.ValueKind != JsonValueKind.Null)
        {
            if (!JsonIntegers.TryGet(trip, out var id) || id < 1)
            {
                return Fail("trip_id", "Invalid trip_id: must be positive integer");
            }

            tripId = id;
        }

        if (eventType == "click_trip" && source is null)
        {
            return Fail("source", "source is required for click_trip events");
        }

        var metadata = EmptyObject;
        var storedBytes = 2L; // {}
        if (item.TryGetProperty("metadata", out var meta) && meta.ValueKind != JsonValueKind.Null)
        {
            if (meta.ValueKind != JsonValueKind.Object || (storedBytes = CompactSize(meta)) > MaxMetadataBytes)
            {
                return Fail("metadata", "Invalid metadata: must be an object of at most 4 KB");
            }

            metadata = meta;
        }

        int? position = null;
        if (item.TryGetProperty("position", out var positionValue) && positionValue.ValueKind != JsonValueKind.Null)
        {
            if (!JsonIntegers.TryGet(positionValue, out var p))
            {
                return Fail("position", "Invalid position: must be an integer");
            }

            position = p;
        }

        decimal? score = null;
        if (item.TryGetProperty("score", out var scoreValue) && scoreValue.ValueKind != JsonValueKind.Null)
        {
            if (scoreValue.ValueKind != JsonValueKind.Number || !scoreValue.TryGetDecimal(out var s) ||
                Math.Round(s, 2, MidpointRounding.AwayFromZero) is var rounded && (rounded < -999.99m || rounded > 999.99m))
            {
                return Fail("score", "Invalid score: must be a number between -999.99 and 999.99");
            }

            score = rounded;
        }

        string? pageUrl = null, referrer = null;
        foreach (var field in new[] { "page_url", "referrer" })
        {
            if (item.TryGetProperty(field, out var url) && url.ValueKind != JsonValueKind.Null)
            {
                if (url.ValueKind != JsonValueKind.String || JsonBody.StringBytes(url) is var bytes && bytes > MaxUrlBytes)
                {
                    return Fail(field, $"Invalid {field}: must be a string of at most {MaxUrlBytes} bytes (UTF-8)");
                }

                storedBytes += bytes;
                (pageUrl, referrer) = field == "page_url" ? (url.GetString(), referrer) : (pageUrl, url.GetString());
            }
        }

        if (eventType == "trip_dwell_time" && metadata.TryGetProperty("duration_seconds", out var duration) &&
            duration.ValueKind != JsonValueKind.Null &&
            (duration.ValueKind != JsonValueKind.Number || !duration.TryGetDouble(out var seconds) || seconds < 0 || seconds > 86400))
        {
            return Fail("metadata.duration_seconds", "Invalid duration_seconds: must be a number from 0 to 86400");
        }

        return (new TrackedEvent
        {
            EventId = item.TryGetProperty("event_id", out var eventId) && eventId.ValueKind == JsonValueKind.String &&
                      TrackingIds.TryParseUuid(eventId.GetString(), out var clientId) ? clientId : Guid.NewGuid(),
            Index = index,
            EventType = eventType,
            SessionId = sessionId,
            AnonymousId = anonymousId,
            TripId = tripId,
            Source = source,
            RecommendationRequestId = item.TryGetProperty("recommendation_request_id", out var request) && request.ValueKind == JsonValueKind.String &&
                                      TrackingIds.TryParseUuid(request.GetString(), out var requestId) ? requestId : null,
            Metadata = metadata.Clone(),
            Position = position,
            Score = score,
            ClientTimestamp = item.TryGetProperty("client_timestamp", out var timestamp) ? ParseInstant(timestamp) : null,
            PageUrl = pageUrl,
            Referrer = referrer,
            StoredBytes = (int)storedBytes,
        }, null);
    }

    private static (TrackedEvent?, EventError?) Fail(string field, string message) => (null, new EventError(field, message));

    /// <summary>Python's falsiness, which the original's "missing field" check used: null, "", false, 0, [] and {}.</summary>
    private static bool IsFalsy(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.False or JsonValueKind.Undefined => true,
        JsonValueKind.String => value.GetString()!.Length == 0,
        JsonValueKind.Number => value.TryGetDouble(out var n) && n == 0,
        JsonValueKind.Array => value.GetArrayLength() == 0,
        JsonValueKind.Object => !value.EnumerateObject().Any(),
        _ => false,
    };

    /// <summary>A string as it is; anything else as its JSON text.</summary>
    private static string Text(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();


    private static long CompactSize(JsonElement value)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, CompactWriter))
        {
            value.WriteTo(writer);
        }

        return buffer.Length;
    }

    /// <summary>An ISO 8601 date-time (Z or an offset; none means UTC) as UTC; anything else null.</summary>
    private static DateTimeOffset? ParseInstant(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && value.GetString() is { Length: >= 16 } text && text[10] is 'T' or 't' or ' ' &&
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant)
            ? instant
            : null;
}
