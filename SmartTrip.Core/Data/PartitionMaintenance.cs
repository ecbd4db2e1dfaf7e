using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace SmartTrip.Core.Data;

/// <summary>What one maintenance run did.</summary>
public sealed record PartitionMaintenanceResult(int PartitionsCreated, long EventIdsPruned, long DeadLettersDeleted = 0);

/// <summary>Rows that fell into a default partition: no month partition took them (a warning for operators).</summary>
public sealed record DefaultPartitionRows(long Events, long RecommendationRequests)
{
    public bool Any => Events + RecommendationRequests > 0;
}

/// <summary>
/// Keeps the logs' month partitions ahead of time (through the migration's SECURITY DEFINER function, so the app's
/// data-only login can), forgets event ids older than the dedupe window, a batch at a time, and deletes dead letters past
/// their retention.
/// </summary>
public sealed class PartitionMaintenance(NpgsqlDataSource dataSource, IOptions<LifecycleOptions> options, TimeProvider clock)
{
    private const int PruneBatch = 10_000;

    public async Task<PartitionMaintenanceResult> RunAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var created = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT smarttrip_ensure_partitions(@monthsAhead)", new { options.Value.MonthsAhead }, cancellationToken: ct));
        var cutoff = clock.GetUtcNow().AddDays(-options.Value.DedupeDays);
        long pruned = 0;
        int batch;
        do
        {
            batch = await connection.ExecuteAsync(new CommandDefinition(
                """
                DELETE FROM event_ids WHERE ctid = ANY (ARRAY(
                    SELECT ctid FROM event_ids WHERE received_at < @cutoff LIMIT @limit))
                """, new { cutoff, limit = PruneBatch }, cancellationToken: ct));
            pruned += batch;
        }
        while (batch == PruneBatch);

        var deadLetters = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM event_dead_letters WHERE dead_lettered_at < @before",
            new { before = clock.GetUtcNow().AddDays(-options.Value.DeadLetterRetentionDays) }, cancellationToken: ct));
        return new PartitionMaintenanceResult(created, pruned, deadLetters);
    }

    /// <summary>Rows in the default partitions (normally none).</summary>
    public async Task<DefaultPartitionRows> DefaultRowsAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleAsync<DefaultPartitionRows>(new CommandDefinition(
            "SELECT (SELECT count(*) FROM events_default) AS events, (SELECT count(*) FROM recommendation_requests_default) AS recommendationrequests",
            cancellationToken: ct));
    }
}
