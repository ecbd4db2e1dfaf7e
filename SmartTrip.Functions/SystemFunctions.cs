using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using SmartTrip.Core.Health;
using SmartTrip.Core.Hosting;
using SmartTrip.Core.Wire;
using SmartTrip.Functions.Http;

namespace SmartTrip.Functions;

/// <summary>Health and the JSON answers for unknown routes and wrong methods.</summary>
public sealed class SystemFunctions(HealthService health, IOptions<ApiOptions> options)
{
    /// <summary>
    /// Liveness for anyone (load balancers, uptime checks, the frontend): the database and queue checks with the catalogue
    /// counts, reused for <c>HealthCacheSeconds</c>. What waits for an operator is behind the function key.
    /// </summary>
    [ApiSummary("Whether the database and the queue answer")]
    [ApiResponse(200, typeof(HealthBody), "Healthy")]
    [ApiResponse(503, typeof(HealthBody), "Unhealthy: the same body, and Retry-After")]
    [Function(nameof(Health))]
    public async Task<IActionResult> Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest req, CancellationToken ct) =>
        Answer(await health.LivenessAsync(ct));

    [ApiSummary("Health of the database and the queue, with what waits for an operator")]
    [ApiResponse(200, typeof(HealthBody), "Healthy")]
    [ApiResponse(503, typeof(HealthBody), "Unhealthy: the same body, and Retry-After")]
    [Function(nameof(HealthDetails))]
    public async Task<IActionResult> HealthDetails(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "health/details")] HttpRequest req, CancellationToken ct) =>
        Answer(await health.CheckAsync(ct));

    private ApiResult Answer(HealthReport report)
    {
        var body = new HealthBody(
            report.Healthy ? "healthy" : "unhealthy",
            new HealthChecks(report.DatabaseOk ? "ok" : "unavailable", report.QueueOk ? "ok" : "unavailable"),
            report.Counts,
            report.Error,
            report.DeadLetters is { } waiting ? new DeadLetterBody(waiting.Table, waiting.Poison) : null,
            report.RequestLog is { } backlog ? new RequestLogBody(backlog.Buffered, backlog.Dropped) : null,
            report.CatalogInMemory is { } held ? new CatalogInMemoryBody(held.Version, held.Recommendable, held.HeldInFull) : null,
            report.DefaultPartitionRows is { } strays ? new DefaultPartitionRowsBody(strays.Events, strays.RecommendationRequests) : null);
        return report.Healthy
            ? Respond.Ok(body)
            : new ApiResult(503, body, Respond.RetryAfter(options.Value.RetryAfterSeconds));
    }

    /// <summary>The API's OpenAPI 3.1 document (built from the route table and the wire types), for clients and tools.</summary>
    [ApiSummary("This API's OpenAPI 3.1 document")]
    [ApiResponse(200, typeof(System.Text.Json.Nodes.JsonObject), "The document")]
    [Function(nameof(GetOpenApiDocument))]
    public IActionResult GetOpenApiDocument(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequest req) =>
        new ApiResult(200, OpenApiDocumentBuilder.Document);

    /// <summary>Paths no function serves, by any method: 404 <c>Endpoint not found</c>.</summary>
    [Function(nameof(UnknownRoute))]
    public IActionResult UnknownRoute(
        [HttpTrigger(AuthorizationLevel.Anonymous, Route = FallbackRoutes.Unknown)] HttpRequest req, string? path) => Fallback(path);

    /// <summary>
    /// Paths a function serves, by a method it does not take (any method, <c>FOO</c> included): 405 <c>Method not
    /// allowed</c> with <c>Allow</c>. Named to sort after every function, so that the host tries it last.
    /// </summary>
    [Function(FallbackRoutes.WrongMethodFunction)]
    public IActionResult WrongMethod(
        [HttpTrigger(AuthorizationLevel.Anonymous, Route = FallbackRoutes.Served)] HttpRequest req, string? path) => Fallback(path);

    /// <summary>
    /// The answer of every fallback, from the route table itself: 405 with <c>Allow</c> when a function serves the path
    /// with other methods, else 404. The fallbacks' templates only decide which requests reach here (see
    /// <see cref="FallbackRoutes"/>), never the answer.
    /// </summary>
    private static ApiResult Fallback(string? path)
    {
        var allowed = HttpRouteTable.Default.AllowedMethods(path ?? string.Empty);
        return allowed.Count == 0
            ? Respond.NotFound(ErrorMessages.EndpointNotFound)
            : Respond.WithMethods(405, ErrorMessages.MethodNotAllowed, allowed.Append("OPTIONS"));
    }
}
