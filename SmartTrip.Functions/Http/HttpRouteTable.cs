using System.Reflection;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Azure.Functions.Worker;

namespace SmartTrip.Functions.Http;

/// <summary>One HTTP-triggered function as declared by its attributes.</summary>
public sealed record HttpFunctionRoute(
    string Name, MethodInfo Method, string Route, IReadOnlyList<string> HttpMethods, AuthorizationLevel AuthLevel)
{
    /// <summary>True for the catch-all that answers unknown routes and wrong methods.</summary>
    public bool IsFallback => Route.StartsWith("{*", StringComparison.Ordinal);
}

/// <summary>
/// The app's HTTP routes, read from the <c>[Function]</c>/<c>[HttpTrigger]</c> attributes of this assembly.
/// The route fallback uses it to tell "unknown route" (404) from "wrong method" (405, with <c>Allow</c>);
/// the development host maps its endpoints from it.
/// </summary>
public sealed class HttpRouteTable
{
    private readonly List<(HttpFunctionRoute Route, RoutePattern Pattern)> _patterns;

    public HttpRouteTable(IEnumerable<HttpFunctionRoute> routes)
    {
        Routes = routes.OrderBy(r => r.Route, StringComparer.Ordinal).ToList();
        _patterns = Routes.Where(r => !r.IsFallback).Select(r => (r, RoutePatternFactory.Parse(r.Route))).ToList();
    }

    public static HttpRouteTable ForAssembly(Assembly assembly) => new(Discover(assembly));

    public static HttpRouteTable Default { get; } = ForAssembly(typeof(HttpRouteTable).Assembly);

    public IReadOnlyList<HttpFunctionRoute> Routes { get; }

    public static IEnumerable<HttpFunctionRoute> Discover(Assembly assembly) =>
        from type in assembly.GetTypes()
        from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
        let function = method.GetCustomAttribute<FunctionAttribute>()
        where function is not null
        let trigger = method.GetParameters()
            .Select(p => p.GetCustomAttribute<HttpTriggerAttribute>())
            .FirstOrDefault(a => a is not null)
        where trigger is not null
        select new HttpFunctionRoute(
            function.Name,
            method,
            trigger.Route ?? function.Name,
            (trigger.Methods ?? []).Select(m => m.ToUpperInvariant()).ToList(),
            trigger.AuthLevel);

    /// <summary>The methods the routes matching <paramref name="path"/> (relative to the route prefix) accept.</summary>
    public IReadOnlyList<string> AllowedMethods(string path)
    {
        var segments = path.Trim('/').Split('/');
        return _patterns
            .Where(p => Matches(p.Pattern, segments))
            .SelectMany(p => p.Route.HttpMethods)
            .Distinct()
            .ToList();
    }

    private static bool Matches(RoutePattern pattern, string[] segments)
    {
        if (pattern.PathSegments.Count != segments.Length)
        {
            return false;
        }

        for (var i = 0; i < segments.Length; i++)
        {
            var segment = pattern.PathSegments[i];
            if (segment.Parts is [RoutePatternLiteralPart literal])
            {
                if (!string.Equals(literal.Content, segments[i], StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }
            }
            else if (segment.Parts is [RoutePatternParameterPart parameter])
            {
                var isInt = parameter.ParameterPolicies.Any(p => p.Content == "int");
                if (segments[i].Length == 0 || (isInt && !int.TryParse(segments[i], out _)))
                {
                    return false;
                }
            }
            else
            {
                return false;
            }
        }

        return true;
    }
}
