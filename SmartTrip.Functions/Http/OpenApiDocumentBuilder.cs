using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Microsoft.Azure.Functions.Worker;
using SmartTrip.Core.Catalog;
using SmartTrip.Core.Json;
using SmartTrip.Core.Recommendations;

namespace SmartTrip.Functions.Http;

/// <summary>
/// The API's OpenAPI 3.1 document, built from the route table (paths, methods, auth levels) and the functions'
/// <see cref="ApiResponseAttribute"/>s; the schemas come from the wire types themselves (System.Text.Json's schema
/// exporter, with the serializer options the API writes with), so the document cannot drift from what is sent.
/// </summary>
public static partial class OpenApiDocumentBuilder
{
    public const string Version = "2.0.0";

    private static readonly Lazy<JsonElement> Cached = new(() => JsonSerializer.SerializeToElement(Build(HttpRouteTable.Default)));

    /// <summary>The document of this app, built once.</summary>
    public static JsonElement Document => Cached.Value;

    public static string Json => Document.GetRawText();

    public static JsonObject Build(HttpRouteTable table)
    {
        var requests = table.Routes.Select(r => r.Method.GetCustomAttribute<ApiRequestBodyAttribute>()?.Body).OfType<Type>().ToList();
        var schemas = new SchemaSet(requests.Concat(requests.SelectMany(RequestPropertyTypes)).ToHashSet());
        var paths = new JsonObject();
        foreach (var group in table.Routes.Where(r => !r.IsFallback).GroupBy(r => OpenApiPath(r.Route)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var item = new JsonObject();
            foreach (var route in group)
            {
                foreach (var method in route.HttpMethods)
                {
                    item[method.ToLowerInvariant()] = Operation(route, method, route.HttpMethods.Count > 1, schemas);
                }
            }

            paths[group.Key] = item;
        }

        return new JsonObject
        {
            ["openapi"] = "3.1.0",
            ["info"] = new JsonObject
            {
                ["title"] = "SmartTrip API",
                ["version"] = Version,
                ["description"] = "Trip recommendations, the catalogue, event tracking and metrics of SmartTrip (shared/spec/api.md).",
            },
            // Relative: the document describes whichever host serves it (Front Door in Azure, the development host locally).
            ["servers"] = new JsonArray(new JsonObject { ["url"] = "/" }),
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["schemas"] = schemas.Components(),
                ["securitySchemes"] = new JsonObject
                {
                    ["functionKeyHeader"] = new JsonObject { ["type"] = "apiKey", ["in"] = "header", ["name"] = "x-functions-key" },
                    ["functionKeyQuery"] = new JsonObject { ["type"] = "apiKey", ["in"] = "query", ["name"] = "code" },
                    ["bearer"] = new JsonObject { ["type"] = "http", ["scheme"] = "bearer", ["bearerFormat"] = "JWT" },
                },
            },
        };
    }

    /// <summary>The OpenAPI path of a route template: <c>/api/</c> and the template without its constraints.</summary>
    public static string OpenApiPath(string route) => "/api/" + Constraint().Replace(route, "{$1}");

