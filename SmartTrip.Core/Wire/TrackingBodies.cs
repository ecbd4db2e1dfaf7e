using System.Text.Json.Serialization;
using SmartTrip.Core.Tracking;

namespace SmartTrip.Core.Wire;

// Bodies of the session, event and user endpoints (api.md §7).

public sealed record SessionStarted(
    [property: JsonPropertyName("user_id")] int UserId,
    [property: JsonPropertyName("session_id")] Guid SessionId,
    [property: JsonPropertyName("is_new_session")] bool IsNewSession) : SuccessBody;

public sealed record EventAccepted([property: JsonPropertyName("event_id")] Guid EventId) : SuccessBody;

public sealed record BatchAccepted(
    [property: JsonPropertyName("processed")] int Processed,
    [property: JsonPropertyName("total")] int Total,
    [property: JsonPropertyName("errors")] IReadOnlyList<BatchItemError>? Errors) : SuccessBody;

public sealed record UserIdentified([property: JsonPropertyName("user_id")] int UserId) : SuccessBody
{
    [JsonPropertyName("is_registered")] public bool IsRegistered => true;
}

public sealed record EventTypesBody(
    [property: JsonPropertyName("event_types")] IReadOnlyList<string> EventTypes,
    [property: JsonPropertyName("categories")] IReadOnlyDictionary<string, List<string>> Categories,
    [property: JsonPropertyName("valid_sources")] IReadOnlyList<string> ValidSources) : SuccessBody;
