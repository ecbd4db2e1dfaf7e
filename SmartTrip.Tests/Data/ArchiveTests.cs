using Azure.Storage.Blobs;
using Dapper;
using DuckDB.NET.Data;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using SmartTrip.Core.Data;
using SmartTrip.Core.Data.Archive;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Data;

/// <summary>
/// The archive of the logs' old months (decision 0013) on real PostgreSQL and Azurite: run, drop, restore with
/// identical rows; runs out of time and crashes between steps; the Parquet files as DuckDB reads them.
/// </summary>
public sealed class ArchiveTests
{
    private static readonly DateOnly August = new(2024, 8, 1);
    private static readonly DateOnly September = new(2024, 9, 1);

    private sealed record Setup(string ConnectionString, NpgsqlDataSource DataSource, BlobContainerClient Container, FakeTimeProvider Clock) : IAsyncDisposable
    {
        public PartitionArchiver Archiver(LifecycleOptions? options = null) => new(DataSource, new ArchiveStore(Container),
            Options.Create(options ?? new LifecycleOptions { ArchiveRowsPerFile = 3, ArchiveRowGroupSize = 2 }), Clock,
            NullLogger<PartitionArchiver>.Instance);

        public async ValueTask DisposeAsync()
        {
            await DataSource.DisposeAsync();
            await Container.DeleteIfExistsAsync();
        }
    }

    /// <summary>A migrated database whose two logs hold <paramref name="perMonth"/> rows in each given old month, every column used.</summary>
    private static async Task<Setup> CreateAsync(string prefix, int perMonth, params DateOnly[] months)
    {
        var connectionString = await TestServices.CreateDatabaseAsync(prefix);
        new DatabaseMigrator(NullLogger<DatabaseMigrator>.Instance).Migrate(connectionString);
        var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var db = await dataSource.OpenConnectionAsync();
        var starts = months.Select(m => m.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)).ToArray();
        foreach (var month in months)
        {
            await db.ExecuteAsync("SELECT smarttrip_create_month_partition('events', @month); SELECT smarttrip_create_month_partition('recommendation_requests', @month)", new { month });
        }