    private static JsonObject Operation(HttpFunctionRoute route, string method, bool severalMethods, SchemaSet schemas)
    {
        var function = route.Method;
        var operation = new JsonObject
        {
            ["operationId"] = severalMethods ? route.Name + char.ToUpperInvariant(method[0]) + method[1..].ToLowerInvariant() : route.Name,
            ["summary"] = function.GetCustomAttribute<ApiSummaryAttribute>()?.Summary ?? route.Name,
            ["tags"] = new JsonArray(Tag(route.Route)),
        };

        var parameters = new JsonArray();
        foreach (Match parameter in PathParameter().Matches(route.Route))
        {
            parameters.Add(new JsonObject
            {
                ["name"] = parameter.Groups[1].Value, ["in"] = "path", ["required"] = true,
                ["schema"] = new JsonObject { ["type"] = "integer", ["format"] = "int32" },
            });
        }

        foreach (var query in function.GetCustomAttributes<ApiQueryAttribute>())
        {
            parameters.Add(new JsonObject
            {
                ["name"] = query.Name, ["in"] = "query", ["required"] = false, ["description"] = query.Description,
                ["schema"] = QuerySchema(query),
            });
        }

        if (parameters.Count > 0)
        {
            operation["parameters"] = parameters;
        }

        if (function.GetCustomAttribute<ApiRequestBodyAttribute>() is { } request)
        {
            operation["requestBody"] = new JsonObject
            {
                ["description"] = request.Description,
                ["required"] = false,
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = schemas.Reference(request.Body) } },
            };
        }

        var responses = new JsonObject();
        var declared = function.GetCustomAttributes<ApiResponseAttribute>().ToList();
        if (declared.Count == 0)
        {
            throw new InvalidOperationException($"{route.Name} declares no [ApiResponse].");
        }

        foreach (var response in declared.OrderBy(r => r.Status))
        {
            responses[response.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = Response(response.Description, response.Body, schemas);
        }

        void Default(int status, string description, Type? body)
        {
            responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] ??= Response(description, body, schemas);
        }

        if (route.AuthLevel != AuthorizationLevel.Anonymous)
        {
            operation["security"] = new JsonArray(
                new JsonObject { ["functionKeyHeader"] = new JsonArray() }, new JsonObject { ["functionKeyQuery"] = new JsonArray() });
            Default(401, "The function key is missing or wrong (the platform answers, with an empty body).", null);
        }

        // The error path's own answers, in the shape the function declares (ApiErrors).
        var errors = ApiErrors.BodyType(ApiErrors.ShapeOf(function));
        if (operation["requestBody"] is not null)
        {
            Default(413, "A body over 1 MB.", errors);
        }

        Default(500, "A defect; the body carries an error_id that the log carries too.", errors);
        Default(503, "The database or the queue is unavailable; Retry-After says when to try again.", errors);
        operation["responses"] = responses;
        return operation;
    }

    /// <summary>The schema of a query parameter, from its declared shape.</summary>
    public static JsonObject QuerySchema(ApiQueryAttribute query)
    {
        var schema = query.Shape switch
        {
            QueryShape.Integer or QueryShape.Clamped => new JsonObject { ["type"] = "integer", ["format"] = "int32" },
            QueryShape.Count => new JsonObject { ["type"] = "integer", ["format"] = "int32", ["minimum"] = 0 },
            QueryShape.Number => new JsonObject { ["type"] = "number" },
            QueryShape.Date or QueryShape.Day => new JsonObject { ["type"] = "string", ["format"] = "date" },
            QueryShape.Flag => new JsonObject { ["type"] = "boolean" },
            QueryShape.Choice => new JsonObject { ["type"] = "string", ["enum"] = new JsonArray(query.Values.Select(v => (JsonNode)v).ToArray()) },
            _ => new JsonObject { ["type"] = "string" },
        };
        if (query.Shape == QueryShape.Clamped)
        {
            schema["minimum"] = query.Minimum;
            schema["maximum"] = query.Maximum;
        }

        if (query.Default is { } value)
        {
            schema["default"] = JsonSerializer.SerializeToNode(value, value.GetType());
        }

        return schema;
    }

    private static JsonObject Response(string description, Type? body, SchemaSet schemas)
    {
        var response = new JsonObject { ["description"] = description };
        if (body is not null)
        {
            response["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = schemas.Reference(body) } };
        }

        return response;
    }

    /// <summary>The element types of a request body's list properties (the events of a batch).</summary>
    private static IEnumerable<Type> RequestPropertyTypes(Type body) =>
        body.GetProperties().Select(p => p.PropertyType)
            .Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
            .Select(t => t.GetGenericArguments()[0]);

    private static string Tag(string route) => route.Split('/')[0] switch
    {
        "v2" => route.StartsWith("v2/recommendations", StringComparison.Ordinal) ? "recommendations" : "catalogue",
        "countries" or "guides" or "locations" or "tags" or "trip-types" => "catalogue",
        "session" or "events" or "user" => "tracking",
        "metrics" or "evaluation" or "experiments" => "analytics",
        _ => "system",
    };

    [GeneratedRegex(@"\{(\w+):[^}]+\}")]
    private static partial Regex Constraint();

    [GeneratedRegex(@"\{(\w+)(?::[^}]+)?\}")]
    private static partial Regex PathParameter();

    /// <summary>
    /// The component schemas: every class of the app's wire types gets one, named after the type (generic envelopes
    /// after their argument: <c>CountryList</c>, <c>OccurrencePage</c>, <c>TopTripsItem</c>), and is referenced where used.
    /// </summary>
    private sealed class SchemaSet(IReadOnlySet<Type> requestTypes)
    {
        private readonly SortedDictionary<string, JsonNode> _components = new(StringComparer.Ordinal);
        private readonly Dictionary<Type, string> _names = [];
        private readonly Queue<Type> _pending = new();

        public JsonObject Components()
        {
            while (_pending.TryDequeue(out var type))
            {
                _components[_names[type]] = Export(type, root: type);
            }

            var result = new JsonObject();
            foreach (var (name, schema) in _components)
            {
                result[name] = schema;
            }

            return result;
        }

        public JsonNode Reference(Type type) => IsNamed(type) ? Ref(type) : Export(type, root: null);

        private JsonNode Export(Type type, Type? root)
        {
            if (type == typeof(RecommendedOccurrence) && root == type)
            {
                // Its converter writes the occurrence object and then the match (api.md §2.7).
                var item = Export(typeof(Occurrence), typeof(Occurrence)).AsObject();
                item["properties"]!["match_score"] = new JsonObject { ["type"] = "integer" };
                item["properties"]!["match_details"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } };
                item["properties"]!["is_relaxed"] = new JsonObject { ["type"] = "boolean" };
                foreach (var key in new[] { "match_score", "match_details", "is_relaxed" })
                {
                    item["required"]!.AsArray().Add(key);
                }

                return item;
            }

            var options = new JsonSchemaExporterOptions
            {
                TreatNullObliviousAsNonNullable = true,
                TransformSchemaNode = (context, node) =>
                {
                    if (context.TypeInfo.Type == typeof(DateTime) || context.TypeInfo.Type == typeof(DateTime?))
                    {
                        // UtcTimestampConverter: 2026-11-25T10:00:00Z
                        var nullableTime = context.TypeInfo.Type == typeof(DateTime?) || (context.PropertyInfo?.IsGetNullable ?? false);
                        return new JsonObject
                        {
                            ["type"] = nullableTime ? new JsonArray("string", "null") : "string",
                            ["format"] = "date-time",
                        };
                    }

                    if (context.TypeInfo.Type == typeof(JsonElement) || context.TypeInfo.Type == typeof(JsonElement?))
                    {
                        // JSON kept as sent: a search's year and month (a number or its digits), otherwise an object
                        // (an event's metadata, a catalogue row's JSONB properties).
                        return context.PropertyInfo?.Name is "year" or "month"
                            ? new JsonObject { ["type"] = new JsonArray("integer", "string", "null") }
                            : new JsonObject { ["type"] = new JsonArray("object", "null") };
                    }

                    if (node is JsonValue { } boolean && boolean.GetValueKind() == JsonValueKind.True)
                    {
                        node = new JsonObject(); // any value (a type with its own converter); OpenAPI tools read objects better than `true`
                    }

                    if (context.TypeInfo.Kind == JsonTypeInfoKind.Enumerable && node is JsonObject list && list["items"] is null
                        && context.TypeInfo.ElementType is { } element)
                    {
                        // The exporter leaves out the items of a list whose element has its own converter.
                        list["items"] = IsNamed(element) ? Ref(element) : Export(element, root: null);
                    }

                    var current = context.TypeInfo.Type;
                    if (context.PropertyInfo is null && context.TypeInfo.Kind == JsonTypeInfoKind.Object && node is JsonObject shape
                        && !requestTypes.Contains(current))
                    {
                        Strict(context.TypeInfo, shape);
                    }

                    if (context.Path.IsEmpty && current == root)
                    {
                        return node;
                    }

                    if (!IsNamed(current))
                    {
                        return node;
                    }

                    var nullable = node is JsonObject o && o["type"] is JsonArray types && types.Any(t => t?.GetValue<string>() == "null");
                    return nullable ? new JsonObject { ["anyOf"] = new JsonArray(Ref(current), new JsonObject { ["type"] = "null" }) } : Ref(current);
                },
            };
            return SmartTripJson.Options.GetJsonSchemaAsNode(type, options);
        }

        /// <summary>
        /// A response object as the API writes it: every key is present unless its property is left out when null or
        /// default, and there are no other keys.
        /// </summary>
        private static void Strict(JsonTypeInfo info, JsonObject schema)
        {
            var required = info.Properties
                .Where(p => p.Get is not null && p.AttributeProvider?.GetCustomAttributes(typeof(JsonIgnoreAttribute), true)
                    .OfType<JsonIgnoreAttribute>().Any(a => a.Condition != JsonIgnoreCondition.Never) != true)
                .Select(p => (JsonNode)p.Name)
                .ToArray();
            schema["required"] = new JsonArray(required);
            schema["additionalProperties"] = false;
        }

        private JsonObject Ref(Type type)
        {
            if (!_names.TryGetValue(type, out var name))
            {
                name = NameOf(type);
                if (_names.ContainsValue(name))
                {
                    throw new InvalidOperationException($"Two wire types are both named {name} in the OpenAPI document.");
                }

                _names[type] = name;
                _pending.Enqueue(type);
            }

            return new JsonObject { ["$ref"] = "#/components/schemas/" + name };
        }

        private static bool IsNamed(Type type) =>
            type.IsClass && type != typeof(string) && type.Namespace?.StartsWith("SmartTrip", StringComparison.Ordinal) == true;

        private static string NameOf(Type type)
        {
            if (!type.IsGenericType)
            {
                return type.Name;
            }

            var generic = type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)].Replace("Body", "", StringComparison.Ordinal);
            return string.Concat(type.GetGenericArguments().Select(NameOf)) + generic;
        }
    }
}
