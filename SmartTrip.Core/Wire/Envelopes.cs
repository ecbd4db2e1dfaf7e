using System.Text.Json.Serialization;
using SmartTrip.Core.Validation;

namespace SmartTrip.Core.Wire;

// The envelopes every answer of the API shares (api.md §1.4): "success" first, then snake_case keys (single-word
// keys read the same in either case). Every response body of the API lives in this namespace.

/// <summary>Every successful answer of the API starts with <c>"success": true</c> (api.md §1.4); its bodies derive from this.</summary>
public abstract record SuccessBody
{
    [JsonPropertyName("success")]
    [JsonPropertyOrder(-1)]
    public bool Success => true;
}

/// <summary>
/// Every error answer of the API: <c>"success": false</c>, the message, and the field errors when a body was refused
/// (api.md §1.4). The general error body and the recommendation endpoint's (which adds <c>api_version</c>) derive from it.
/// </summary>
public abstract record FailureBody(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("errors"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<FieldError>? Errors)
{
    [JsonPropertyName("success")]
    [JsonPropertyOrder(-1)]
    public bool Success => false;
}

public sealed record ErrorBody(string Error, IReadOnlyList<FieldError>? Errors = null, string? ErrorId = null)
    : FailureBody(Error, Errors)
{
    /// <summary>Set on a 500: the id the error's log line carries too.</summary>
    [JsonPropertyName("error_id")]
    [JsonPropertyOrder(1)] // after the error
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ErrorId { get; init; } = ErrorId;
}

public sealed record ItemBody<T>([property: JsonPropertyName("data")] T Data) : SuccessBody;

public sealed record ListBody<T>([property: JsonPropertyName("data")] IReadOnlyList<T> Data) : SuccessBody
{
    [JsonPropertyName("count")]
    public int Count => Data.Count;
}

public sealed record PageBody<T>(
    [property: JsonPropertyName("total")] int Total,
    [property: JsonPropertyName("offset")] int Offset,
    [property: JsonPropertyName("limit")] int? Limit,
    [property: JsonPropertyName("data")] IReadOnlyList<T> Data) : SuccessBody
{
    [JsonPropertyName("count")]
    public int Count => Data.Count;
}
