using System.Text.Json.Serialization;
using SmartTrip.Core.Catalog;

namespace SmartTrip.Core.Wire;

// The body of GET /api/health, healthy or not (api.md §3).

public sealed record HealthBody(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("checks")] HealthChecks Checks,
    [property: JsonPropertyName("database")] CatalogCounts? Database,
    [property: JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error,
    [property: JsonPropertyName("dead_letters"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DeadLetterBody? DeadLetters,
    [property: JsonPropertyName("request_log"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] RequestLogBody? RequestLog,
    [property: JsonPropertyName("catalog_in_memory"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] CatalogInMemoryBody? CatalogInMemory = null,
    [property: JsonPropertyName("default_partition_rows"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DefaultPartitionRowsBody? DefaultPartitionRows = null)
{
    [JsonPropertyName("service")] public string Service => "SmartTrip API";
    [JsonPropertyName("version")] public string Version => "2.0.0";
    [JsonPropertyName("schema")] public string Schema => "V2 (Templates + Occurrences)";
}

/// <summary>Events set aside: dead-lettered for their data, and messages on the poison queue (warnings).</summary>
public sealed record DeadLetterBody(
    [property: JsonPropertyName("events")] long Events,
    [property: JsonPropertyName("poison_messages")] long PoisonMessages);

/// <summary>Request-log rows waiting for the database, and rows dropped because the buffer was full.</summary>
public sealed record RequestLogBody(
    [property: JsonPropertyName("buffered")] int Buffered,
    [property: JsonPropertyName("dropped")] long Dropped);

public sealed record HealthChecks(
    [property: JsonPropertyName("database")] string Database,
    [property: JsonPropertyName("queue")] string Queue);

/// <summary>
/// Rows in the logs' default partitions (a warning: a month partition was missing when they came; decision 0012).
/// </summary>
public sealed record DefaultPartitionRowsBody(
    [property: JsonPropertyName("events")] long Events,
    [property: JsonPropertyName("recommendation_requests")] long RecommendationRequests);

/// <summary>The recommendations' catalogue in memory (absent before the first search).</summary>
public sealed record CatalogInMemoryBody(
    [property: JsonPropertyName("version")] long Version,
    [property: JsonPropertyName("recommendable")] int Recommendable,
    [property: JsonPropertyName("held_in_full")] int HeldInFull);
