using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using SmartTrip.Functions.Http;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Http;

/// <summary>The OpenAPI document: complete, nothing more than the functions serve, valid OpenAPI 3.1, served as built.</summary>
public sealed class OpenApiDocumentTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static IEnumerable<(string Path, string Method)> Operations(JsonObject document) =>
        document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(m => (p.Key, m.Key.ToUpperInvariant())));

    [Fact]
    public void Every_function_route_and_method_is_in_the_document_and_nothing_else()
    {
        var served = HttpRouteTable.Default.Routes.Where(r => !r.IsFallback)
            .SelectMany(r => r.HttpMethods.Select(m => (OpenApiDocumentBuilder.OpenApiPath(r.Route), m)))
            .Order().ToList();

        var documented = Operations(OpenApiContract.Doc).Order().ToList();

        Assert.Equal(served, documented);
        Assert.Contains(("/api/countries/{id}", "GET"), documented);
        Assert.Contains(("/api/experiments/{id}/results", "GET"), documented);
        Assert.Equal(34, documented.Count);
    }

    /// <summary>
    /// The contract is committed (docs/openapi.json), so a change to it shows in review as a diff of the document, not
    /// only of the code that builds it. When this fails on purpose, regenerate it:
    /// <c>dotnet SmartTrip.Cli/bin/Release/net10.0/smarttrip.dll openapi --output docs/openapi.json</c>.
    /// </summary>
    [Fact]
    public void The_document_is_the_committed_golden_file()
    {
        var built = JsonNode.Parse(OpenApiDocumentBuilder.Json)!.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n";
        var committed = File.ReadAllText(Path.Combine(TestServices.RepositoryRoot, "docs", "openapi.json"));

        Assert.True(built == committed,
            "docs/openapi.json differs from the document the app builds; if the change is meant, regenerate it with `smarttrip openapi --output docs/openapi.json`");
    }

    [Fact]
    public void A_route_without_its_function_or_a_function_without_a_route_fails_the_comparison()
    {
        var routes = HttpRouteTable.Default.Routes.Where(r => !r.IsFallback).ToList();
        var fewer = OpenApiDocumentBuilder.Build(new HttpRouteTable(routes.Where(r => r.Name != "GetTags")));
        var more = OpenApiDocumentBuilder.Build(new HttpRouteTable(routes.Append(routes[0] with { Name = "Extra", Route = "extra/{id:int}" })));

        Assert.DoesNotContain(("/api/tags", "GET"), Operations(fewer));
        Assert.Contains(("/api/extra/{id}", "GET"), Operations(more));
        Assert.NotEqual(Operations(OpenApiContract.Doc).Count(), Operations(fewer).Count());
    }

    [Fact]
    public void The_document_is_valid_openapi_3_1_with_the_function_key_on_the_protected_routes()
    {
        var result = OpenApiDocument.Parse(OpenApiDocumentBuilder.Json, "json", new OpenApiReaderSettings());

        Assert.Empty(result.Diagnostic?.Errors ?? []);
        Assert.Equal(OpenApiSpecVersion.OpenApi3_1, result.Diagnostic!.SpecificationVersion);
        var metrics = OpenApiContract.Doc["paths"]!["/api/metrics/daily"]!["get"]!;
        Assert.Equal(2, metrics["security"]!.AsArray().Count);
        Assert.NotNull(metrics["responses"]!["401"]);
        Assert.Null(OpenApiContract.Doc["paths"]!["/api/health"]!["get"]!["security"]);
        // The error body of every operation says what api.md §1.4 says: success false, the message, field errors optional.
        var error = OpenApiContract.Doc["components"]!["schemas"]!["ErrorBody"]!;
        Assert.Equal(["error", "success"], error["properties"]!.AsObject().Select(p => p.Key).Where(k => k is "error" or "success").Order());
    }

    [Fact]
    public void Every_response_value_has_a_type_and_timestamps_are_date_times()
    {
        // Where a schema says nothing ({}), a generated client gets an untyped value: none may be so.
        var untyped = new List<string>();
        void Walk(JsonNode? node, string path)
        {
            if (node is JsonObject o)
            {
                if (o.Count == 0)
                {
                    untyped.Add(path);
                }

                foreach (var (key, child) in o)
                {
                    Walk(child, path + "/" + key);
                }
            }
            else if (node is JsonArray a)
            {
                for (var i = 0; i < a.Count; i++)
                {
                    Walk(a[i], $"{path}/{i}");
                }
            }
        }

        Walk(OpenApiContract.Doc["components"]!["schemas"], "");

        Assert.Empty(untyped);
        Assert.Equal("""["integer","string","null"]""",
            OpenApiContract.Doc["components"]!["schemas"]!["RecommendationRequestBody"]!["properties"]!["year"]!["type"]!.ToJsonString());
        var created = OpenApiContract.Doc["components"]!["schemas"]!["Taxon"]!["properties"]!["createdAt"]!;
        Assert.Equal("date-time", created["format"]!.GetValue<string>());
        var item = OpenApiContract.Doc["components"]!["schemas"]!["RecommendedOccurrence"]!;
        Assert.Contains("match_score", item["required"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public async Task The_document_is_served_anonymously_as_built()
    {
        using var response = await api.Client.GetAsync("/api/openapi.json");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(OpenApiDocumentBuilder.Json), JsonNode.Parse(await response.Content.ReadAsStringAsync())));
    }

    [Fact]
    public void A_response_that_breaks_its_schema_is_reported()
    {
        Assert.Null(OpenApiContract.Check("GET", "/api/countries/1", 404, """{"success":false,"error":"Country not found"}"""));
        Assert.Contains("does not match the document", OpenApiContract.Check("GET", "/api/countries/1", 404, """{"success":"no"}"""));
        Assert.Contains("which the document does not list", OpenApiContract.Check("GET", "/api/countries/1", 418, "{}"));
        Assert.Contains("does not match the document", OpenApiContract.Check("POST", "/api/events", 202, """{"success":true,"event_id":42}"""));
        Assert.Null(OpenApiContract.Check("GET", "/api/nowhere", 404, """{"success":false,"error":"Endpoint not found"}"""));
    }
}
