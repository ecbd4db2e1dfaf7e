using System.Text.Json.Serialization;
using SmartTrip.Core.Validation;

namespace SmartTrip.Core.Json;

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
