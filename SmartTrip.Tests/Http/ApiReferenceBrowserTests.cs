using System.Diagnostics;
using System.Text.Json;
using SmartTrip.Functions.Http;
using SmartTrip.Tests.Analytics;
using SmartTrip.Tests.Integration;

namespace SmartTrip.Tests.Http;

/// <summary>The development host's API reference page, rendered in headless Chromium from the served document.</summary>
public sealed class ApiReferenceBrowserTests(LoopbackApiFixture api) : IClassFixture<LoopbackApiFixture>
{
    [Fact]
    public async Task The_reference_page_shows_every_operation_of_the_document_without_errors()
    {
        var browserFolder = Path.Combine(TestServices.RepositoryRoot, "SmartTrip.Tests", "Browser");
        var chromium = Environment.GetEnvironmentVariable("SMARTTRIP_TEST_CHROMIUM");
        if (string.IsNullOrEmpty(chromium) || !Directory.Exists(Path.Combine(browserFolder, "node_modules", "playwright-core")))
        {
            Assert.Fail("SMARTTRIP_TEST_CHROMIUM is not set or playwright-core is not installed: run the tests with ./scripts/test.sh.");
        }

        var start = new ProcessStartInfo("node", ["api-reference-driver.mjs"])
        {
            WorkingDirectory = browserFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["REFERENCE_URL"] = new Uri(api.Address!, "/api-docs/").ToString(), ["CHROMIUM"] = chromium },
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"the browser driver failed ({process.ExitCode}): {await error}");
        using var shown = JsonDocument.Parse(await output);

        var expected = HttpRouteTable.Default.Routes.Where(r => !r.IsFallback)
            .SelectMany(r => r.HttpMethods.Select(m => $"{m} {OpenApiDocumentBuilder.OpenApiPath(r.Route)}"))
            .Order(StringComparer.Ordinal);
        Assert.Equal("SmartTrip API", shown.RootElement.GetProperty("title").GetString());
        Assert.Equal(expected, shown.RootElement.GetProperty("operations").EnumerateArray()
            .Select(o => o.GetString()!.Split(' ', 2)).Select(p => $"{p[0].ToUpperInvariant()} {p[1]}").Order(StringComparer.Ordinal));
        Assert.Empty(shown.RootElement.GetProperty("errors").EnumerateArray());
    }
}
