using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using SmartTrip.Core.Analytics;
using SmartTrip.Core.Data;
using SmartTrip.Core.Data.Archive;

namespace SmartTrip.Benchmarks;

/// <summary>
/// Scale run of the analytics queries on a migrated database (its request log and events are replaced). Writes a request
/// log in time order, as the service appends it: <c>others</c> rows spread over the 30 days before yesterday, then
/// <c>requests</c> rows on yesterday; and <c>events</c> events over the last 60 days. Then times one day's aggregation
/// and a DailyMetrics run, and prints the plans (EXPLAIN ANALYZE, BUFFERS) of the day's aggregation, its upsert and the
/// trip-interaction recompute; the writes of the plans are rolled back.
/// With <c>older</c> events, writes that many more over the 60 days before and times the daily run again (it must not
/// grow with history); with a storage connection string, then archives every month before last month to its Blob
/// Storage (container <c>archive-benchmark</c>) and reports the throughput and compression, and times the run once more.
/// Usage: analytics CONNECTION_STRING [requests=1000000] [events=10000000] [others=3 × requests] [older=0] [storage]
/// </summary>
public static class AnalyticsScale
{
    public static async Task<int> RunAsync(string[] args)
    {
        var connectionString = args[1];
        var requests = args.Length > 2 ? int.Parse(args[2]) : 1_000_000;
        var events = args.Length > 3 ? int.Parse(args[3]) : 10_000_000;
        var others = args.Length > 4 ? int.Parse(args[4]) : 3 * requests;
        var olderEvents = args.Length > 5 ? int.Parse(args[5]) : 0;
        var storage = args.Length > 6 ? args[6] : null;
        var day = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1); // what a timer run now aggregates
        var dayStart = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var db = await dataSource.OpenConnectionAsync();

        var clock = Stopwatch.StartNew();
        await db.ExecuteAsync("TRUNCATE recommendation_requests, recommendation_metrics_daily, engagement_metrics_daily, events, trip_interactions RESTART IDENTITY", commandTimeout: 600);
        await WriteRequestsAsync(db, dayStart.AddDays(-30), TimeSpan.FromDays(30), others);
        await WriteRequestsAsync(db, dayStart, TimeSpan.FromDays(1), requests);
        await db.ExecuteAsync("VACUUM ANALYZE recommendation_requests", commandTimeout: 1800);
        Console.WriteLine($"request log: {others} rows over the 30 days before {day:yyyy-MM-dd}, then {requests} on it; written in {clock.Elapsed.TotalSeconds:F0} s");

