using System.Text.Json.Serialization;

namespace SmartTrip.Core.Validation;

/// <summary>One rejected field of a request body, as the <c>errors</c> array of a 400 shows it.</summary>
public sealed record FieldError(
    [property: JsonPropertyName("field")] string Field,
    [property: JsonPropertyName("message")] string Message);
