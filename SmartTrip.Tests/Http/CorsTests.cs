using System.Net;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Http;

/// <summary>The development host with a configured origin list, as <c>Cors__AllowedOrigins</c> gives it.</summary>
public sealed class CorsFixture : ApiFixture
{
    public const string Frontend = "https://smarttrip.example";
    public const string Admin = "https://admin.smarttrip.example";

    protected override string DatabasePrefix => "cors";

    // CORS is applied in front of the real Functions host (the platform, or Core Tools), never by it.
    protected override bool SupportsExternalHost => false;

    protected override void AddSettings(IDictionary<string, string?> settings) =>
        settings["Cors:AllowedOrigins"] = $"{Frontend}, {Admin} ,";
}

/// <summary>
/// The frontend's cross-origin calls (api.md §1.2): every configured origin, with credentials, the headers the frontend
/// and the dashboard send, Retry-After readable; any other origin gets no CORS headers at all.
/// </summary>
public sealed class CorsTests(CorsFixture api) : IClassFixture<CorsFixture>
{
    private static HttpRequestMessage Preflight(string path, string origin, string method, string headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return request;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    [Theory]
    [InlineData(CorsFixture.Frontend, "/api/events", "POST", "content-type,authorization,x-session-id")]
    [InlineData(CorsFixture.Admin, "/api/metrics/daily", "GET", "x-functions-key")]
    [InlineData(CorsFixture.Frontend, "/api/v2/recommendations", "POST", "Content-Type,Authorization,X-Session-ID,x-functions-key")]
    public async Task A_preflight_from_a_configured_origin_allows_its_method_headers_and_credentials(
        string origin, string path, string method, string headers)
    {
        using var response = await api.Client.SendAsync(Preflight(path, origin, method, headers));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(origin, Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal("true", Header(response, "Access-Control-Allow-Credentials"));
        Assert.Equal("GET,POST,OPTIONS", Header(response, "Access-Control-Allow-Methods"));
        var allowed = Header(response, "Access-Control-Allow-Headers")!.Split(',').Select(h => h.Trim().ToLowerInvariant()).Order().ToList();
        Assert.Equal(["authorization", "content-type", "x-functions-key", "x-session-id"], allowed);
        Assert.Subset(allowed.ToHashSet(), headers.ToLowerInvariant().Split(',').ToHashSet());
    }

    [Theory]
    [InlineData("http://localhost:3000", "content-type")] // the default list, replaced by the configured one
    [InlineData("https://smarttrip.example.evil.com", "content-type")]
    [InlineData("null", "content-type")]
    public async Task Another_origin_gets_no_cors_headers(string origin, string headers)
    {
        using var response = await api.Client.SendAsync(Preflight("/api/events", origin, "POST", headers));

        Assert.Null(Header(response, "Access-Control-Allow-Origin"));
        Assert.Null(Header(response, "Access-Control-Allow-Headers"));
    }

    [Fact]
    public async Task A_header_the_api_does_not_take_is_not_allowed()
    {
        using var response = await api.Client.SendAsync(Preflight("/api/events", CorsFixture.Frontend, "POST", "content-type,x-forwarded-for"));

        // The browser refuses the request, since the header it asked for is not among the allowed ones.
        Assert.DoesNotContain("x-forwarded-for", Header(response, "Access-Control-Allow-Headers") ?? "", StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_cross_origin_answer_names_its_origin_and_lets_the_page_read_retry_after()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/tags");
        request.Headers.Add("Origin", CorsFixture.Admin);
        using var response = await api.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(CorsFixture.Admin, Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal("true", Header(response, "Access-Control-Allow-Credentials"));
        Assert.Equal("Retry-After", Header(response, "Access-Control-Expose-Headers"));
    }
}
