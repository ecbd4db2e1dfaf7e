using SmartTrip.Functions.Http;
using SmartTrip.Tests.Analytics;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Http;

/// <summary>The development host's API reference page, rendered in headless Chromium from the served document.</summary>
public sealed class ApiReferenceBrowserTests(LoopbackApiFixture api) : IClassFixture<LoopbackApiFixture>
{
    [Fact]
    public async Task The_reference_page_shows_every_operation_of_the_document_without_errors()
    {
        var shown = await BrowserDriver.RunAsync(
            "api-reference-driver.mjs", new Dictionary<string, string> { ["REFERENCE_URL"] = new Uri(api.Address!, "/api-docs/").ToString() });

        var expected = HttpRouteTable.Default.Routes.Where(r => !r.IsFallback)
            .SelectMany(r => r.HttpMethods.Select(m => $"{m} {OpenApiDocumentBuilder.OpenApiPath(r.Route)}"))
            .Order(StringComparer.Ordinal);
        Assert.Equal("SmartTrip API", shown.GetProperty("title").GetString());
        Assert.Equal(expected, shown.GetProperty("operations").EnumerateArray()
            .Select(o => o.GetString()!.Split(' ', 2)).Select(p => $"{p[0].ToUpperInvariant()} {p[1]}").Order(StringComparer.Ordinal));
        Assert.Empty(shown.GetProperty("errors").EnumerateArray());
    }
}
