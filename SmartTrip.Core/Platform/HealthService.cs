using Microsoft.Extensions.Logging;
using SmartTrip.Core.Catalog;
using SmartTrip.Core.Data;
using SmartTrip.Core.Recommendations;
using SmartTrip.Core.Tracking;

namespace SmartTrip.Core.Platform;

/// <summary>The state <c>GET /api/health</c> reports.</summary>
public sealed record HealthReport(
    bool DatabaseOk, bool QueueOk, CatalogCounts? Counts, string? Error, DeadLetterCounts? DeadLetters = null, RequestLogBacklog? RequestLog = null,
    CatalogInMemory? CatalogInMemory = null, DefaultPartitionRows? DefaultPartitionRows = null)
{
    public bool Healthy => DatabaseOk && QueueOk;
}

/// <summary>
/// The catalogue the recommendations read: its version, how many occurrences can be recommended, and how many of them
/// are held in full (when all are, searches are answered while the database is away).
/// </summary>
public sealed record CatalogInMemory(long Version, int Recommendable, int HeldInFull);

/// <summary>Checks that PostgreSQL answers the catalogue counts and that the events queue can be read.</summary>
public sealed class HealthService(
    CatalogRepository catalog, IQueueClientFactory queues, DeadLetterService deadLetters, RecommendationRequestLog requestLog,
    CatalogSnapshotCache snapshots, PartitionMaintenance partitions, ILogger<HealthService> logger)
{
    public const string QueueUnavailableMessage = "Event queue unavailable. Please try again later.";

    public async Task<HealthReport> CheckAsync(CancellationToken ct)
    {
        CatalogCounts? counts = null;
        string? databaseError = null;
        try
        {
            counts = await catalog.GetCountsAsync(ct);
        }
        catch (Exception ex) when (DatabaseErrors.IsDatabaseFailure(ex))
        {
            logger.LogWarning(ex, "Health check: database unavailable");
            databaseError = DatabaseErrors.IsUnavailable(ex) ? DatabaseErrors.UnavailableMessage : DatabaseErrors.FailedMessage;
        }

        var queueOk = false;
        try
        {
            await queues.GetQueue(QueueNames.Events).GetPropertiesAsync(ct);
            queueOk = true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Health check: queue {Queue} unavailable", QueueNames.Events);
        }

        // What waits for an operator is a warning, never an outage: it does not change the status.
        DeadLetterCounts? waiting = null;
        if (databaseError is null && queueOk)
        {
            try
            {
                waiting = await deadLetters.CountAsync(ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Health check: dead letters could not be counted");
            }
        }

        // Rows no month partition took (a month was missing when they came): a warning too.
        DefaultPartitionRows? strays = null;
        if (databaseError is null)
        {
            try
            {
                strays = await partitions.DefaultRowsAsync(ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Health check: the default partitions could not be counted");
            }
        }

        var inMemory = snapshots.Current is { } snapshot
            ? new CatalogInMemory(snapshot.Data.Version, snapshot.Data.Candidates.Count, snapshot.HydratedCount)
            : null;
        return new HealthReport(
            databaseError is null, queueOk, counts, databaseError ?? (queueOk ? null : QueueUnavailableMessage), waiting, requestLog.Backlog,
            inMemory, strays);
    }
}