        var requestMetrics = new RequestMetrics(dataSource, TimeProvider.System);
        var run = new DailyMetricsRun(
            dataSource, [requestMetrics, new TopLists(dataSource, TimeProvider.System), new EngagementMetricsService(dataSource, TimeProvider.System)],
            new TripInteractionRecompute(dataSource), TimeProvider.System, NullLogger<DailyMetricsRun>.Instance);
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var timer = Stopwatch.StartNew();
            await run.StoreDayAsync(day, CancellationToken.None);
            Console.WriteLine($"aggregate and store {day:yyyy-MM-dd} (request metrics, top lists, engagement), run {attempt}: {timer.Elapsed.TotalSeconds:F2} s");
        }

        var (compute, upsert) = RequestMetrics.Statements;
        var window = new { date = day, from = dayStart, to = dayStart.AddDays(1), now = DateTimeOffset.UtcNow };
        await PrintPlanAsync(db, "the day's request metrics", compute, window);
        await PrintPlanAsync(db, "the day's request-metrics upsert", upsert, window);
        await PrintPlanAsync(db, "the day's four top lists", TopLists.StoreStatement, window);

        clock.Restart();
        await WriteEventsAsync(db, events);
        Console.WriteLine($"events: {events} rows over the last 60 days, written and indexed in {clock.Elapsed.TotalSeconds:F0} s");

        var run2 = Stopwatch.StartNew();
        var days = await run.RunAsync(CancellationToken.None);
        Console.WriteLine($"DailyMetrics run ({days.Count} days, then the recompute over {events} events): {run2.Elapsed.TotalSeconds:F2} s");
        await TimeSteadyRunsAsync(db, run, "60 days of events");

        if (olderEvents > 0)
        {
            // The same daily run with twice the history: it must take as long (it reads a week of events, and the
            // request log of the days it stores).
            clock.Restart();
            await WriteEventsAsync(db, olderEvents, fromDaysAgo: 120, toDaysAgo: 60);
            Console.WriteLine($"events: {olderEvents} more rows over the 60 days before those, written and indexed in {clock.Elapsed.TotalSeconds:F0} s");
            await TimeSteadyRunsAsync(db, run, "120 days of events");
        }

        if (storage is not null)
        {
            await ArchiveAsync(dataSource, db, storage);
            await TimeSteadyRunsAsync(db, run, "the months archived");
        }

        var types = (await db.QueryAsync<(string Name, int Id)>("SELECT name, id FROM event_types WHERE name IN ('impression', 'click_trip')"))
            .ToDictionary(t => t.Name, t => t.Id);
        var now = DateTimeOffset.UtcNow;
        await PrintPlanAsync(db, "the day's engagement", EngagementMetricsService.Statement, window);
        await PrintPlanAsync(db, "the trip-interaction recompute", TripInteractionRecompute.Statement,
            new { impression = types["impression"], click = types["click_trip"], since = now.AddDays(-7), now });
        return 0;
    }

    /// <summary><paramref name="count"/> logged requests evenly spaced over [start, start + span), in time order.</summary>
    /// <summary>On the partitioned schema (migration 0011), the month partitions from <paramref name="from"/> on.</summary>
    internal static async Task EnsureMonthsAsync(NpgsqlConnection db, string table, DateTimeOffset from)
    {
        if (await db.ExecuteScalarAsync<bool>("SELECT to_regproc('smarttrip_create_month_partition') IS NOT NULL"))
        {
            await db.ExecuteAsync(
                "SELECT smarttrip_create_month_partition(@table, m::date) FROM generate_series(date_trunc('month', @from AT TIME ZONE 'UTC'), now(), interval '1 month') AS m",
                new { table, from });
        }
    }

    internal static async Task WriteRequestsAsync(NpgsqlConnection db, DateTimeOffset start, TimeSpan span, int count)
    {
        await EnsureMonthsAsync(db, "recommendation_requests", start);
        await db.ExecuteAsync(
            """
            INSERT INTO recommendation_requests (request_id, session_id, created_at, preferences, selected_countries, selected_continents,
                preferred_type_id, preferred_theme_ids, budget, year, month, response_time_ms, total_candidates, primary_count, relaxed_count,
                final_count, has_relaxed_results, has_no_results, top_score, result_trip_ids, result_scores, search_type)
            SELECT gen_random_uuid(), 's' || (i % 50000), @start + i * (@span / @count),
                   '{}', ARRAY[1 + i % 100], ARRAY[(ARRAY['Asia','Europe','Africa'])[1 + i % 3]], 1 + i % 10, ARRAY[1 + i % 11],
                   5000 + i % 20000, CASE WHEN i % 4 = 0 THEN '2027' END, CASE WHEN i % 5 = 0 THEN 'all' END, i % 300,
                   100, 10 - i % 11, 0, 10 - i % 11, i % 7 = 0, i % 11 = 10, CASE WHEN i % 11 = 10 THEN NULL ELSE 30 + i % 70 END,
                   '{}', '{}', 'exploration'
              FROM generate_series(0, @count - 1) AS i
            """,
            new { start, span, count }, commandTimeout: 3600);
    }

    /// <summary>
    /// Events in time order over the last 60 days (a third impressions, on 542 trips, from 5 000 browsers). The secondary
    /// indexes are dropped for the load and rebuilt from their own definitions, which is many times faster than
    /// maintaining them row by row.
    /// </summary>
    /// <summary>Three DailyMetrics runs after the first (each stores yesterday again and recomputes the week's counters).</summary>
    private static async Task TimeSteadyRunsAsync(NpgsqlConnection db, DailyMetricsRun run, string history)
    {
        var stored = await db.QuerySingleAsync<(long Events, long Bytes)>("SELECT (SELECT count(*) FROM events), (SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('events'))::bigint");
        var times = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var timer = Stopwatch.StartNew();
            await run.RunAsync(CancellationToken.None);
            times.Add(timer.Elapsed.TotalSeconds);
        }

        Console.WriteLine($"DailyMetrics run with {history} ({stored.Events} events, {stored.Bytes / 1e9:F2} GB with indexes): {string.Join(" / ", times.Select(t => $"{t:F2}"))} s");
    }

    /// <summary>Archives every month before last month with the app's archiver, as <c>smarttrip archive run</c> does.</summary>
    private static async Task ArchiveAsync(NpgsqlDataSource dataSource, NpgsqlConnection db, string storage)
    {
        var months = (await db.QueryAsync<(string Name, long Rows, long Heap, long Total)>(
            """
            SELECT c.relname, c.reltuples::bigint, pg_relation_size(c.oid) + coalesce(pg_relation_size(c.reltoastrelid), 0), pg_total_relation_size(c.oid)
              FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent IN ('events'::regclass, 'recommendation_requests'::regclass) AND c.relname ~ '_[0-9]{4}_[0-9]{2}$'
               AND to_date(right(c.relname, 7), 'YYYY_MM') < date_trunc('month', now() - interval '1 month')
            """)).ToList();
        var container = new Azure.Storage.Blobs.BlobContainerClient(storage, "archive-benchmark");
        await container.DeleteIfExistsAsync();
        var archiver = new PartitionArchiver(dataSource, new ArchiveStore(container),
            Microsoft.Extensions.Options.Options.Create(new LifecycleOptions { ArchiveAfterMonths = 1 }), TimeProvider.System,
            NullLogger<PartitionArchiver>.Instance);
        var clock = Stopwatch.StartNew();
        var result = await archiver.RunAsync(budget: null, progress: null, CancellationToken.None);
        var seconds = clock.Elapsed.TotalSeconds;
        var heap = months.Sum(m => m.Heap);
        var total = months.Sum(m => m.Total);
        Console.WriteLine($"archive: {result.MonthsArchived} months ({string.Join(", ", months.Select(m => m.Name))}), {result.RowsArchived} rows in {seconds:F1} s: " +
                          $"{result.RowsArchived / seconds:F0} rows/s, {result.BytesWritten / 1e6 / seconds:F1} MB/s of Parquet ({result.BytesWritten / 1e6:F0} MB); " +
                          $"the partitions held {heap / 1e6:F0} MB of table ({total / 1e6:F0} MB with indexes): {heap / (double)result.BytesWritten:F1} times the Parquet ({total / (double)result.BytesWritten:F1} with indexes)");
    }

    internal static async Task WriteEventsAsync(NpgsqlConnection db, int count, int fromDaysAgo = 60, int toDaysAgo = 0)
    {
        var indexes = (await db.QueryAsync<(string Name, string Definition)>(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
              FROM pg_index i
             WHERE i.indrelid = 'events'::regclass
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """)).ToList();
        foreach (var (name, _) in indexes)
        {
            await db.ExecuteAsync($"DROP INDEX {name}");
        }

        await EnsureMonthsAsync(db, "events", DateTimeOffset.UtcNow.AddDays(-fromDaysAgo));

        await db.ExecuteAsync(
            """
            INSERT INTO users (anonymous_id) SELECT gen_random_uuid() FROM generate_series(1, 1000) WHERE NOT EXISTS (SELECT 1 FROM users OFFSET 999);
            INSERT INTO trip_interactions (trip_id) SELECT g FROM generate_series(1, 542) AS g ON CONFLICT (trip_id) DO NOTHING;
            INSERT INTO events (event_id, user_id, session_id, anonymous_id, event_type_id, trip_id, "timestamp", created_at)
            SELECT gen_random_uuid(), 1 + i % 1000, md5((i % 20000)::text)::uuid, md5((i % 5000)::text)::uuid,
                   (ARRAY[13, 13, 13, 8, 9, 10, 21, 22, 1])[1 + i % 9], 1 + i % 542,
                   now() - make_interval(days => @fromDaysAgo) + i * (make_interval(days => @fromDaysAgo - @toDaysAgo) / @count), now()
              FROM generate_series(1, @count) AS i
            """,
            new { count, fromDaysAgo, toDaysAgo }, commandTimeout: 7200);
        foreach (var (_, definition) in indexes)
        {
            // A partitioned table's index reads back as "ON ONLY events": that would build it on the parent alone.
            await db.ExecuteAsync(definition.Replace(" ON ONLY ", " ON ", StringComparison.Ordinal), commandTimeout: 3600);
        }

        await db.ExecuteAsync("VACUUM ANALYZE events", commandTimeout: 3600);
    }

    /// <summary>Runs EXPLAIN (ANALYZE, BUFFERS) on a statement inside a transaction that is rolled back, and prints the plan.</summary>
    private static async Task PrintPlanAsync(NpgsqlConnection db, string title, string sql, object parameters)
    {
        await using var transaction = await db.BeginTransactionAsync();
        var plan = await db.QueryAsync<string>("EXPLAIN (ANALYZE, BUFFERS) " + sql, parameters, transaction, commandTimeout: 3600);
        await transaction.RollbackAsync();
        Console.WriteLine($"plan of {title}:");
        foreach (var line in plan)
        {
            Console.WriteLine("  " + line);
        }
    }
}
