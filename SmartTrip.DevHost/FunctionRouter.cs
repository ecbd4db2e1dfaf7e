using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Constraints;

namespace SmartTrip.DevHost;

/// <summary>One HTTP function route as the Functions host registers it.</summary>
/// <param name="Name">The function's name.</param>
/// <param name="Template">The trigger's route, without the route prefix.</param>
/// <param name="Methods">The trigger's methods; empty means every method.</param>
public sealed record FunctionRouteEntry(string Name, string Template, IReadOnlyList<string> Methods);

/// <summary>
/// Matches requests to HTTP functions by the Functions host's rule, not by ASP.NET route precedence: one classic
/// <see cref="Route"/> per function (route prefix + template, inline constraints resolved by the same resolver, an
/// HTTP-method constraint when the trigger lists methods), tried in the order of the functions' names (ordinal, case
/// ignored), and the first route whose template, constraints and method match wins. A request no route matches is not
/// handled: the host then answers an empty 404. The integration tests and the route-order test rely on this being the
/// host's rule; run the suite against the real host (<c>SMARTTRIP_TEST_FUNCTIONS_HOST</c>) to see it still is.
/// </summary>
public sealed class FunctionRouter
{
    private readonly RouteCollection _routes = new();

    public FunctionRouter(
        IInlineConstraintResolver constraints, string routePrefix, IEnumerable<FunctionRouteEntry> functions,
        Func<FunctionRouteEntry, RequestDelegate> handler)
    {
        Entries = functions.OrderBy(f => f.Name, StringComparer.OrdinalIgnoreCase).ToList();
        foreach (var function in Entries)
        {
            var methodConstraint = new Dictionary<string, object>();
            if (function.Methods.Count > 0)
            {
                methodConstraint.Add("httpMethod", new HttpMethodRouteConstraint([.. function.Methods]));
            }

            var template = string.IsNullOrEmpty(routePrefix) ? function.Template : $"{routePrefix}/{function.Template}";
            var routeHandler = handler(function);
            _routes.Add(new Route(
                new RouteHandler(routeHandler), function.Name, template, new RouteValueDictionary(), methodConstraint,
                new RouteValueDictionary(), constraints));
        }
    }

    /// <summary>The functions in the order their routes are tried.</summary>
    public IReadOnlyList<FunctionRouteEntry> Entries { get; }

    public IRouter Router => _routes;

    /// <summary>The function a request reaches, or null when the host would answer its own empty 404.</summary>
    public async Task<FunctionRouteEntry?> MatchAsync(HttpContext context)
    {
        var routeContext = new RouteContext(context);
        await _routes.RouteAsync(routeContext);
        if (routeContext.Handler is null)
        {
            return null;
        }

        var name = routeContext.RouteData.Routers.OfType<Route>().Last().Name;
        return Entries.First(e => e.Name == name);
    }
}
