using System.Diagnostics;
using System.Net.Http.Json;
using Dapper;
using Npgsql;

namespace SmartTrip.Benchmarks;

/// <summary>
/// Soak run of the event pipeline against a running development host (queue listener on) and its database:
/// 16 clients post batches (each from one of 2 000 browser sessions, events on random trips of the catalogue) to
/// /api/events/batch for the given time, then the run waits for the drain to catch up
/// and checks that every accepted event is stored once and that every counter agrees with a recount from events.
/// Usage: soak URL CONNECTION_STRING [seconds=60] [batch=20] [--retry]
/// With <c>--retry</c> (the fault drills) a client whose batch fails (connection refused, a 5xx, a timeout) sends the same
/// batch again, same event ids, until it is accepted, as the frontend would; failed requests are then expected, and the
/// check is that every event accepted is stored once or dead-lettered, with the counters equal to a recount.
/// </summary>
public static class EventsSoak
{
    /// <summary>The mix of event types the clients send (the drain benchmark sends the same).</summary>
    internal static readonly string[] Types = ["impression", "impression", "impression", "click_trip", "trip_dwell_time", "save_trip",
        "contact_whatsapp", "contact_phone", "booking_start", "search_submit", "results_view", "page_view"];

    /// <summary>Opens 2 000 browser sessions through the host, as the frontend does before it sends events.</summary>
    internal static async Task<List<(Guid Session, Guid Anonymous)>> StartSessionsAsync(HttpClient http)
    {
        var sessions = new List<(Guid Session, Guid Anonymous)>();
        for (var i = 0; i < 2000; i++)
        {
            var pair = (Guid.NewGuid(), Guid.NewGuid());
            (await http.PostAsJsonAsync("/api/session/start", new { session_id = pair.Item1, anonymous_id = pair.Item2 })).EnsureSuccessStatusCode();
            sessions.Add(pair);
        }

        return sessions;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var url = args[1].TrimEnd('/');
        var connectionString = args[2];
        var positional = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        var seconds = positional.Length > 3 ? int.Parse(positional[3]) : 60;
        var batchSize = positional.Length > 4 ? int.Parse(positional[4]) : 20;
        var retry = args.Contains("--retry");
        // A connection per query: in a drill the database may go away and come back between two of them.
        await using var db = NpgsqlDataSource.Create(connectionString);
        var eventsBefore = await db.CreateConnection().ExecuteScalarAsync<long>("SELECT count(*) FROM events");
        var startedAt = await db.CreateConnection().ExecuteScalarAsync<DateTime>("SELECT now()");

        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        var sessions = await StartSessionsAsync(http);

        Console.WriteLine($"soak started at {DateTime.UtcNow:HH:mm:ss.fff} UTC");

        long accepted = 0, requests = 0, failures = 0;
        var clock = Stopwatch.StartNew();
        var stop = TimeSpan.FromSeconds(seconds);
        var clients = Enumerable.Range(0, 16).Select(client => Task.Run(async () =>
        {
            var random = new Random(client);
            while (clock.Elapsed < stop)
            {
                // A batch comes from one browser: one session, as the frontend sends them.
                var (session, anonymous) = sessions[random.Next(sessions.Count)];
                var events = Enumerable.Range(0, batchSize).Select(_ =>
                {
                    var type = Types[random.Next(Types.Length)];
                    return new Dictionary<string, object?>
                    {
                        ["event_id"] = Guid.NewGuid(), ["event_type"] = type, ["session_id"] = session, ["anonymous_id"] = anonymous,
                        ["trip_id"] = type is "search_submit" or "results_view" or "page_view" ? null : random.Next(1, 543),
                        ["source"] = type == "click_trip" ? "search_results" : null,
                        ["metadata"] = type == "trip_dwell_time" ? new { duration_seconds = random.Next(1, 300) } : null,
                    };
                }).ToList();
                while (true)
                {
                    Interlocked.Increment(ref requests);
                    try
                    {
                        using var response = await http.PostAsJsonAsync("/api/events/batch", new { events });
                        if ((int)response.StatusCode == 202)
                        {
                            var body = await response.Content.ReadFromJsonAsync<BatchBody>();
                            Interlocked.Add(ref accepted, body!.processed);
                            break;
                        }
                    }
                    catch (Exception e) when (retry && e is HttpRequestException or TaskCanceledException)
                    {
                        // the host is away: try again
                    }

                    Interlocked.Increment(ref failures);
                    if (!retry || clock.Elapsed > stop * 4)
                    {
                        break;
                    }

                    await Task.Delay(250);
                }
            }
        })).ToArray();
        await Task.WhenAll(clients);
        var postSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"posted {requests} batches of {batchSize} in {postSeconds:F1} s: {accepted} events accepted ({accepted / postSeconds:F0} events/s), {failures} failed requests");

