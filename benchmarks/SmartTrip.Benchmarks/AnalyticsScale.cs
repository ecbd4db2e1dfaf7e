using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using SmartTrip.Core.Analytics;

namespace SmartTrip.Benchmarks;

/// <summary>
/// Scale run of the analytics queries on a migrated database: fills one day with the given number of logged requests
/// and the events table with the given number of events, then times one day's aggregation and the trip-interaction
/// recompute and prints their query plans. Usage: analytics CONNECTION_STRING [requests=1000000] [events=10000000]
/// </summary>
public static class AnalyticsScale
{
    public static async Task<int> RunAsync(string[] args)
    {
        var connectionString = args[1];
        var requests = args.Length > 2 ? int.Parse(args[2]) : 1_000_000;
        var events = args.Length > 3 ? int.Parse(args[3]) : 10_000_000;
        var day = new DateOnly(2026, 11, 24);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var db = await dataSource.OpenConnectionAsync();
        var clock = Stopwatch.StartNew();

        await db.ExecuteAsync("TRUNCATE recommendation_requests, events, trip_interactions RESTART IDENTITY", commandTimeout: 600);
        await db.ExecuteAsync(
            """
            INSERT INTO recommendation_requests (request_id, session_id, created_at, preferences, selected_countries, selected_continents,
                preferred_type_id, preferred_theme_ids, budget, year, month, response_time_ms, total_candidates, primary_count, relaxed_count,
                final_count, has_relaxed_results, has_no_results, top_score, result_trip_ids, result_scores, search_type)
            SELECT gen_random_uuid(), 's' || (i % 50000), @start + (i % 86400) * interval '1 second' + (i / 86400) * interval '1 millisecond',
                   '{}', ARRAY[1 + i % 100], ARRAY[(ARRAY['Asia','Europe','Africa'])[1 + i % 3]], 1 + i % 10, ARRAY[1 + i % 11],
                   5000 + i % 20000, CASE WHEN i % 4 = 0 THEN '2027' END, CASE WHEN i % 5 = 0 THEN 'all' END, i % 300,
                   100, 10 - i % 11, 0, 10 - i % 11, i % 7 = 0, i % 11 = 10, CASE WHEN i % 11 = 10 THEN NULL ELSE 30 + i % 70 END,
                   '{}', '{}', 'exploration'
              FROM generate_series(0, @requests - 1) AS i
            """,
            new { start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), requests }, commandTimeout: 1800);
        // The surrounding days, so the day's query has to find its rows among others.
        await db.ExecuteAsync(
            """
            INSERT INTO recommendation_requests (request_id, created_at, preferences, response_time_ms, total_candidates, primary_count,
                final_count, result_trip_ids, result_scores, search_type)
            SELECT gen_random_uuid(), @start - (1 + i % 30) * interval '1 day', '{}', 50, 1, 1, 1, '{}', '{}', 'exploration'
              FROM generate_series(1, @requests) AS i
            """,
            new { start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), requests }, commandTimeout: 1800);
        await db.ExecuteAsync("ANALYZE recommendation_requests", commandTimeout: 600);
        Console.WriteLine($"request log: {requests} rows on {day:yyyy-MM-dd} and {requests} on other days, written in {clock.Elapsed.TotalSeconds:F0} s");

        var metrics = new DailyMetricsService(dataSource, TimeProvider.System, NullLogger<DailyMetricsService>.Instance);
        var timer = Stopwatch.StartNew();
        var stored = await metrics.AggregateDayAsync(day, CancellationToken.None);
        Console.WriteLine($"aggregate one day ({stored.TotalRequests} requests): {timer.Elapsed.TotalSeconds:F2} s");
        foreach (var line in await db.QueryAsync<string>(
            """
            EXPLAIN SELECT count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY response_time_ms)
              FROM recommendation_requests WHERE created_at >= '2026-11-24T00:00:00Z' AND created_at < '2026-11-25T00:00:00Z'
            """))
        {
            Console.WriteLine("  " + line);
        }

        clock.Restart();
        await db.ExecuteAsync(
            """
            INSERT INTO users (anonymous_id) SELECT gen_random_uuid() FROM generate_series(1, 1000);
            INSERT INTO trip_interactions (trip_id) SELECT g FROM generate_series(1, 542) AS g;
            INSERT INTO events (event_id, user_id, session_id, anonymous_id, event_type_id, trip_id, "timestamp", created_at)
            SELECT gen_random_uuid(), 1 + i % 1000, md5((i % 20000)::text)::uuid, md5((i % 5000)::text)::uuid,
                   (ARRAY[13, 13, 13, 8, 9, 10, 21, 22, 1])[1 + i % 9], 1 + i % 542,
                   now() - (i % (60 * 24 * 60)) * interval '1 minute', now()
              FROM generate_series(1, @events) AS i
            """,
            new { events }, commandTimeout: 3600);
        await db.ExecuteAsync("ANALYZE events", commandTimeout: 600);
        Console.WriteLine($"events: {events} rows written in {clock.Elapsed.TotalSeconds:F0} s");

        timer.Restart();
        await metrics.RunAsync(CancellationToken.None);
        Console.WriteLine($"timer run (yesterday + missing days + trip-interaction recompute over {events} events): {timer.Elapsed.TotalSeconds:F2} s");
        return 0;
    }
}
