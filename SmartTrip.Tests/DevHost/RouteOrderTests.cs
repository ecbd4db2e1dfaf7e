using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SmartTrip.DevHost;
using SmartTrip.Functions.Http;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.DevHost;

/// <summary>
/// Every request must reach its own function on the Functions host, whose rule is: routes tried in the order of the
/// functions' names, the first whose template and method match wins. These tests apply that rule to the
/// functions.metadata the Functions SDK generates at build, so a function added with an overlapping route (or a
/// catch-all named to sort first) fails here rather than in production.
/// </summary>
[Trait("Category", "Unit")]
public sealed class RouteOrderTests
{
    private static readonly string[] Methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "FOO"];

    /// <summary>Paths no function serves (api.md §1.1 names the first four as removed).</summary>
    private static readonly string[] UnknownPaths =
    [
        "seed", "v2/trips", "recommendations", "migration/logging", "nope", "v2/templates/1/more", "events/batch/extra",
        "api/health", "v2", "health/x", "countries/1/2",
    ];

    public static List<FunctionRouteEntry> FromFunctionsMetadata()
    {
        var path = Path.Combine(TestServices.FunctionsOutput, "functions.metadata");
        Assert.True(File.Exists(path), $"functions.metadata not found at {path}: build SmartTrip.Functions first.");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return
        [
            .. from function in document.RootElement.EnumerateArray()
               from binding in function.GetProperty("bindings").EnumerateArray()
               where binding.GetProperty("type").GetString() == "httpTrigger"
               select new FunctionRouteEntry(
                   function.GetProperty("name").GetString()!,
                   binding.GetProperty("route").GetString()!,
                   binding.TryGetProperty("methods", out var methods) && methods.ValueKind == JsonValueKind.Array
                       ? [.. methods.EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant())]
                       : []), // no methods: every method
        ];
    }

    private static bool IsFallback(FunctionRouteEntry entry) => entry.Template.StartsWith("{*", StringComparison.Ordinal);

    /// <summary>A concrete path for a route template: each <c>{id:int}</c> becomes the given number.</summary>
    private static string PathFor(string template, string id) => Regex.Replace(template, @"\{[^}]+\}", id);

    /// <summary>
    /// Sends every request the routes imply through the host's matching rule and lists each one that reaches the wrong
    /// function: a function's own path and method must reach it; another method on that path must reach a fallback
    /// (its 405); an unknown path must reach a fallback (its 404) or nothing (the host's empty 404), never a function.
    /// </summary>
    public static async Task<List<string>> MisroutedRequestsAsync(IReadOnlyList<FunctionRouteEntry> entries)
    {
        var services = new ServiceCollection().AddLogging().AddRouting().BuildServiceProvider();
        var router = new FunctionRouter(
            services.GetRequiredService<IInlineConstraintResolver>(), "api", entries, _ => _ => Task.CompletedTask);
        var problems = new List<string>();
        var checkedRequests = 0;

        async Task<FunctionRouteEntry?> Reach(string method, string path)
        {
            checkedRequests++;
            var context = new DefaultHttpContext { RequestServices = services };
            context.Request.Method = method;
            context.Request.Path = "/api/" + path;
            return await router.MatchAsync(context);
        }

        foreach (var function in entries.Where(e => !IsFallback(e)))
        {
            // Ids the int constraint used to refuse (33 bits, a full-width digit, letters) reach the function too, for its JSON 404.
            foreach (var id in new[] { "7", "-3", "2147483647", "2147483648", "99999999999999999999", "\uFF11", "abc" })
            {
                var path = PathFor(function.Template, id);
                foreach (var method in Methods)
                {
                    var reached = await Reach(method, path);
                    var serves = function.Methods.Count == 0 || function.Methods.Contains(method);
                    var expected = serves ? function.Name : "a fallback";
                    var ok = serves
                        ? reached?.Name == function.Name
                        : reached is not null && IsFallback(reached);
                    if (!ok)
                    {
                        problems.Add($"{method} /api/{path} reaches {reached?.Name ?? "no function"}, not {expected}");
                    }
                }
            }
        }

        foreach (var path in UnknownPaths)
        {
            foreach (var method in Methods)
            {
                if (await Reach(method, path) is { } reached && !IsFallback(reached))
                {
                    problems.Add($"{method} /api/{path} (unknown) reaches the function {reached.Name}");
                }
            }
        }

        Assert.True(checkedRequests > 7 * 3 * 20, $"only {checkedRequests} requests checked");
        return problems;
    }

    [Fact]
    public async Task Every_request_reaches_its_own_function_under_the_hosts_name_order()
    {
        var entries = FromFunctionsMetadata();
        Assert.True(entries.Count(e => !IsFallback(e)) >= 27, "functions.metadata lists fewer HTTP functions than the app has");
        Assert.Empty(await MisroutedRequestsAsync(entries));
    }

    [Theory]
    [InlineData("AAACatchAll")] // sorts before every function
    [InlineData("RouteFallback")] // the name that shadowed StartSession, TrackEvent, TrackEventBatch and RunEvaluation
    public async Task A_plain_catch_all_is_caught_by_the_order_check(string name)
    {
        var entries = FromFunctionsMetadata();
        entries.Add(new FunctionRouteEntry(name, "{*path}", Methods));

        var problems = await MisroutedRequestsAsync(entries);

        Assert.Contains($"POST /api/session/start reaches {name}, not StartSession", problems);
        Assert.Contains($"POST /api/events/batch reaches {name}, not TrackEventBatch", problems);
    }

    [Fact]
    public async Task A_function_whose_route_overlaps_another_is_caught_when_it_sorts_first()
    {
        var entries = FromFunctionsMetadata();
        entries.Add(new FunctionRouteEntry("GetEventByKind", "events/{kind}", ["POST"]));

        var problems = await MisroutedRequestsAsync(entries);

        Assert.Contains("POST /api/events/batch reaches GetEventByKind, not TrackEventBatch", problems);
    }

    [Fact]
    public void Fallback_templates_are_generated_from_the_route_table()
    {
        var (unknown, served) = FallbackRoutes.Generate(HttpRouteTable.Default.Routes);

        // When this fails after adding or changing a function, paste the generated text ("Actual") into FallbackRoutes.
        Assert.Equal(FallbackRoutes.Unknown, unknown);
        Assert.Equal(FallbackRoutes.Served, served);
    }

    /// <summary>A constrained parameter would leave what its constraint refuses to the host's empty 404.</summary>
    [Fact]
    public void A_route_with_a_constraint_has_no_fallback_pattern()
    {
        var routes = HttpRouteTable.Default.Routes.Append(HttpRouteTable.Default.Routes[0] with { Route = "things/{id:int}" });

        var error = Assert.Throws<InvalidOperationException>(() => FallbackRoutes.Generate(routes));
        Assert.Contains("things/{id:int}", error.Message);
    }

    /// <summary>The any-method fallback must be tried last: a function named to sort after it is caught.</summary>
    [Fact]
    public async Task A_function_named_after_the_wrong_method_fallback_is_caught()
    {
        var entries = FromFunctionsMetadata();
        Assert.Equal(FallbackRoutes.WrongMethodFunction, entries.Select(e => e.Name).Order(StringComparer.OrdinalIgnoreCase).Last());
        entries.Add(new FunctionRouteEntry("Zones", "health", ["PUT"]));

        var problems = await MisroutedRequestsAsync(entries);

        Assert.Contains("PUT /api/health reaches WrongMethod, not Zones", problems);
    }
}
