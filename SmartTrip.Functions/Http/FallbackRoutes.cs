using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing.Patterns;

namespace SmartTrip.Functions.Http;

/// <summary>
/// Route templates of the three fallback functions that answer unknown routes (404) and wrong methods (405) in JSON.
/// The Functions host tries function routes in the order of the functions' names and the first route whose template
/// and method match wins, so a fallback must never match a request that a function serves. Each template is a
/// catch-all with a regular-expression constraint that keeps it off every function route:
/// <list type="bullet">
/// <item><see cref="Unknown"/>: any method, only paths no function route matches.</item>
/// <item><see cref="ReadOnlyPaths"/>: only the methods a GET-only path does not accept, only those paths.</item>
/// <item><see cref="WriteOnlyPaths"/>: only the methods a POST-only path does not accept, only those paths.</item>
/// </list>
/// Attribute arguments must be constants, so the templates are written out here; <see cref="Generate"/> builds them from
/// the route table and a test fails, printing the new text, whenever a function route is added or changed.
/// OPTIONS is left to CORS, which the platform (or Core Tools) applies before any function runs.
/// </summary>
public static class FallbackRoutes
{
    public const string Unknown =
        @"{*path:regex(^(?!(?:countries|countries/\s*(?:\+|-)?\d+\s*|evaluation/run|evaluation/scenarios|events|events/batch|events/types|experiments|experiments/\s*(?:\+|-)?\d+\s*/results|guides|guides/\s*(?:\+|-)?\d+\s*|health|locations|metrics|metrics/daily|metrics/engagement|metrics/top-searches|metrics/top-trips|openapi\.json|session/start|tags|trip-types|user/identify|v2/companies|v2/companies/\s*(?:\+|-)?\d+\s*|v2/occurrences|v2/occurrences/\s*(?:\+|-)?\d+\s*|v2/recommendations|v2/schema-info|v2/templates|v2/templates/\s*(?:\+|-)?\d+\s*|v2/trip-occurrences)$))}";

    public const string ReadOnlyPaths =
        @"{*path:regex(^(?:countries|countries/\s*(?:\+|-)?\d+\s*|evaluation/scenarios|events/types|experiments|experiments/\s*(?:\+|-)?\d+\s*/results|guides|guides/\s*(?:\+|-)?\d+\s*|health|locations|metrics|metrics/daily|metrics/engagement|metrics/top-searches|metrics/top-trips|openapi\.json|tags|trip-types|v2/companies|v2/companies/\s*(?:\+|-)?\d+\s*|v2/occurrences|v2/occurrences/\s*(?:\+|-)?\d+\s*|v2/schema-info|v2/templates|v2/templates/\s*(?:\+|-)?\d+\s*|v2/trip-occurrences)$)}";

    public const string WriteOnlyPaths =
        @"{*path:regex(^(?:evaluation/run|events|events/batch|session/start|user/identify|v2/recommendations)$)}";

    /// <summary>Every method a fallback may answer; OPTIONS belongs to CORS.</summary>
    public static readonly IReadOnlyList<string> AnsweredMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

    /// <summary>The three templates as they must read for the given function routes (fallbacks excluded).</summary>
    public static (string Unknown, string ReadOnlyPaths, string WriteOnlyPaths) Generate(IEnumerable<HttpFunctionRoute> routes)
    {
        var served = routes.Where(r => !r.IsFallback).ToList();
        foreach (var route in served.Where(r => !IsMethodSet(r, "GET") && !IsMethodSet(r, "POST")))
        {
            throw new InvalidOperationException(
                $"Function {route.Name} accepts {string.Join(",", route.HttpMethods)}: the fallbacks only know GET-only and POST-only paths; add a fallback for this method set.");
        }

        return (
            $"{{*path:regex(^(?!{Alternation(served)}$))}}",
            $"{{*path:regex(^{Alternation(served.Where(r => IsMethodSet(r, "GET")))}$)}}",
            $"{{*path:regex(^{Alternation(served.Where(r => IsMethodSet(r, "POST")))}$)}}");
    }

    private static bool IsMethodSet(HttpFunctionRoute route, string method) =>
        route.HttpMethods.Count == 1 && route.HttpMethods[0] == method;

    /// <summary>
    /// One non-capturing alternation of the routes' paths. A parameter becomes a pattern that accepts at least what its
    /// constraint accepts (an <c>int</c> segment: optional white space and sign around digits), so a fallback can only
    /// ever claim less than is left to it, never a request a function would serve.
    /// </summary>
    private static string Alternation(IEnumerable<HttpFunctionRoute> routes)
    {
        var paths = routes.Select(r => PathPattern(r.Route)).Distinct().Order(StringComparer.Ordinal).ToList();
        return $"(?:{string.Join("|", paths)})";
    }

    private static string PathPattern(string template)
    {
        var pattern = RoutePatternFactory.Parse(template);
        var text = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            if (text.Length > 0)
            {
                text.Append('/');
            }

            text.Append(segment.Parts switch
            {
                [RoutePatternLiteralPart literal] => Regex.Escape(literal.Content),
                [RoutePatternParameterPart { IsCatchAll: false } parameter] when parameter.ParameterPolicies.All(p => p.Content == "int")
                    && parameter.ParameterPolicies.Count == 1 => @"\s*(?:\+|-)?\d+\s*",
                _ => throw new InvalidOperationException(
                    $"Route '{template}': only literal segments and {{name:int}} parameters have a fallback pattern; extend FallbackRoutes."),
            });
        }

        return text.ToString();
    }
}