        long stored = 0, deadLettered = 0;
        // Messages a killed host had leased come back only when their lease ends (five minutes on the development host,
        // up to ten on the Functions host), so a drill waits that long for the last of them.
        var drainDeadline = clock.Elapsed + (retry ? TimeSpan.FromMinutes(15) : stop * 3);
        while (clock.Elapsed < drainDeadline)
        {
            try
            {
                await using var connection = await db.OpenConnectionAsync();
                stored = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM events") - eventsBefore;
                deadLettered = await connection.ExecuteScalarAsync<long>(
                    "SELECT count(*) FROM event_dead_letters WHERE dead_lettered_at >= @startedAt", new { startedAt });
                if (stored + deadLettered >= accepted)
                {
                    break;
                }
            }
            catch (NpgsqlException) when (retry)
            {
                // the database is still away
            }

            await Task.Delay(250);
        }

        var drainSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"stored after posting ended: {drainSeconds - postSeconds:F1} s");
        await using var checks = await db.OpenConnectionAsync();
        var lag = await checks.QuerySingleAsync<(double P50, double P99, double Max)>(
            """
            SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM created_at - "timestamp")) * 1000,
                   percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM created_at - "timestamp")) * 1000,
                   max(extract(epoch FROM created_at - "timestamp")) * 1000
              FROM events WHERE created_at >= @startedAt
            """, new { startedAt });
        Console.WriteLine($"drained {stored} events in {drainSeconds:F1} s ({stored / drainSeconds:F0} events/s); lag p50 {lag.P50:F0} ms, p99 {lag.P99:F0} ms, max {lag.Max:F0} ms");

        var mismatches = await checks.ExecuteScalarAsync<long>(
            """
            WITH recount AS (
                SELECT e.trip_id,
                       count(*) FILTER (WHERE t.name = 'impression') AS impressions,
                       count(*) FILTER (WHERE t.name = 'click_trip') AS clicks,
                       count(*) FILTER (WHERE t.name = 'save_trip') AS saves,
                       count(*) FILTER (WHERE t.name = 'contact_whatsapp') AS whatsapp,
                       count(*) FILTER (WHERE t.name = 'contact_phone') AS phone,
                       count(*) FILTER (WHERE t.name = 'booking_start') AS bookings,
                       coalesce(sum((e.event_data->>'duration_seconds')::numeric::int) FILTER (WHERE t.name = 'trip_dwell_time'), 0) AS dwell,
                       count(DISTINCT e.anonymous_id) FILTER (WHERE t.name = 'impression') AS viewers,
                       count(DISTINCT e.anonymous_id) FILTER (WHERE t.name = 'click_trip') AS clickers
                  FROM events e JOIN event_types t ON t.id = e.event_type_id
                 WHERE e.trip_id IS NOT NULL AND t.category_id IN (3, 4)
                 GROUP BY e.trip_id)
            SELECT count(*) FROM recount r FULL JOIN trip_interactions i ON i.trip_id = r.trip_id
             WHERE (r.impressions, r.clicks, r.saves, r.whatsapp, r.phone, r.bookings, r.dwell, r.viewers, r.clickers)
                   IS DISTINCT FROM (i.impression_count, i.click_count, i.save_count, i.whatsapp_contact_count,
                                     i.phone_contact_count, i.booking_start_count, i.total_dwell_time_seconds,
                                     i.unique_viewers, i.unique_clickers)
            """);
        var sessionMismatches = await checks.ExecuteScalarAsync<long>(
            """
            SELECT count(*) FROM sessions s
              LEFT JOIN LATERAL (
                SELECT count(*) FILTER (WHERE t.name = 'search_submit') AS searches,
                       count(*) FILTER (WHERE t.name = 'click_trip') AS clicks,
                       count(*) FILTER (WHERE t.name = 'save_trip') AS saves,
                       count(*) FILTER (WHERE t.name IN ('contact_whatsapp', 'contact_phone')) AS contacts
                  FROM events e JOIN event_types t ON t.id = e.event_type_id WHERE e.session_id = s.session_id) r ON TRUE
             WHERE (s.search_count, s.click_count, s.save_count, s.contact_count) IS DISTINCT FROM (r.searches, r.clicks, r.saves, r.contacts)
            """);
        var userMismatches = await checks.ExecuteScalarAsync<long>(
            """
            SELECT count(*) FROM users u
              LEFT JOIN LATERAL (
                SELECT count(*) FILTER (WHERE t.name = 'search_submit') AS searches, count(*) FILTER (WHERE t.name = 'click_trip') AS clicks
                  FROM events e JOIN event_types t ON t.id = e.event_type_id WHERE e.user_id = u.id) r ON TRUE
             WHERE (u.total_searches, u.total_clicks) IS DISTINCT FROM (r.searches, r.clicks)
            """);
        var duplicates = await checks.ExecuteScalarAsync<long>("SELECT count(*) - count(DISTINCT event_id) FROM events");
        Console.WriteLine($"check: accepted {accepted}, stored {stored}, dead-lettered {deadLettered}, duplicate event ids {duplicates}, " +
                          $"trip counter mismatches {mismatches}, session mismatches {sessionMismatches}, user mismatches {userMismatches}");
        return stored + deadLettered == accepted && duplicates == 0 && mismatches == 0 && sessionMismatches == 0 && userMismatches == 0 &&
               (retry || failures == 0) ? 0 : 1;
    }

    private sealed record BatchBody(int processed, int total);
}
