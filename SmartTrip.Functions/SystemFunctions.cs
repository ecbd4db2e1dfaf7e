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
            report.Error);
        return report.Healthy
            ? ApiResults.Ok(body)
            : new ApiResult(503, body, ApiResults.RetryAfter(options.Value.RetryAfterSeconds));
    }

    /// <summary>
    /// Lowest-precedence catch-all under the route prefix: 405 with <c>Allow</c> when the path exists with
    /// other methods, otherwise 404. Both hosts rank literal routes above a catch-all.
    /// </summary>
    [Function(nameof(RouteFallback))]
    public IActionResult RouteFallback(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", "put", "patch", "delete", "head", Route = "{*path}")]
        HttpRequest req,
        string? path)
    {
        var allowed = HttpRouteTable.Default.AllowedMethods(path ?? string.Empty);
        return allowed.Count == 0
            ? ApiResults.NotFound(ApiResults.EndpointNotFound)
            : ApiResults.WithMethods(405, ApiResults.MethodNotAllowed, allowed.Append("OPTIONS"));
    }

    private sealed record HealthBody(
        [property: JsonPropertyName("status")] string Status,
        [property: JsonPropertyName("checks")] HealthChecks Checks,
        [property: JsonPropertyName("database")] CatalogCounts? Database,
        [property: JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error)
    {
        [JsonPropertyName("service")] public string Service => "SmartTrip API";
        [JsonPropertyName("version")] public string Version => "2.0.0";
        [JsonPropertyName("schema")] public string Schema => "V2 (Templates + Occurrences)";
    }

    private sealed record HealthChecks(
        [property: JsonPropertyName("database")] string Database,
        [property: JsonPropertyName("queue")] string Queue);
}
