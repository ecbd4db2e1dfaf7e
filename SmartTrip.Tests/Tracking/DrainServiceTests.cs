using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using SmartTrip.Core.Tracking;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Tracking;

/// <summary>
/// The drain as a fresh instance would run it (its event-type ids not yet read), message by message, without the queue:
/// what it reports and what it leaves in the trip counters.
/// </summary>
[Collection(EventPipelineCollection.Name)]
public sealed class DrainServiceTests(EventsFixture api)
{
    private static readonly Guid Session = Guid.NewGuid(), Browser = Guid.NewGuid();

    private static TrackedEvent Event(string type, int trip, object? metadata = null, string? pageUrl = null) =>
        EventValidator.Validate(JsonSerializer.SerializeToElement(new
        {
            event_type = type, session_id = Session, anonymous_id = Browser, trip_id = trip,
            source = type == "click_trip" ? "search_results" : null, metadata, page_url = pageUrl,
        }), 0).Event!;

    private static EventEnvelope Envelope(params TrackedEvent[] events) =>
        new() { ReceivedAt = DateTimeOffset.UtcNow, Events = events.Select((e, i) => e with { Index = i }).ToList() };

    /// <summary>
    /// However many messages the trigger hands the drain at once, it holds at most half of the pool: 24 drains of 200
    /// events each on a pool of 4 never have more than 2 connections in a transaction, and a request on the same pool
    /// finds a connection at once. With the semaphore removed the drains took 3 of the 4 at once in this test.
    /// </summary>
    [Fact]
    public async Task Drains_at_once_hold_at_most_half_of_the_pool()
    {
        var name = $"drain-{Guid.NewGuid():N}"[..20];
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(new Npgsql.NpgsqlConnectionStringBuilder(api.ConnectionString)
        {
            MaxPoolSize = 4, ApplicationName = name,
        }.ConnectionString);
        var drain = new EventsDrainService(dataSource, TimeProvider.System);
        await using var db = api.Database();
        var trip = await db.ExecuteScalarAsync<int>("SELECT min(id) FROM trip_occurrences");
        EventEnvelope Big() => new()
        {
            ReceivedAt = DateTimeOffset.UtcNow,
            Events = Enumerable.Range(0, 200).Select(i => Event("impression", trip) with { EventId = Guid.NewGuid(), Index = i, AnonymousId = Guid.NewGuid() }).ToList(),
        };

        var drains = Task.WhenAll(Enumerable.Range(0, 24).Select(_ => Task.Run(() => drain.DrainAsync(Big(), CancellationToken.None))));
        var most = 0L;
        var waits = new List<TimeSpan>();
        while (!drains.IsCompleted)
        {
            most = Math.Max(most, await db.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = @name AND state IN ('active', 'idle in transaction')", new { name }));
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await using (var request = await dataSource.OpenConnectionAsync())
            {
                await request.ExecuteScalarAsync<int>("SELECT 1");
            }

            waits.Add(System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }

        await drains;
        Assert.Equal(2, EventsDrainService.DrainConnections(dataSource));
        Assert.InRange(most, 1, 2);
        Assert.True(waits.Max() < TimeSpan.FromSeconds(1), $"a request waited {waits.Max().TotalMilliseconds:F0} ms for a connection");
    }

    /// <summary>
    /// Two messages over the same new browsers, sessions and trips, in opposite orders, drained at once, 25 times: both
    /// always finish (no deadlock, 40P01, and so no retry) and every counter moves by exactly what they hold. Change that
    /// this catches: resolving a message's browsers in the message's order instead of key order (drop the
    /// <c>.Order()</c> of StoreAsync's loop over anonymous ids): two transactions then insert the same new users in
    /// opposite orders and each waits for the other's row; PostgreSQL kills one with 40P01 within a few rounds.
    /// </summary>
    [Fact]
    public async Task Messages_over_the_same_browsers_and_trips_in_opposite_orders_never_deadlock()
    {
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(api.ConnectionString);
        var drain = new EventsDrainService(dataSource, TimeProvider.System);
        await using var db = api.Database();
        var trips = (await db.QueryAsync<int>("SELECT id FROM trip_occurrences ORDER BY id LIMIT 8")).ToArray();
        var before = await ImpressionsAsync(db, trips);
        const int rounds = 25;

        for (var round = 0; round < rounds; round++)
        {
            var browsers = trips.Select(_ => Guid.NewGuid()).ToArray();
            var sessions = trips.Select(_ => Guid.NewGuid()).ToArray();
            EventEnvelope Message(IEnumerable<int> order) => new()
            {
                ReceivedAt = DateTimeOffset.UtcNow,
                Events = order.Select((k, i) => Event("impression", trips[k]) with
                {
                    EventId = Guid.NewGuid(),
                    Index = i,
                    AnonymousId = browsers[k],
                    SessionId = sessions[k],
                }).ToList(),
            };

            var forward = Message(Enumerable.Range(0, trips.Length));
            var backward = Message(Enumerable.Range(0, trips.Length).Reverse());
            var results = await Task.WhenAll(
                Task.Run(() => drain.DrainAsync(forward, CancellationToken.None)),
                Task.Run(() => drain.DrainAsync(backward, CancellationToken.None)));

            Assert.All(results, r => Assert.Equal((trips.Length, trips.Length, 0), (r.Events, r.Inserted, r.DeadLettered)));
        }

        var after = await ImpressionsAsync(db, trips);
        Assert.All(trips, t => Assert.Equal(before.GetValueOrDefault(t) + 2 * rounds, after[t]));
    }

    private static async Task<Dictionary<int, long>> ImpressionsAsync(Npgsql.NpgsqlConnection db, int[] trips) =>
        (await db.QueryAsync<(int Trip, long Impressions)>(
            "SELECT trip_id, impression_count FROM trip_interactions WHERE trip_id = ANY(@trips)", new { trips }))
        .ToDictionary(r => r.Trip, r => r.Impressions);

    [Fact]
    public async Task A_trips_dwell_average_changes_only_with_a_dwell()
    {
        await using var services = api.CoreServices();
        var drain = services.GetRequiredService<EventsDrainService>();
        await using var db = api.Database();
        var trip = await db.ExecuteScalarAsync<int>("SELECT max(id) FROM trip_occurrences");
        await db.ExecuteAsync("DELETE FROM trip_interactions WHERE trip_id = @trip", new { trip });

        // A click then 60 s on the page: 60 s a click. A later click alone, then an impression alone, leave it at 60 s
        // (the average is taken when a dwell arrives, over the clicks before it).
        var results = new[]
        {
            await drain.DrainAsync(Envelope(Event("click_trip", trip), Event("trip_dwell_time", trip, new { duration_seconds = 60 })), CancellationToken.None),
            await drain.DrainAsync(Envelope(Event("click_trip", trip)), CancellationToken.None),
            await drain.DrainAsync(Envelope(Event("impression", trip)), CancellationToken.None),
        };

        Assert.Equal([new DrainResult(2, 2, 0), new DrainResult(1, 1, 0), new DrainResult(1, 1, 0)], results);
        Assert.Equal((2, 1, 60, 60), await db.QuerySingleAsync<(int, int, int, int)>(
            """
            SELECT click_count, impression_count, total_dwell_time_seconds, avg_dwell_time_seconds
              FROM trip_interactions WHERE trip_id = @trip
            """, new { trip }));
    }

    [Fact]
    public async Task An_event_the_database_refuses_is_set_aside_and_reported_while_the_rest_is_stored()
    {
        await using var services = api.CoreServices();
        var drain = services.GetRequiredService<EventsDrainService>();
        await using var db = api.Database();
        var trip = await db.ExecuteScalarAsync<int>("SELECT min(id) FROM trip_occurrences");
        var (kept, refused) = (Event("impression", trip, pageUrl: "https://example.com/kept"), Event("impression", trip, pageUrl: "https://example.com/drain-refused"));
        await db.ExecuteAsync("ALTER TABLE events ADD CONSTRAINT refuse_drain CHECK (page_url IS DISTINCT FROM 'https://example.com/drain-refused')");
        try
        {
            var result = await drain.DrainAsync(Envelope(kept, refused), CancellationToken.None);

            Assert.Equal(new DrainResult(2, 1, 1), result);
            Assert.Equal((1, 0), await db.QuerySingleAsync<(int, int)>(
                "SELECT count(*) FILTER (WHERE event_id = @Kept), count(*) FILTER (WHERE event_id = @Refused) FROM events",
                new { Kept = kept.EventId, Refused = refused.EventId }));
            Assert.Equal("23514", await db.ExecuteScalarAsync<string>(
                "SELECT sql_state FROM event_dead_letters WHERE event_id = @EventId", new { refused.EventId }));
        }
        finally
        {
            await db.ExecuteAsync("ALTER TABLE events DROP CONSTRAINT refuse_drain");
            await db.ExecuteAsync("DELETE FROM event_dead_letters WHERE event_id = @EventId", new { refused.EventId });
        }
    }
}
