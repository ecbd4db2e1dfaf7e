using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace SmartTrip.Core.Data.Archive;

/// <summary>A step of the archive, as it happens (for the command line's progress and for tests that stop it there).</summary>
public enum ArchiveStep
{
    PartUploaded,
    ManifestWritten,
    PartitionDropped,
    PartRestored,
}

public sealed record ArchiveProgress(ArchiveStep Step, string Table, DateOnly Month, string? Part, long Rows);

/// <summary>What one archive run did.</summary>
public sealed record ArchiveRunResult(int MonthsArchived, int MonthsUnfinished, int MonthsHeld, long RowsArchived, long BytesWritten, bool Locked);

/// <summary>A month of a log: in PostgreSQL (with its estimated rows), in the archive, or both (after a restore).</summary>
public sealed record ArchiveListing(string Table, DateOnly Month, bool Hot, long HotRowsEstimate, ArchiveManifest? Archive);

/// <summary>
/// Moves the logs' month partitions older than <c>Lifecycle__ArchiveAfterMonths</c> to Blob Storage as Parquet and
/// brings them back (decision 0013). A month goes in three steps, each of which a crash may interrupt without loss:
/// its rows in id order into files of <c>Lifecycle__ArchiveRowsPerFile</c>, each uploaded and read back (a run out of
/// time stops between files and the next run goes on after the last one); then the manifest; then the partition is
/// dropped by <c>smarttrip_drop_month_partition</c>, which checks under lock that it holds exactly the manifest's rows.
/// Until the manifest exists the partition is untouched; once it exists the archive is complete and verified.
/// </summary>
public sealed class PartitionArchiver(
    NpgsqlDataSource dataSource,
    ArchiveStore store,
    IOptions<LifecycleOptions> options,
    TimeProvider clock,
    ILogger<PartitionArchiver> logger)
{
    /// <summary>The advisory lock one archive run or restore holds (no two run at once).</summary>
    private const long LockKey = 0x5357_4152_4348;

    private LifecycleOptions Settings => options.Value;

    /// <summary>
    /// Archives every month partition past the retention, oldest first, until done or <paramref name="budget"/> has
    /// passed (checked between files).
    /// </summary>
    public async Task<ArchiveRunResult> RunAsync(TimeSpan? budget, Func<ArchiveProgress, ValueTask>? progress, CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        await using var db = await dataSource.OpenConnectionAsync(ct);
        if (!await db.ExecuteScalarAsync<bool>("SELECT pg_try_advisory_lock(@LockKey)", new { LockKey }))
        {
            return new ArchiveRunResult(0, 0, 0, 0, 0, Locked: true);
        }

        try
        {
            await store.EnsureContainerAsync(ct);
            var cutoff = clock.GetUtcNow().UtcDateTime.AddMonths(-Settings.ArchiveAfterMonths);
            int archived = 0, unfinished = 0, held = 0;
            long rows = 0, bytes = 0;
            // Every run moves at least one file, however short its budget, so that a month always gets archived in the end.
            var files = 0;
            bool OutOfTime() => files > 0 && budget is { } b && started.Elapsed >= b;
            ValueTask Counting(ArchiveProgress p)
            {
                files += p.Step == ArchiveStep.PartUploaded ? 1 : 0;
                return Report(progress, p);
            }

            foreach (var (table, month, _) in (await HotMonthsAsync(db, ct)).Where(p => MonthStart(p.Month).AddMonths(1) <= cutoff))
            {
                var outcome = await ArchiveMonthAsync(db, table, month, OutOfTime, Counting, ct);
                rows += outcome.Rows;
                bytes += outcome.Bytes;
                switch (outcome.State)
                {
                    case MonthState.Archived: archived++; break;
                    case MonthState.Held: held++; break;
                    default: unfinished++; break;
                }

                if (outcome.State == MonthState.Unfinished)
                {
                    break;
                }
            }

            return new ArchiveRunResult(archived, unfinished, held, rows, bytes, Locked: false);
        }
        finally
        {
            await db.ExecuteAsync("SELECT pg_advisory_unlock(@LockKey)", new { LockKey });
        }
    }

    private enum MonthState { Archived, Unfinished, Held }

    private sealed record MonthOutcome(MonthState State, long Rows, long Bytes);

    private async Task<MonthOutcome> ArchiveMonthAsync(NpgsqlConnection db, ArchivedTable table, DateOnly month, Func<bool> outOfTime,
        Func<ArchiveProgress, ValueTask>? progress, CancellationToken ct)
    {
        var manifest = await store.ReadManifestAsync(table, month, ct);
        if (manifest is null)
        {
            var parts = await store.ListPartsAsync(table, month, ct);
            if (parts.Count > 0)
            {
                // The last file of an interrupted run may not have been read back yet.
                await store.VerifyPartAsync(table, month, parts[^1], ct);
            }

            long rows = 0, bytes = 0;
            var partition = PartitionName(table, month);
            var afterId = parts.Count > 0 ? parts[^1].LastId : long.MinValue;
            var finished = parts.Count > 0 && parts[^1].Rows < Settings.ArchiveRowsPerFile;
            while (!finished)
            {
                if (outOfTime())
                {
                    logger.LogInformation("Archive of {Table} {Month} goes on in the next run after {Files} files", table.Name, ArchiveStore.MonthText(month), parts.Count);
                    return new MonthOutcome(MonthState.Unfinished, rows, bytes);
                }

                var name = string.Create(CultureInfo.InvariantCulture, $"part-{parts.Count:D5}.parquet");
                await using var file = new FileStream(Path.Combine(Path.GetTempPath(), $"smarttrip-archive-{Guid.NewGuid():N}.parquet"),
                    FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
                var part = await table.WritePartAsync(db, partition, name, afterId, Settings.ArchiveRowsPerFile, Settings.ArchiveRowGroupSize, file, ct);
                if (part is null)
                {
                    break;
                }

                await store.UploadPartAsync(table, month, part, file, ct);
                parts.Add(part);
                rows += part.Rows;
                bytes += part.Bytes;
                afterId = part.LastId;
                finished = part.Rows < Settings.ArchiveRowsPerFile;
                await Report(progress, new ArchiveProgress(ArchiveStep.PartUploaded, table.Name, month, part.Name, part.Rows));
            }

            manifest = new ArchiveManifest(table.Name, ArchiveStore.MonthText(month), parts.Sum(p => p.Rows), parts.Sum(p => p.IdSum), parts,
                clock.GetUtcNow());
            await store.WriteManifestAsync(manifest, ct);
            await Report(progress, new ArchiveProgress(ArchiveStep.ManifestWritten, table.Name, month, null, manifest.Rows));
            await DropAsync(db, table, month, manifest, progress, ct);
            return new MonthOutcome(MonthState.Archived, rows, bytes);
        }

        if (manifest.RestoredAt is { } restored && clock.GetUtcNow() - restored < TimeSpan.FromDays(Settings.RestoreHoldDays))
        {
            return new MonthOutcome(MonthState.Held, 0, 0);
        }

        // A complete archive whose partition is still there (a run that stopped before the drop, or a restore whose hold
        // ended): its files must all still be there as written before the partition goes.
        var present = await store.ListPartsAsync(table, month, ct);
        foreach (var file in manifest.Files)
        {
            if (!present.Any(p => p.Name == file.Name && p.Bytes == file.Bytes && p.Sha256 == file.Sha256))
            {
                throw new InvalidDataException($"The archive of {table.Name} {manifest.Month} lacks {file.Name}; the partition is kept.");
            }
        }

        await DropAsync(db, table, month, manifest, progress, ct);
        return new MonthOutcome(MonthState.Archived, 0, 0);
    }

    private async Task DropAsync(NpgsqlConnection db, ArchivedTable table, DateOnly month, ArchiveManifest manifest,
        Func<ArchiveProgress, ValueTask>? progress, CancellationToken ct)
    {
        await db.ExecuteAsync(new CommandDefinition("SELECT smarttrip_drop_month_partition(@table, @month, @rows, @idSum)",
            new { table = table.Name, month, rows = manifest.Rows, idSum = manifest.IdSum }, cancellationToken: ct));
        logger.LogInformation("Archived {Table} {Month}: {Rows} rows in {Files} files, {Bytes} bytes; partition dropped",
            table.Name, manifest.Month, manifest.Rows, manifest.Files.Count, manifest.Bytes);
        await Report(progress, new ArchiveProgress(ArchiveStep.PartitionDropped, table.Name, month, null, manifest.Rows));
    }

    /// <summary>
    /// Brings an archived month back into its partition, in one transaction (every file's SHA-256 checked, the rows
    /// counted against the manifest); the archive stays, and the next runs leave the month for
    /// <c>Lifecycle__RestoreHoldDays</c>. Fails when the partition holds rows already.
    /// </summary>
    public async Task<long> RestoreAsync(ArchivedTable table, DateOnly month, Func<ArchiveProgress, ValueTask>? progress, CancellationToken ct)
    {
        var manifest = await store.ReadManifestAsync(table, month, ct)
            ?? throw new InvalidOperationException($"There is no archive of {table.Name} {ArchiveStore.MonthText(month)}.");
        await using var db = await dataSource.OpenConnectionAsync(ct);
        if (!await db.ExecuteScalarAsync<bool>("SELECT pg_try_advisory_lock(@LockKey)", new { LockKey }))
        {
            throw new InvalidOperationException("An archive run or restore is in progress; try again when it ends.");
        }

        try
        {
            await using var tx = await db.BeginTransactionAsync(ct);
            await db.ExecuteAsync("SELECT smarttrip_create_month_partition(@table, @month)", new { table = table.Name, month }, tx);
            var present = await db.ExecuteScalarAsync<long>($"SELECT count(*) FROM {PartitionName(table, month)}", transaction: tx);
            if (present > 0)
            {
                throw new InvalidOperationException($"{PartitionName(table, month)} holds {present} rows; restore needs it empty.");
            }

            long copied = 0;
            foreach (var part in manifest.Files)
            {
                await using var file = new FileStream(Path.Combine(Path.GetTempPath(), $"smarttrip-restore-{Guid.NewGuid():N}.parquet"),
                    FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
                await store.DownloadPartAsync(table, month, part, file, ct);
                var rows = await table.RestorePartAsync(db, file, ct);
                if (rows != part.Rows)
                {
                    throw new InvalidDataException($"{part.Name} held {rows} rows, its manifest says {part.Rows}.");
                }

                copied += rows;
                await Report(progress, new ArchiveProgress(ArchiveStep.PartRestored, table.Name, month, part.Name, rows));
            }

            var check = await db.QuerySingleAsync<(long Rows, decimal IdSum)>(
                $"SELECT count(*), coalesce(sum(id), 0) FROM {PartitionName(table, month)}", transaction: tx);
            if (check != (manifest.Rows, manifest.IdSum))
            {
                throw new InvalidDataException($"The restored {PartitionName(table, month)} holds {check.Rows} rows (id sum {check.IdSum}), the archive {manifest.Rows} ({manifest.IdSum}).");
            }

            await tx.CommitAsync(ct);
            await store.WriteManifestAsync(manifest with { RestoredAt = clock.GetUtcNow() }, ct);
            logger.LogInformation("Restored {Table} {Month}: {Rows} rows", table.Name, manifest.Month, copied);
            return copied;
        }
        finally
        {
            await db.ExecuteAsync("SELECT pg_advisory_unlock(@LockKey)", new { LockKey });
        }
    }

    /// <summary>Every month of both logs, in PostgreSQL or in the archive, oldest first.</summary>
    public async Task<IReadOnlyList<ArchiveListing>> ListAsync(CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var hot = await HotMonthsAsync(db, ct);
        var hotMonths = hot.ToDictionary(h => (h.Table.Name, h.Month), h => h.RowsEstimate);
        var archived = (await store.ListManifestsAsync(ct)).ToDictionary(
            m => (m.Table, DateOnly.ParseExact(m.Month, "yyyy-MM", CultureInfo.InvariantCulture)));
        return [.. hotMonths.Keys.Union(archived.Keys)
            .Select(k => new ArchiveListing(k.Item1, k.Item2, hotMonths.ContainsKey(k), hotMonths.GetValueOrDefault(k), archived.GetValueOrDefault(k)))
            .OrderBy(l => l.Month).ThenBy(l => l.Table, StringComparer.Ordinal)];
    }

    /// <summary>The month partitions of both logs, oldest first, with their estimated rows.</summary>
    private static async Task<IReadOnlyList<(ArchivedTable Table, DateOnly Month, long RowsEstimate)>> HotMonthsAsync(NpgsqlConnection db, CancellationToken ct)
    {
        var partitions = await db.QueryAsync<(string Parent, string Partition, long Estimate)>(new CommandDefinition(
            """
            SELECT p.relname, c.relname, greatest(c.reltuples, 0)::bigint
              FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
             WHERE p.relname IN ('events', 'recommendation_requests') AND c.relname ~ '_[0-9]{4}_[0-9]{2}$'
            """, cancellationToken: ct));
        return [.. partitions.Select(p => (ArchivedTable.Parse(p.Parent), ParseMonth(p.Partition), p.Estimate))
            .OrderBy(p => p.Item2).ThenBy(p => p.Item1.Name, StringComparer.Ordinal)];
    }

    internal static string PartitionName(ArchivedTable table, DateOnly month) =>
        string.Create(CultureInfo.InvariantCulture, $"{table.Name}_{month:yyyy_MM}");

    private static DateOnly ParseMonth(string partition) => DateOnly.ParseExact(partition[^7..], "yyyy_MM", CultureInfo.InvariantCulture);

    private static DateTime MonthStart(DateOnly month) => month.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    private static ValueTask Report(Func<ArchiveProgress, ValueTask>? progress, ArchiveProgress step) =>
        progress is null ? ValueTask.CompletedTask : progress(step);
}
