using System.Net;
using Microsoft.AspNetCore.WebUtilities;
using SmartTrip.DevHost;
using SmartTrip.Functions.Http;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Http;

/// <summary>
/// Every query parameter is declared once, on its function (<see cref="ApiQueryAttribute"/>): the reader refuses the
/// others and the OpenAPI document lists exactly these.
/// </summary>
public sealed class QueryParameterTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static readonly Dictionary<string, string> TextSamples = new(StringComparer.Ordinal)
    {
        ["continent"] = "Asia", ["status"] = "Open", ["category"] = "budget",
    };

    public static TheoryData<string> GetFunctions() =>
        [.. HttpRouteTable.Default.Routes.Where(r => !r.IsFallback && r.HttpMethods.Contains("GET")).Select(r => r.Name).Order(StringComparer.Ordinal)];

    /// <summary>
    /// Change that this catches: a function that reads a parameter it does not declare (say GetOccurrences reading
    /// "page" beside its declared ones) throws on every call, so it answers 500 here.
    /// </summary>
    [Theory]
    [MemberData(nameof(GetFunctions))]
    public async Task Each_GET_function_answers_with_every_declared_parameter_given_and_reads_no_other(string function)
    {
        var route = HttpRouteTable.Default.Routes.Single(r => r.Name == function);
        var query = QueryReader.DeclarationsOf(route.Method).Values.ToDictionary(d => d.Name, d => (string?)Sample(d));
        var path = QueryHelpers.AddQueryString("/api/" + System.Text.RegularExpressions.Regex.Replace(route.Route, @"\{[^}]+\}", "1"), query);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add(FunctionKeyPolicy.HeaderName, FunctionKeyPolicy.DefaultKey);

        using var response = await api.Client.SendAsync(request);

        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound,
            $"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public void The_document_declares_exactly_the_parameters_each_function_declares()
    {
        var document = OpenApiDocumentBuilder.Document;
        foreach (var route in HttpRouteTable.Default.Routes.Where(r => !r.IsFallback))
        {
            foreach (var method in route.HttpMethods)
            {
                var operation = document.GetProperty("paths").GetProperty(OpenApiDocumentBuilder.OpenApiPath(route.Route)).GetProperty(method.ToLowerInvariant());
                var documented = operation.TryGetProperty("parameters", out var parameters)
                    ? parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query").Select(p => p.GetProperty("name").GetString()!).ToList()
                    : [];
                Assert.Equal(QueryReader.DeclarationsOf(route.Method).Keys.Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
            }
        }

        int Count(string path) => document.GetProperty("paths").GetProperty(path).GetProperty("get").GetProperty("parameters").GetArrayLength();
        Assert.Equal((1, 7, 12, 7), (Count("/api/countries"), Count("/api/v2/templates"), Count("/api/v2/occurrences"), Count("/api/v2/trip-occurrences")));
    }

    private static string Sample(ApiQueryAttribute declaration) => declaration.Shape switch
    {
        QueryShape.Integer or QueryShape.Count or QueryShape.Clamped => "1",
        QueryShape.Number => "1000",
        QueryShape.Date or QueryShape.Day => "2026-11-20",
        QueryShape.Flag => "true",
        QueryShape.Choice => declaration.Values[0],
        _ => TextSamples.GetValueOrDefault(declaration.Name, "x"),
    };
}
