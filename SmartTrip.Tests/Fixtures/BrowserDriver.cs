using System.Diagnostics;
using System.Text.Json;

namespace SmartTrip.Tests.Fixtures;

/// <summary>
/// Runs one of SmartTrip.Tests/Browser's node scripts (playwright-core driving headless Chromium) and returns the JSON it
/// prints; the test asserts on it. CHROMIUM is passed from SMARTTRIP_TEST_CHROMIUM, which the test command sets.
/// </summary>
internal static class BrowserDriver
{
    public static async Task<JsonElement> RunAsync(string script, IReadOnlyDictionary<string, string> environment)
    {
        var browserFolder = Path.Combine(TestServices.RepositoryRoot, "SmartTrip.Tests", "Browser");
        var chromium = Environment.GetEnvironmentVariable("SMARTTRIP_TEST_CHROMIUM");
        if (string.IsNullOrEmpty(chromium) || !Directory.Exists(Path.Combine(browserFolder, "node_modules", "playwright-core")))
        {
            Assert.Fail("SMARTTRIP_TEST_CHROMIUM is not set or playwright-core is not installed: run the tests with ./scripts/test.sh, "
                        + "which installs Chromium and SmartTrip.Tests/Browser's npm packages when they are missing.");
        }

        var start = new ProcessStartInfo("node", [script])
        {
            WorkingDirectory = browserFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["CHROMIUM"] = chromium;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"the browser driver {script} failed ({process.ExitCode}): {await error}");
        return JsonDocument.Parse(await output).RootElement.Clone();
    }
}
