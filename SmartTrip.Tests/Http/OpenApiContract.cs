using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using SmartTrip.Functions.Http;

namespace SmartTrip.Tests.Http;

/// <summary>
/// Validates response bodies against the API's OpenAPI document (JsonSchema.Net): the operation is found by method and
/// path, the schema by status, and the document's components are resolved as the schema's <c>$defs</c>.
/// </summary>
public static class OpenApiContract
{
    private static readonly Lazy<JsonObject> Document = new(() => OpenApiDocumentBuilder.Build(HttpRouteTable.Default));

    private static readonly Lazy<IReadOnlyList<(Regex Path, string Template)>> Paths = new(() =>
        Document.Value["paths"]!.AsObject()
            .Select(p => (new Regex("^" + Regex.Replace(Regex.Escape(p.Key), @"\\\{\w+}", "[^/]+") + "$", RegexOptions.IgnoreCase), p.Key))
            .ToList());

    private static readonly Dictionary<string, JsonSchema> Schemas = [];

    public static JsonObject Doc => Document.Value;

    /// <summary>
    /// What is wrong with a response, or null when it is as documented. Paths the document does not hold (the fallbacks'
    /// 404 and 405, the development host's own pages) are not judged here.
    /// </summary>
    public static string? Check(string method, string path, int status, string body)
    {
        var match = Paths.Value.FirstOrDefault(p => p.Path.IsMatch(path));
        if (match.Template is null)
        {
            return null;
        }

        if (Doc["paths"]![match.Template]![method.ToLowerInvariant()] is not JsonObject operation)
        {
            return null; // a wrong method: the fallback's 405
        }

        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation["responses"]![key] is not JsonObject response)
        {
            return $"{method} {match.Template} answered {status}, which the document does not list";
        }

        if (response["content"]?["application/json"]?["schema"] is not JsonNode schemaNode)
        {
            return body.Length == 0 ? null : $"{method} {match.Template} {status} has a body the document says is empty";
        }

        var schema = SchemaFor(schemaNode);
        using var instance = JsonDocument.Parse(body);
        var results = schema.Evaluate(instance.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return null;
        }

        var errors = (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))
            .Take(5);
        return $"{method} {path} {status} does not match the document: {string.Join("; ", errors)}";
    }

    private static JsonSchema SchemaFor(JsonNode schema)
    {
        var text = schema.ToJsonString();
        lock (Schemas)
        {
            if (!Schemas.TryGetValue(text, out var compiled))
            {
                var wrapper = new JsonObject
                {
                    ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
                    ["$id"] = $"https://smarttrip.test/schemas/{Schemas.Count}",
                    ["$defs"] = JsonNode.Parse(Doc["components"]!["schemas"]!.ToJsonString()),
                    ["allOf"] = new JsonArray(JsonNode.Parse(text)),
                };
                compiled = JsonSchema.FromText(wrapper.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal));
                Schemas[text] = compiled;
            }

            return compiled;
        }
    }
}
