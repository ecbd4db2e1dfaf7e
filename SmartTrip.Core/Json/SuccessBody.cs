using System.Text.Json.Serialization;

namespace SmartTrip.Core.Json;

/// <summary>Every successful answer of the API starts with <c>"success": true</c> (api.md §1.4); its bodies derive from this.</summary>
public abstract record SuccessBody
{
    [JsonPropertyName("success")]
    [JsonPropertyOrder(-1)]
    public bool Success => true;
}
