using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace SmartTrip.Core.Data;

/// <summary>Settings of the data lifecycle (<c>Lifecycle__*</c>, decision 0012).</summary>
public sealed class LifecycleOptions
{
    public const string Section = "Lifecycle";

    /// <summary>Monthly partitions of the two logs kept ready beyond the current month (0-24).</summary>
    public int MonthsAhead { get; set; } = 3;

    /// <summary>
    /// Days an event id stays claimed in <c>event_ids</c> (1-400): a client's retry of an event within this many days of
    /// its first receipt is stored once; a copy arriving later would be stored again.
    /// </summary>
    public int DedupeDays { get; set; } = 35;

    /// <summary>
    /// Days a dead letter is kept (1-3650), replayed or not: rows set aside longer ago are deleted by the maintenance run.
    /// The events-set-aside alert fires on the first ones, so operators have this long to look and replay.
    /// </summary>
    public int DeadLetterRetentionDays { get; set; } = 30;

    /// <summary>Months kept in PostgreSQL (1-120): a month partition is archived once its end is this many months ago.</summary>
    public int ArchiveAfterMonths { get; set; } = 13;

    /// <summary>The Blob container of the archive.</summary>
    public string ArchiveContainer { get; set; } = "archive";

    /// <summary>Rows per Parquet file of an archived month (a run stops between files when out of time).</summary>
    public int ArchiveRowsPerFile { get; set; } = 1_000_000;

    /// <summary>Rows per Parquet row group (what the archive holds in memory at once).</summary>
    public int ArchiveRowGroupSize { get; set; } = 100_000;

    /// <summary>Minutes an ArchivePartitions timer run may spend before it stops between files (the function timeout is 5).</summary>
    public double ArchiveRunMinutes { get; set; } = 4;

    /// <summary>Days a restored month stays in PostgreSQL before the archive drops it again.</summary>
    public int RestoreHoldDays { get; set; } = 30;
}

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
