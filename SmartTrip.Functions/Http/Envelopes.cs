using System.Text.Json.Serialization;
using SmartTrip.Core.Json;
using SmartTrip.Core.Validation;

namespace SmartTrip.Functions.Http;

// Response envelopes (snake_case keys; single-word keys read the same in either case).

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
