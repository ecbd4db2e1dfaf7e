using Microsoft.Extensions.Logging;
using SmartTrip.Core.Catalog;
using SmartTrip.Core.Data;
using SmartTrip.Core.Hosting;
using SmartTrip.Core.Recommendations;
using SmartTrip.Core.Tracking;
using SmartTrip.Core.Wire;

namespace SmartTrip.Core.Health;

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

/// <summary>
/// Checks that PostgreSQL answers the catalogue counts and that the events queue can be read: as liveness for anyone
/// (<see cref="LivenessAsync"/>, reused for a few seconds), and with what waits for an operator for those with the
/// function key (<see cref="CheckAsync"/>).
/// </summary>
public sealed class HealthService(
    CatalogRepository catalog, IQueueClientFactory queues, DeadLetterService deadLetters, RecommendationRequestLog requestLog,
    CatalogSnapshotCache snapshots, PartitionMaintenance partitions, Microsoft.Extensions.Options.IOptions<ApiOptions> options,
    RecommendationOptions recommendation, TimeProvider clock, ILogger<HealthService> logger)
{
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile Liveness? _liveness;

    /// <summary>
    /// The database and queue checks alone, taken at most once every <see cref="ApiOptions.HealthCacheSeconds"/>: callers
    /// that arrive while one check runs wait for it rather than start their own, so anonymous health requests cannot
    /// multiply the app's database work.
    /// </summary>
    public async Task<HealthReport> LivenessAsync(CancellationToken ct)
    {
        var maxAge = TimeSpan.FromSeconds(options.Value.HealthCacheSeconds);
        if (Fresh(maxAge) is { } cached)
        {
            return cached;
        }

        await _refresh.WaitAsync(ct);
        try
        {
            if (Fresh(maxAge) is { } checkedMeanwhile)
            {
                return checkedMeanwhile;
            }

            var (counts, databaseError, queueOk) = await ReachAsync(ct);
            var report = new HealthReport(databaseError is null, queueOk, counts, databaseError ?? (queueOk ? null : ErrorMessages.QueueUnavailable));
            _liveness = new Liveness(report, clock.GetTimestamp());
            return report;
        }
        finally
        {
            _refresh.Release();
        }
    }

    private HealthReport? Fresh(TimeSpan maxAge) =>
        _liveness is { } last && clock.GetElapsedTime(last.At) < maxAge ? last.Report : null;

    /// <summary>A liveness answer and when it was taken; replaced whole, so a reader never sees half of one.</summary>
    private sealed record Liveness(HealthReport Report, long At);

    public async Task<HealthReport> CheckAsync(CancellationToken ct)
    {
        var (counts, databaseError, queueOk) = await ReachAsync(ct);

        // What waits for an operator is a warning, never an outage: it does not change the status.
        return await WithWarningsAsync(counts, databaseError, queueOk, ct);
    }

    private async Task<(CatalogCounts? Counts, string? DatabaseError, bool QueueOk)> ReachAsync(CancellationToken ct)
    {
        // A database or queue that hangs is reported unavailable after the check's timeout, not the driver's.
        var timeout = TimeSpan.FromMilliseconds(recommendation.DatabaseCheckMilliseconds);
        CatalogCounts? counts = null;
        string? databaseError = null;
        try
        {
            counts = await BoundedCheck.RunAsync(catalog.GetCountsAsync, timeout, ct);
        }
        catch (Exception ex) when (DatabaseErrors.IsDatabaseFailure(ex))
        {
            logger.LogWarning(ex, "Health check: database unavailable");
            databaseError = DatabaseErrors.IsUnavailable(ex) ? ErrorMessages.DatabaseUnavailable : ErrorMessages.DatabaseFailed;
        }

        var queueOk = false;
        try
        {
            await BoundedCheck.RunAsync(limit => queues.GetQueue(QueueNames.Events).GetPropertiesAsync(limit), timeout, ct);
            queueOk = true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Health check: queue {Queue} unavailable", QueueNames.Events);
        }

        return (counts, databaseError, queueOk);
    }

    private async Task<HealthReport> WithWarningsAsync(CatalogCounts? counts, string? databaseError, bool queueOk, CancellationToken ct)
    {
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
            databaseError is null, queueOk, counts, databaseError ?? (queueOk ? null : ErrorMessages.QueueUnavailable), waiting, requestLog.Backlog,
            inMemory, strays);
    }
}
