using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SmartTrip.DevHost;
using SmartTrip.Tests.DevHost;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Http;

/// <summary>
/// One request per route of the generated functions.metadata, and the host's own log must name the function that ran.
/// On the development host this checks the development host; with <c>SMARTTRIP_TEST_FUNCTIONS_HOST</c> it checks the
/// Functions host production runs, which is where the name-order rule lives.
/// </summary>
public sealed class RouteReachTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static readonly string[] Methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

    public static TheoryData<string> Functions() => [.. RouteOrderTests.FromFunctionsMetadata().Select(e => e.Name).Order()];

    [Theory]
    [MemberData(nameof(Functions))]
    public async Task A_request_for_each_route_runs_that_function(string function)
    {
        var (method, path) = await RequestReachingAsync(function);
        using var request = new HttpRequestMessage(new HttpMethod(method), "/api/" + path);
        request.Headers.Add(FunctionKeyPolicy.HeaderName, FunctionKeyPolicy.DefaultKey);
        if (method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        }

        var logged = api.HostLog.Length;
        using var response = await api.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        var line = $"Executing 'Functions.{function}'";
        var deadline = DateTime.UtcNow.AddSeconds(30); // wide: a loaded CI machine
        while (!api.HostLog[logged..].Contains(line, StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(api.HostLog[logged..].Contains(line, StringComparison.Ordinal),
            $"{method} /api/{path} answered {(int)response.StatusCode} {body}, and the host's log does not name {function}");
        var otherFunctions = Regex.Matches(api.HostLog[logged..], @"Executing 'Functions\.(\w+)'").Select(m => m.Groups[1].Value).Distinct();
        Assert.Equal([function], otherFunctions);
        if (method != "HEAD")
        {
            Assert.NotEqual("", body); // never the host's empty 404
        }
    }

    /// <summary>
    /// The request to send: a function's own method and path (ids as 1); for a fallback, the first method and path of
    /// the app that the host's rule sends to it.
    /// </summary>
    private static async Task<(string Method, string Path)> RequestReachingAsync(string function)
    {
        var entries = RouteOrderTests.FromFunctionsMetadata();
        var entry = entries.Single(e => e.Name == function);
        if (!entry.Template.StartsWith("{*", StringComparison.Ordinal))
        {
            return (entry.Methods[0], Regex.Replace(entry.Template, @"\{[^}]+\}", "1"));
        }

        var services = new ServiceCollection().AddLogging().AddRouting().BuildServiceProvider();
        var router = new FunctionRouter(services.GetRequiredService<IInlineConstraintResolver>(), "api", entries, _ => _ => Task.CompletedTask);
        var paths = entries.Where(e => !e.Template.StartsWith("{*", StringComparison.Ordinal))
            .Select(e => Regex.Replace(e.Template, @"\{[^}]+\}", "1"))
            .Prepend("no-such-route");
        foreach (var path in paths)
        {
            foreach (var method in Methods.Where(m => m != "HEAD"))
            {
                var context = new DefaultHttpContext { RequestServices = services };
                context.Request.Method = method;
                context.Request.Path = "/api/" + path;
                if ((await router.MatchAsync(context))?.Name == function)
                {
                    return (method, path);
                }
            }
        }

        throw new InvalidOperationException($"No request of the app reaches the fallback {function}.");
    }
}
