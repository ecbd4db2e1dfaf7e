using System.Text.Json;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using SmartTrip.DevHost;
using SmartTrip.Functions.Http;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.DevHost;

/// <summary>
/// The development host must serve exactly what the Functions host would: the same functions, routes, methods and
/// auth levels as the functions.metadata that the Functions SDK generates at build.
/// </summary>
[Trait("Category", "Unit")]
public sealed class RouteParityTests
{
    private sealed record Declared(string Name, string Route, string Methods, string AuthLevel);

    private static List<Declared> FromFunctionsMetadata()
    {
        var path = Path.Combine(TestServices.FunctionsOutput, "functions.metadata");
        Assert.True(File.Exists(path), $"functions.metadata not found at {path}: build SmartTrip.Functions first.");

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.EnumerateArray()
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray()
                .Where(b => b.GetProperty("type").GetString() == "httpTrigger")
                .Select(b => new Declared(
                    f.GetProperty("name").GetString()!,
                    b.GetProperty("route").GetString()!,
                    b.TryGetProperty("methods", out var methods) && methods.ValueKind == JsonValueKind.Array
                        ? string.Join(",", methods.EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()).Order())
                        : "", // every method
                    b.GetProperty("authLevel").GetString()!)))
            .OrderBy(d => d.Name, StringComparer.Ordinal)
            .ToList();
    }

    [Fact]
    public void Route_table_matches_the_generated_functions_metadata()
    {
        var metadata = FromFunctionsMetadata();
        var table = HttpRouteTable.Default.Routes
            .Select(r => new Declared(r.Name, r.Route, string.Join(",", r.HttpMethods.Order()), r.AuthLevel.ToString()))
            .OrderBy(d => d.Name, StringComparer.Ordinal)
            .ToList();

        Assert.True(metadata.Count >= 17);
        Assert.Equal(metadata, table);
    }

    [Fact]
    public async Task Development_host_routes_every_http_function_in_the_hosts_order_under_the_route_prefix()
    {
        await using var app = DevHostApplication.Build([], b =>
        {
            b.WebHost.UseTestServer();
            b.Configuration["DevHost:BackgroundTriggers"] = "false";
        });
        await app.StartAsync();

        var prefix = HostJson.Load(Path.Combine(TestServices.RepositoryRoot, "host.json")).RoutePrefix;
        var routed = app.Services.GetRequiredService<FunctionRouter>().Entries
            .Select(e => new Declared(e.Name, e.Template, string.Join(",", e.Methods.Order()), ""))
            .ToList();

        var expected = FromFunctionsMetadata().Select(d => d with { AuthLevel = "" })
            .OrderBy(d => d.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();
        Assert.Equal("api", prefix);
        Assert.Equal(expected, routed);
    }

    [Fact]
    public void Queue_and_timer_functions_match_the_generated_functions_metadata()
    {
        var path = Path.Combine(TestServices.FunctionsOutput, "functions.metadata");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var declared = document.RootElement.EnumerateArray()
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray()
                .Where(b => b.GetProperty("type").GetString() is "queueTrigger" or "timerTrigger")
                .Select(b => $"{f.GetProperty("name").GetString()} {b.GetProperty("type").GetString()} " +
                             (b.TryGetProperty("queueName", out var queue) ? queue.GetString() : b.GetProperty("schedule").GetString())))
            .Order(StringComparer.Ordinal)
            .ToList();

        var discovered = DevHostApplication.BackgroundFunctions
            .Select(f => $"{f.Name} {(f.Kind == TriggerKind.Queue ? "queueTrigger" : "timerTrigger")} {f.Trigger}")
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Contains("EventsDrain queueTrigger events", discovered);
        Assert.Contains("CloseIdleSessions timerTrigger %CloseIdleSessionsSchedule%", discovered);
        Assert.Equal(declared, discovered);
    }
}

[Trait("Category", "Unit")]
public sealed class DisabledTriggerTests
{
    [Theory]
    [InlineData(null)] // %DailyMetricsSchedule% resolves to nothing
    [InlineData("every night")] // not a six-field CRON expression
    public async Task A_timer_whose_schedule_cannot_be_resolved_is_disabled_and_the_others_are_not(string? schedule)
    {
        await using var app = DevHostApplication.Build([], b =>
        {
            b.WebHost.UseTestServer();
            b.Configuration["DevHost:BackgroundTriggers"] = "false";
            b.Configuration["DailyMetricsSchedule"] = schedule;
            b.Configuration["CloseIdleSessionsSchedule"] = "0 */15 * * * *";
            b.Configuration["PartitionMaintenanceSchedule"] = "0 30 0 * * *";
        });
        await app.StartAsync();
        var client = app.GetTestClient();

        async Task<int> RunAsync(string function)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/admin/functions/{function}") { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
            request.Headers.Add(FunctionKeyPolicy.HeaderName, FunctionKeyPolicy.DefaultMasterKey);
            using var response = await client.SendAsync(request);
            return (int)response.StatusCode;
        }

        // As on the Functions host, the disabled function does not exist for the admin API; the other timer is still
        // known (whether its run succeeds depends on a database, which is not the point here).
        Assert.Equal(404, await RunAsync("DailyMetrics"));
        Assert.NotEqual(404, await RunAsync("CloseIdleSessions"));
        Assert.Equal(404, await RunAsync("NoSuchFunction"));
    }
}
