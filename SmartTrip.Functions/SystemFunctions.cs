using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using SmartTrip.Core.Catalog;
using SmartTrip.Core.Platform;
using SmartTrip.Functions.Http;

namespace SmartTrip.Functions;

/// <summary>Health and the JSON answers for unknown routes and wrong methods.</summary>
public sealed class SystemFunctions(HealthService health, IOptions<ApiOptions> options)
{
    [Function(nameof(Health))]
    public async Task<IActionResult> Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest req, CancellationToken ct)
    {
        var report = await health.CheckAsync(ct);
        var body = new HealthBody(
            report.Healthy ? "healthy" : "unhealthy",
            new HealthChecks(report.DatabaseOk ? "ok" : "unavailable", report.QueueOk ? "ok" : "unavailable"),
            report.Counts,
            report.Error,
            report.DeadLetters is { } waiting ? new DeadLetterBody(waiting.Table, waiting.Poison) : null,
            report.RequestLog is { } backlog ? new RequestLogBody(backlog.Buffered, backlog.Dropped) : null);
        return report.Healthy
            ? Respond.Ok(body)
            : new ApiResult(503, body, Respond.RetryAfter(options.Value.RetryAfterSeconds));
    }

    /// <summary>Paths no function serves, by any method: 404 <c>Endpoint not found</c>.</summary>
    [Function(nameof(UnknownRoute))]
    public IActionResult UnknownRoute(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", "post", "put", "patch", "delete", Route = FallbackRoutes.Unknown)]
        HttpRequest req,
        string? path) => Fallback(path);

    /// <summary>Paths only GET serves, by any other method: 405 <c>Method not allowed</c> with <c>Allow</c>.</summary>
    [Function(nameof(WrongMethodOnReadOnlyPath))]
    public IActionResult WrongMethodOnReadOnlyPath(
        [HttpTrigger(AuthorizationLevel.Anonymous, "head", "post", "put", "patch", "delete", Route = FallbackRoutes.ReadOnlyPaths)]
        HttpRequest req,
        string? path) => Fallback(path);

    /// <summary>Paths only POST serves, by any other method: 405 <c>Method not allowed</c> with <c>Allow</c>.</summary>
    [Function(nameof(WrongMethodOnWriteOnlyPath))]
    public IActionResult WrongMethodOnWriteOnlyPath(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", "put", "patch", "delete", Route = FallbackRoutes.WriteOnlyPaths)]
        HttpRequest req,
        string? path) => Fallback(path);

    /// <summary>
    /// The answer of every fallback, from the route table itself: 405 with <c>Allow</c> when a function serves the path
    /// with other methods, else 404. The fallbacks' templates only decide which requests reach here (see
    /// <see cref="FallbackRoutes"/>), never the answer.
    /// </summary>
    private static ApiResult Fallback(string? path)
    {
        var allowed = HttpRouteTable.Default.AllowedMethods(path ?? string.Empty);
        return allowed.Count == 0
            ? Respond.NotFound(Respond.EndpointNotFound)
            : Respond.WithMethods(405, Respond.MethodNotAllowed, allowed.Append("OPTIONS"));
    }

    private sealed record HealthBody(
        [property: JsonPropertyName("status")] string Status,
        [property: JsonPropertyName("checks")] HealthChecks Checks,
        [property: JsonPropertyName("database")] CatalogCounts? Database,
        [property: JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error,
        [property: JsonPropertyName("dead_letters"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DeadLetterBody? DeadLetters,
        [property: JsonPropertyName("request_log"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] RequestLogBody? RequestLog)
    {
        [JsonPropertyName("service")] public string Service => "SmartTrip API";
        [JsonPropertyName("version")] public string Version => "2.0.0";
        [JsonPropertyName("schema")] public string Schema => "V2 (Templates + Occurrences)";
    }

    /// <summary>Events set aside: dead-lettered for their data, and messages on the poison queue (warnings).</summary>
    private sealed record DeadLetterBody(
        [property: JsonPropertyName("events")] long Events,
        [property: JsonPropertyName("poison_messages")] long PoisonMessages);

    /// <summary>Request-log rows waiting for the database, and rows dropped because the buffer was full.</summary>
    private sealed record RequestLogBody(
        [property: JsonPropertyName("buffered")] int Buffered,
        [property: JsonPropertyName("dropped")] long Dropped);

    private sealed record HealthChecks(
        [property: JsonPropertyName("database")] string Database,
        [property: JsonPropertyName("queue")] string Queue);
}
