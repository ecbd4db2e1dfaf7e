using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using SmartTrip.DevHost;
using SmartTrip.Functions.Http;
using SmartTrip.Tests.Integration;

namespace SmartTrip.Tests.DevHost;

/// <summary>
/// The development host must serve exactly what the Functions host would: the same functions, routes, methods and
/// auth levels as the functions.metadata that the Functions SDK generates at build.
/// </summary>
public sealed class RouteParityTests
{
    private sealed record Declared(string Name, string Route, string Methods, string AuthLevel);

    private static List<Declared> FromFunctionsMetadata()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? "Release" : "Debug";
        var path = Path.Combine(TestServices.RepositoryRoot, "SmartTrip.Functions", "bin", configuration, "net10.0", "functions.metadata");
        Assert.True(File.Exists(path), $"functions.metadata not found at {path}: build SmartTrip.Functions first.");

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.EnumerateArray()
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray()
                .Where(b => b.GetProperty("type").GetString() == "httpTrigger")
                .Select(b => new Declared(
                    f.GetProperty("name").GetString()!,
                    b.GetProperty("route").GetString()!,
                    string.Join(",", b.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()).Order()),
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
    public async Task Development_host_maps_every_http_function_under_the_host_json_route_prefix()
    {
        await using var app = DevHostApplication.Build([], b =>
        {
            b.WebHost.UseTestServer();
            b.Configuration["DevHost:BackgroundTriggers"] = "false";
        });
        await app.StartAsync();

        var prefix = HostJson.Load(Path.Combine(TestServices.RepositoryRoot, "host.json")).RoutePrefix;
        var mapped = app.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => !e.RoutePattern.RawText!.StartsWith("/admin/", StringComparison.Ordinal))
            .Select(e => new Declared(
                e.DisplayName!,
                e.RoutePattern.RawText!,
                string.Join(",", e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Order()),
                ""))
            .OrderBy(d => d.Name, StringComparer.Ordinal)
            .ToList();

        var expected = FromFunctionsMetadata().Select(d => d with { Route = $"/{prefix}/{d.Route}", AuthLevel = "" }).ToList();
        Assert.Equal("api", prefix);
        Assert.Equal(expected, mapped);
    }

    [Fact]
    public void Queue_and_timer_functions_match_the_generated_functions_metadata()
    {
        var path = Path.Combine(TestServices.RepositoryRoot, "SmartTrip.Functions", "bin",
            AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug", "net10.0", "functions.metadata");
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
