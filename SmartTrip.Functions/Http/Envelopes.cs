using System.Text.Json.Serialization;
using SmartTrip.Core.Json;
using SmartTrip.Core.Validation;

namespace SmartTrip.Functions.Http;

// Response envelopes (snake_case keys; single-word keys read the same in either case).

public sealed record ErrorBody(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("errors"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<FieldError>? Errors = null,
    [property: JsonPropertyName("error_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    string? ErrorId = null)
{
    [JsonPropertyName("success")]
    [JsonPropertyOrder(-1)]
    public bool Success => false;
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
