using System.Text.Json.Serialization;
using SmartTrip.Core.Catalog;

namespace SmartTrip.Core.Wire;

// Bodies of the catalogue endpoints that are more than a list or a page (api.md §4-§5).

public sealed record ContinentOption(
    [property: JsonPropertyName("value")] string Value,
    [property: JsonPropertyName("nameHe")] string NameHe);

public sealed record LocationsBody(
    [property: JsonPropertyName("countries")] IReadOnlyList<Country> Countries,
    [property: JsonPropertyName("continents")] IReadOnlyList<ContinentOption> Continents) : SuccessBody
{
    [JsonPropertyName("count")] public int Count => Countries.Count;
}

public sealed record SchemaInfoBody([property: JsonPropertyName("statistics")] CatalogStatistics Statistics) : SuccessBody
{
    [JsonPropertyName("schema_version")] public string SchemaVersion => "2.3";

    [JsonPropertyName("endpoints")]
    public IReadOnlyDictionary<string, string> Endpoints { get; } = new Dictionary<string, string>
    {
        ["companies"] = "/api/v2/companies",
        ["templates"] = "/api/v2/templates",
        ["occurrences"] = "/api/v2/occurrences",
        ["trips"] = "/api/v2/trip-occurrences",
        ["recommendations"] = "/api/v2/recommendations",
    };
}
