using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing.Patterns;

namespace SmartTrip.Functions.Http;

/// <summary>
/// Route templates of the two fallback functions that answer unknown routes (404) and other methods (405) in JSON. The
/// Functions host tries function routes in the order of the functions' names and the first route whose template and
/// method match wins. Each template is a catch-all with a regular-expression constraint:
/// <list type="bullet">
/// <item><see cref="Unknown"/>: any method, only paths no function route matches; it can never take a function's request.</item>
/// <item><see cref="Served"/>: any method (so <c>FOO /api/health</c> gets its 405 too), only paths a function serves. It
/// overlaps every function, so its function's name, <see cref="WrongMethodFunction"/>, must sort after every function's
/// name; <c>RouteOrderTests</c> fails when one does not.</item>
/// </list>
/// Attribute arguments must be constants, so the templates are written out here; <see cref="Generate"/> builds them from
/// the route table and a test fails, printing the new text, whenever a function route is added or changed.
/// </summary>
public static class FallbackRoutes
{
    /// <summary>The name of the function behind <see cref="Served"/>: it must sort after every other function's name.</summary>
    public const string WrongMethodFunction = "WrongMethod";

    public const string Unknown =
        @"{*path:regex(^(?!(?:countries|countries/[^/]+|evaluation/run|evaluation/scenarios|events|events/batch|events/types|experiments|experiments/[^/]+/preview|experiments/[^/]+/results|guides|guides/[^/]+|health|health/details|locations|metrics|metrics/daily|metrics/engagement|metrics/top-searches|metrics/top-trips|openapi\.json|session/start|tags|trip-types|user/identify|v2/companies|v2/companies/[^/]+|v2/occurrences|v2/occurrences/[^/]+|v2/recommendations|v2/schema-info|v2/templates|v2/templates/[^/]+|v2/trip-occurrences)$))}";

    public const string Served =
        @"{*path:regex(^(?:countries|countries/[^/]+|evaluation/run|evaluation/scenarios|events|events/batch|events/types|experiments|experiments/[^/]+/preview|experiments/[^/]+/results|guides|guides/[^/]+|health|health/details|locations|metrics|metrics/daily|metrics/engagement|metrics/top-searches|metrics/top-trips|openapi\.json|session/start|tags|trip-types|user/identify|v2/companies|v2/companies/[^/]+|v2/occurrences|v2/occurrences/[^/]+|v2/recommendations|v2/schema-info|v2/templates|v2/templates/[^/]+|v2/trip-occurrences)$)}";

    /// <summary>The two templates as they must read for the given function routes (fallbacks excluded).</summary>
    public static (string Unknown, string Served) Generate(IEnumerable<HttpFunctionRoute> routes)
    {
        var served = Alternation(routes.Where(r => !r.IsFallback));
        return ($"{{*path:regex(^(?!{served}$))}}", $"{{*path:regex(^{served}$)}}");
    }

    /// <summary>One non-capturing alternation of the routes' paths; a parameter segment is any one segment.</summary>
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
                [RoutePatternParameterPart { IsCatchAll: false, ParameterPolicies.Count: 0 }] => "[^/]+",
                _ => throw new InvalidOperationException(
                    $"Route '{template}': only literal segments and plain {{name}} parameters have a fallback pattern (a constraint such as :int would leave the requests it refuses to the host's empty 404; parse the value in the function)."),
            });
        }

        return text.ToString();
    }
}