        await db.ExecuteAsync(
            """
            INSERT INTO users (anonymous_id, is_registered, total_sessions, total_searches, total_clicks, is_active, first_seen_at, last_seen_at, created_at, updated_at)
            VALUES (gen_random_uuid(), FALSE, 0, 0, 0, TRUE, now(), now(), now(), now());
            INSERT INTO events (event_id, user_id, session_id, anonymous_id, event_type_id, trip_id, recommendation_request_id, source, event_data,
                                position_in_results, score_at_time, "timestamp", client_timestamp, page_url, referrer, created_at)
            SELECT gen_random_uuid(), CASE WHEN n % 3 = 0 THEN NULL ELSE 1 END, gen_random_uuid(), gen_random_uuid(), 1 + n % 3,
                   CASE WHEN n % 4 = 0 THEN NULL ELSE n END, CASE WHEN n % 2 = 0 THEN gen_random_uuid() END,
                   CASE WHEN n % 5 = 0 THEN NULL ELSE 'search_results' END,
                   jsonb_build_object('n', n, 'text', 'ספארי "בקניה" ☃', 'nested', jsonb_build_object('a', jsonb_build_array(1, 2.5, NULL))),
                   CASE WHEN n % 2 = 0 THEN n % 10 + 1 END, CASE WHEN n % 2 = 0 THEN (n % 10000) / 100.0 END,
                   m + make_interval(secs => n * 3600.123456), CASE WHEN n % 3 = 1 THEN m + make_interval(secs => n * 3600.123456 - 1.5) END,
                   CASE WHEN n % 2 = 1 THEN 'https://smarttrip.example/trips/' || n || '?q=טיול' END, CASE WHEN n % 3 = 2 THEN 'https://www.google.com/' END,
                   m + make_interval(secs => n * 3600.123456 + 0.25)
              FROM unnest(@starts::timestamptz[]) AS m, generate_series(1, @perMonth) AS n;
            INSERT INTO recommendation_requests (request_id, session_id, user_id, created_at, preferences, selected_countries, selected_continents,
                   preferred_type_id, preferred_theme_ids, min_duration, max_duration, budget, difficulty, year, month, response_time_ms,
                   total_candidates, primary_count, relaxed_count, final_count, has_relaxed_results, has_no_results, top_score, avg_score,
                   min_score, score_std_dev, result_trip_ids, result_scores, algorithm_version, search_type, experiment_id, variant, anonymous_id,
                   ranked_trip_ids, exploration, exploration_share, exploration_depth, list_propensity, allocation_probability, teams)
            SELECT gen_random_uuid(), CASE WHEN n % 2 = 0 THEN 'session-' || n END, CASE WHEN n % 3 = 0 THEN 1 END, m + make_interval(secs => n * 7200.654321),
                   jsonb_build_object('budget', n * 1000, 'selected_continents', jsonb_build_array('אפריקה')),
                   CASE WHEN n % 2 = 0 THEN ARRAY[n, n + 1] END, CASE n % 3 WHEN 0 THEN ARRAY['Africa', 'אסיה'] WHEN 1 THEN ARRAY[]::text[] END,
                   CASE WHEN n % 2 = 1 THEN 3 END, CASE WHEN n % 2 = 1 THEN ARRAY[1, 5, 9] END, CASE WHEN n % 2 = 0 THEN 3 END,
                   CASE WHEN n % 2 = 0 THEN 14 END, CASE WHEN n % 2 = 0 THEN 12345.67 + n END, CASE WHEN n % 4 = 0 THEN 2 END,
                   CASE WHEN n % 2 = 0 THEN '2026' END, CASE WHEN n % 2 = 0 THEN '7' END, n * 3, 500 + n, 10, n % 3, 10, n % 3 > 0, n % 5 = 0,
                   CASE WHEN n % 5 > 0 THEN 91.25 END, CASE WHEN n % 5 > 0 THEN 60.5 END, CASE WHEN n % 5 > 0 THEN 12.01 END, CASE WHEN n % 5 > 0 THEN 7.77 END,
                   CASE WHEN n % 5 = 0 THEN ARRAY[]::int[] ELSE ARRAY[n, 2 * n, 3 * n] END,
                   CASE WHEN n % 5 = 0 THEN ARRAY[]::numeric[] ELSE ARRAY[91.25, 80.00, 0.01] END,
                   'v2.0', CASE WHEN n % 2 = 0 THEN 'exploration' ELSE 'focused_search' END, CASE WHEN n % 2 = 0 THEN 7 END,
                   CASE WHEN n % 2 = 0 THEN 'control' END, CASE WHEN n % 2 = 1 THEN gen_random_uuid() END,
                   CASE WHEN n % 5 = 1 THEN ARRAY[2 * n, n, 3 * n] END, CASE WHEN n % 3 = 1 THEN 'swap' END,
                   CASE WHEN n % 3 = 1 THEN 0.05 END, CASE WHEN n % 3 = 1 THEN 3 END, CASE WHEN n % 3 = 1 THEN 0.025 / 9 ELSE 1 END,
                   CASE WHEN n % 2 = 0 THEN 0.35 END, CASE WHEN n % 4 = 3 THEN 'ABBA' END
              FROM unnest(@starts::timestamptz[]) AS m, generate_series(1, @perMonth) AS n;
            """, new { starts, perMonth });
        var container = new BlobContainerClient(TestServices.StorageConnectionString, $"archive-{Guid.NewGuid():N}"[..40]);
        return new Setup(connectionString, dataSource, container, new FakeTimeProvider(DateTimeOffset.UtcNow));
    }

    /// <summary>Every row of a log's month, every column, as PostgreSQL prints it.</summary>
    private static async Task<List<string>> RowsAsync(Setup s, string table, DateOnly month)
    {
        var column = table == "events" ? "\"timestamp\"" : "created_at";
        await using var db = await s.DataSource.OpenConnectionAsync();
        var from = month.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        return [.. await db.QueryAsync<string>(
            $"SELECT to_jsonb(t)::text FROM {table} t WHERE {column} >= @from AND {column} < @to ORDER BY id", new { from, to = from.AddMonths(1) })];
    }

    private static async Task<bool> PartitionExistsAsync(Setup s, string table, DateOnly month)
    {
        await using var db = await s.DataSource.OpenConnectionAsync();
        return await db.ExecuteScalarAsync<string?>("SELECT to_regclass(@name)::text", new { name = $"{table}_{month:yyyy_MM}" }) is not null;
    }

    [Fact]
    public async Task Old_months_go_to_Parquet_in_Blob_storage_and_come_back_with_identical_rows()
    {
        await using var s = await CreateAsync("archive", 7, August, September);
        var before = new Dictionary<(string, DateOnly), List<string>>();
        foreach (var table in new[] { "events", "recommendation_requests" })
        {
            foreach (var month in new[] { August, September })
            {
                before[(table, month)] = await RowsAsync(s, table, month);
                Assert.Equal(7, before[(table, month)].Count);
            }
        }

        var steps = new List<ArchiveProgress>();
        var result = await s.Archiver().RunAsync(budget: null, p => { steps.Add(p); return ValueTask.CompletedTask; }, CancellationToken.None);

        // Two months of two logs; only they were due (the months the migration made are recent).
        Assert.Equal((4, 0, 0, 28L, false), (result.MonthsArchived, result.MonthsUnfinished, result.MonthsHeld, result.RowsArchived, result.Locked));
        Assert.Equal(4 * 5, steps.Count); // each month: three files (3 + 3 + 1 rows), its manifest, the drop
        foreach (var (table, month) in before.Keys)
        {
            Assert.False(await PartitionExistsAsync(s, table, month));
            Assert.Empty(await RowsAsync(s, table, month));
        }

        var blobs = new List<string>();
        await foreach (var blob in s.Container.GetBlobsAsync())
        {
            blobs.Add(blob.Name);
        }

        Assert.Contains("table=events/month=2024-08/part-00000.parquet", blobs);
        Assert.Contains("table=recommendation_requests/month=2024-09/part-00002.parquet", blobs);
        Assert.Equal(4 * 4, blobs.Count);
        var store = new ArchiveStore(s.Container);
        var manifest = (await store.ReadManifestAsync(ArchivedTable.Events, August, CancellationToken.None))!;
        Assert.Equal(7L, manifest.Rows);
        Assert.Equal([3L, 3L, 1L], manifest.Files.Select(f => f.Rows));
        Assert.All(manifest.Files, f => Assert.Matches("^[0-9a-f]{64}$", f.Sha256));

        var listed = await s.Archiver().ListAsync(CancellationToken.None);
        Assert.Contains(listed, l => l is { Table: "events", Hot: false, Archive.Rows: 7 } && l.Month == August);

        // Restore brings back exactly the rows that were archived, every column.
        foreach (var (table, month) in before.Keys)
        {
            Assert.Equal(7, await s.Archiver().RestoreAsync(ArchivedTable.Parse(table), month, null, CancellationToken.None));
            Assert.Equal(before[(table, month)], await RowsAsync(s, table, month));
        }

        // A restored month stays for the hold; then the next run drops it again without writing anything.
        var held = await s.Archiver().RunAsync(null, null, CancellationToken.None);
        Assert.Equal((0, 4), (held.MonthsArchived, held.MonthsHeld));
        Assert.True(await PartitionExistsAsync(s, "events", August));
        s.Clock.Advance(TimeSpan.FromDays(31));
        var again = await s.Archiver().RunAsync(null, null, CancellationToken.None);
        Assert.Equal((4, 0L), (again.MonthsArchived, again.BytesWritten));
        Assert.False(await PartitionExistsAsync(s, "events", August));

        // A month in the archive cannot be restored over rows already there.
        await s.Archiver().RestoreAsync(ArchivedTable.Events, August, null, CancellationToken.None);
        var twice = await Assert.ThrowsAsync<InvalidOperationException>(() => s.Archiver().RestoreAsync(ArchivedTable.Events, August, null, CancellationToken.None));
        Assert.Contains("holds 7 rows", twice.Message, StringComparison.Ordinal);
        Assert.Equal(before[("events", August)], await RowsAsync(s, "events", August));
    }

    [Fact]
    public async Task The_partition_is_dropped_only_when_it_holds_exactly_the_archived_rows()
    {
        await using var s = await CreateAsync("archivedrop", 4, August);
        await using var db = await s.DataSource.OpenConnectionAsync();
        var (rows, idSum) = await db.QuerySingleAsync<(long, decimal)>("SELECT count(*), sum(id) FROM events_2024_08");

        var fewer = await Assert.ThrowsAsync<PostgresException>(() => db.ExecuteAsync(
            "SELECT smarttrip_drop_month_partition('events', '2024-08-01', @rows, @idSum)", new { rows = rows - 1, idSum }));
        var otherIds = await Assert.ThrowsAsync<PostgresException>(() => db.ExecuteAsync(
            "SELECT smarttrip_drop_month_partition('events', '2024-08-01', @rows, @idSum)", new { rows, idSum = idSum + 1 }));

        Assert.Equal(PostgresErrorCodes.DataException, fewer.SqlState);
        Assert.Equal(PostgresErrorCodes.DataException, otherIds.SqlState);
        Assert.Equal(4, (await RowsAsync(s, "events", August)).Count);
        await db.ExecuteAsync("SELECT smarttrip_drop_month_partition('events', '2024-08-01', @rows, @idSum)", new { rows, idSum });
        Assert.False(await PartitionExistsAsync(s, "events", August));
    }

    [Fact]
    public async Task A_run_out_of_time_stops_between_files_and_the_next_run_goes_on_from_there()
    {
        await using var s = await CreateAsync("archivebudget", 7, August);
        var before = await RowsAsync(s, "events", August);
        var store = new ArchiveStore(s.Container);

        var first = await s.Archiver().RunAsync(TimeSpan.Zero, null, CancellationToken.None);
        Assert.Equal((0, 1, 3L), (first.MonthsArchived, first.MonthsUnfinished, first.RowsArchived));
        Assert.Single(await store.ListPartsAsync(ArchivedTable.Events, August, CancellationToken.None));
        Assert.Null(await store.ReadManifestAsync(ArchivedTable.Events, August, CancellationToken.None));
        Assert.Equal(before, await RowsAsync(s, "events", August));

        var second = await s.Archiver().RunAsync(TimeSpan.Zero, null, CancellationToken.None);
        var third = await s.Archiver().RunAsync(TimeSpan.Zero, null, CancellationToken.None);
        var fourth = await s.Archiver().RunAsync(TimeSpan.Zero, null, CancellationToken.None);

        Assert.Equal((0, 1, 3L), (second.MonthsArchived, second.MonthsUnfinished, second.RowsArchived));
        Assert.Equal((1, 1, 1L), (third.MonthsArchived, third.MonthsUnfinished, third.RowsArchived)); // the last file; the searches wait
        Assert.False(await PartitionExistsAsync(s, "events", August));
        Assert.True(fourth.MonthsUnfinished + fourth.MonthsArchived > 0);
        await s.Archiver().RestoreAsync(ArchivedTable.Events, August, null, CancellationToken.None);
        Assert.Equal(before, await RowsAsync(s, "events", August));
    }

    private sealed class Crash : Exception;

    public static TheoryData<int> Steps => [1, 2, 3, 4, 5];

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task A_crash_after_any_step_leaves_the_partition_or_a_verified_archive_and_the_next_run_finishes(int crashAfter)
    {
        await using var s = await CreateAsync("archivecrash", 7, August);
        var before = await RowsAsync(s, "events", August);
        var store = new ArchiveStore(s.Container);
        var seen = 0;

        await Assert.ThrowsAsync<Crash>(() => s.Archiver().RunAsync(null, p =>
            p.Table == "events" && ++seen == crashAfter ? throw new Crash() : ValueTask.CompletedTask, CancellationToken.None));

        // Steps: three files, the manifest, the drop. Before the manifest the partition is whole; after it, the archive is.
        var manifest = await store.ReadManifestAsync(ArchivedTable.Events, August, CancellationToken.None);
        var partition = await PartitionExistsAsync(s, "events", August);
        Assert.Equal(crashAfter >= 4, manifest is not null);
        Assert.Equal(crashAfter < 5, partition);
        if (partition)
        {
            Assert.Equal(before, await RowsAsync(s, "events", August));
        }

        if (manifest is not null)
        {
            foreach (var file in manifest.Files)
            {
                await store.VerifyPartAsync(ArchivedTable.Events, August, file, CancellationToken.None);
            }
        }

        var next = await s.Archiver().RunAsync(null, null, CancellationToken.None);
        Assert.Equal(0, next.MonthsUnfinished);
        Assert.False(await PartitionExistsAsync(s, "events", August));
        var files = (await store.ReadManifestAsync(ArchivedTable.Events, August, CancellationToken.None))!.Files;
        Assert.Equal(["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"], files.Select(f => f.Name));
        await s.Archiver().RestoreAsync(ArchivedTable.Events, August, null, CancellationToken.None);
        Assert.Equal(before, await RowsAsync(s, "events", August));
    }

    /// <summary>
    /// Change that this catches: the run dropping a partition whose manifest is written without checking that its files
    /// are still there (remove the "lacks" check in PartitionArchiver.ArchiveMonthAsync).
    /// </summary>
    [Fact]
    public async Task A_part_deleted_after_the_manifest_keeps_the_partition_and_the_run_says_which()
    {
        await using var s = await CreateAsync("archivelost", 7, August);
        var before = await RowsAsync(s, "events", August);
        var seen = 0;
        await Assert.ThrowsAsync<Crash>(() => s.Archiver().RunAsync(null, p =>
            p.Table == "events" && p.Step == ArchiveStep.ManifestWritten && ++seen == 1 ? throw new Crash() : ValueTask.CompletedTask, CancellationToken.None));
        await s.Container.GetBlobClient(ArchiveStore.Folder(ArchivedTable.Events, August) + "part-00001.parquet").DeleteAsync();

        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => s.Archiver().RunAsync(null, null, CancellationToken.None));

        Assert.Equal("The archive of events 2024-08 lacks part-00001.parquet; the partition is kept.", refused.Message);
        Assert.True(await PartitionExistsAsync(s, "events", August));
        Assert.Equal(before, await RowsAsync(s, "events", August));
    }

    /// <summary>
    /// Change that this catches: restore trusting the downloaded files (remove the SHA-256 comparison of
    /// ArchiveStore.DownloadPartAsync): one flipped byte of a part must stop the restore before any row is written.
    /// </summary>
    [Fact]
    public async Task A_flipped_byte_in_a_part_makes_restore_refuse_and_write_nothing()
    {
        await using var s = await CreateAsync("archiveflip", 7, August);
        await s.Archiver().RunAsync(null, null, CancellationToken.None);
        var blob = s.Container.GetBlobClient(ArchiveStore.Folder(ArchivedTable.Events, August) + "part-00002.parquet");
        var properties = (await blob.GetPropertiesAsync()).Value;
        var bytes = (await blob.DownloadContentAsync()).Value.Content.ToArray();
        bytes[bytes.Length / 2] ^= 0x01;
        await blob.UploadAsync(new BinaryData(bytes), overwrite: true);
        await blob.SetMetadataAsync(properties.Metadata); // the part's own record of its hash travels with it, as written

        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => s.Archiver().RestoreAsync(ArchivedTable.Events, August, null, CancellationToken.None));

        Assert.StartsWith("The archived file table=events/month=2024-08/part-00002.parquet has SHA-256 ", refused.Message, StringComparison.Ordinal);
        Assert.Empty(await RowsAsync(s, "events", August));
    }

    [Fact]
    public async Task DuckDB_reads_the_archive_by_its_folders_with_every_column_typed_and_every_value_kept()
    {
        await using var s = await CreateAsync("archiveduck", 5, August, September);
        await using var pg = await s.DataSource.OpenConnectionAsync();
        var events = (await pg.QueryAsync<(long, string, string, long, string?, string?)>(
            """
            SELECT id, event_id::text, event_data::text, (extract(epoch FROM "timestamp") * 1000000)::bigint, score_at_time::text,
                   to_char(client_timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')
              FROM events ORDER BY id
            """)).ToList();
        var searches = (await pg.QueryAsync<(int, string?, int, decimal, string?)>(
            """
            SELECT id, array_to_string(selected_continents, '|'), cardinality(result_trip_ids),
                   (SELECT coalesce(sum(x), 0) FROM unnest(result_scores) x), budget::text || '/' || coalesce(month, '-')
              FROM recommendation_requests ORDER BY id
            """)).ToList();
        await s.Archiver().RunAsync(null, null, CancellationToken.None);

        var folder = Directory.CreateTempSubdirectory("smarttrip-archive-");
        try
        {
            await foreach (var blob in s.Container.GetBlobsAsync())
            {
                var path = Path.Combine(folder.FullName, blob.Name);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await s.Container.GetBlobClient(blob.Name).DownloadToAsync(path);
            }

            using var duck = new DuckDBConnection("DataSource=:memory:");
            duck.Open();
            // The folders' names become columns (table, month), except for the search log, whose own month column (the
            // travel month asked for) would clash with the folder's: it is read without them.
            string Query(string table) =>
                $"read_parquet('{folder.FullName}/table={table}/month=*/*.parquet', hive_partitioning = {(table == "events" ? "true" : "false")})";
            var types = Describe(duck, $"SELECT * FROM {Query("events")}");
            Assert.Equal("BIGINT", types["id"]);
            Assert.Equal("UUID", types["event_id"]);
            Assert.Equal("TIMESTAMP WITH TIME ZONE", types["timestamp"]);
            Assert.Equal("TIMESTAMP WITH TIME ZONE", types["client_timestamp"]);
            Assert.Equal("VARCHAR", types["event_data"]);
            Assert.Equal("DECIMAL(5,2)", types["score_at_time"]);
            Assert.Equal("INTEGER", types["user_id"]);
            Assert.Equal(17 + 2, types.Count); // every column, and the folders' table and month
            var searchTypes = Describe(duck, $"SELECT * FROM {Query("recommendation_requests")}");
            Assert.Equal(("INTEGER[]", "VARCHAR[]", "DECIMAL(10,2)", "BOOLEAN"),
                (searchTypes["result_trip_ids"], searchTypes["selected_continents"], searchTypes["budget"], searchTypes["has_no_results"]));
            Assert.Equal(41, searchTypes.Count);
            Assert.Equal("VARCHAR", searchTypes["month"]);

            var fromDuck = new List<(long, string, string, long, string?, string?)>();
            using (var command = duck.CreateCommand())
            {
                command.CommandText =
                    $"""
                    SET TimeZone = 'UTC';
                    SELECT id, event_id::VARCHAR, event_data, epoch_us("timestamp"), score_at_time::VARCHAR,
                           strftime(client_timestamp, '%Y-%m-%d %H:%M:%S.%f')
                      FROM {Query("events")} ORDER BY id
                    """;
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    fromDuck.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3),
                        reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
                }
            }

            Assert.Equal(events, fromDuck);

            var searchesFromDuck = new List<(int, string?, int, decimal, string?)>();
            using (var command = duck.CreateCommand())
            {
                command.CommandText =
                    $"""
                    SELECT id, array_to_string(selected_continents, '|'), len(result_trip_ids), coalesce(list_sum(result_scores), 0)::DECIMAL(18,2), budget::VARCHAR || '/' || coalesce(month, '-')
                      FROM {Query("recommendation_requests")} ORDER BY id
                    """;
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    searchesFromDuck.Add((reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt32(2),
                        reader.GetDecimal(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
                }
            }

            Assert.Equal(searches, searchesFromDuck);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static Dictionary<string, string> Describe(DuckDBConnection duck, string query)
    {
        using var command = duck.CreateCommand();
        command.CommandText = "DESCRIBE " + query;
        using var reader = command.ExecuteReader();
        var types = new Dictionary<string, string>();
        while (reader.Read())
        {
            types[reader.GetString(0)] = reader.GetString(1);
        }

        return types;
    }
}
