using System.Diagnostics;
using System.Text;
using Dapper;
using SmartTrip.Core.Hosting;
using SmartTrip.Core.Tracking;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Tracking;

/// <summary>
/// A backlog of 10 000 messages drains without starving the requests that share the instance's connection pool: the
/// drain holds at most half of it (EventsDrainService), whatever host.json lets the queue trigger run at once.
/// </summary>
[Collection(DrainBacklogCollection.Name)]
public sealed class DrainBacklogTests(EventsFixture api)
{
    private const int Messages = 10_000;

    /// <summary>Events a message (the frontend's batches hold up to 100): enough that a drain holds its connection for a while.</summary>
    private const int EventsPerMessage = 40;

    /// <summary>
    /// With the semaphore removed (every drain taking a connection as the trigger hands it a message: up to 48 at once
    /// against the host's pool of 10), session starts and catalogue reads wait for a pooled connection behind the drain.
    /// </summary>
    [Fact]
    public async Task Session_starts_and_catalogue_reads_keep_answering_while_10000_messages_drain()
    {
        Assert.Equal(EventsFixture.PoolSize / 2, EventsDrainService.DrainConnections(Npgsql.NpgsqlDataSource.Create(
            new Npgsql.NpgsqlConnectionStringBuilder(api.ConnectionString) { MaxPoolSize = EventsFixture.PoolSize }.ConnectionString)));
        await EventsFixture.ClearQueuesAsync();
        var queue = api.Queue(QueueNames.Events);
        var marker = Guid.NewGuid();
        try
        {
            await Parallel.ForAsync(0, Messages, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
                await queue.SendMessageAsync(Message(marker, i), ct));

            var latencies = new List<double>();
            var failures = new List<string>();
            var clock = Stopwatch.StartNew();
            for (var i = 0; clock.Elapsed < TimeSpan.FromSeconds(15); i++)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = i % 2 == 0
                    ? await api.Client.PostAsync("/api/session/start", new StringContent(
                        $$"""{"session_id":"{{Guid.NewGuid()}}","anonymous_id":"{{Guid.NewGuid()}}"}""", Encoding.UTF8, "application/json"))
                    : await api.Client.GetAsync("/api/countries");
                await response.Content.ReadAsStringAsync();
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if ((int)response.StatusCode != 200)
                {
                    failures.Add($"{response.RequestMessage!.RequestUri!.AbsolutePath}: {(int)response.StatusCode}");
                }
            }

            await using var db = api.Database();
            var drained = await db.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM events WHERE event_data ->> 'backlog' = @marker", new { marker = marker.ToString() });
            var waiting = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
            latencies.Sort();
            var p99 = latencies[(int)Math.Ceiling(latencies.Count * 0.99) - 1];

            Assert.Empty(failures);
            Assert.True(drained > 0, "the backlog did not drain at all while the requests were measured");
            Assert.True(waiting > 0, $"the backlog ({Messages} messages) was gone before the measurement ended; it proves nothing");
            Assert.True(p99 < 100, $"p99 {p99:F1} ms over {latencies.Count} requests (p50 {latencies[latencies.Count / 2]:F1} ms) with {drained} events drained");
        }
        finally
        {
            await EventsFixture.ClearQueuesAsync();
        }
    }

    private static string Message(Guid marker, int i) => $$"""
        {"version":1,"received_at":"{{DateTime.UtcNow:O}}","identity":null,"events":[
        {{string.Join(",", Enumerable.Range(0, EventsPerMessage).Select(k => $$"""
         {"event_id":"{{Guid.NewGuid()}}","index":{{k}},"event_type":"impression","session_id":"{{Guid.NewGuid()}}",
          "anonymous_id":"{{Guid.NewGuid()}}","trip_id":{{1 + (i + k) % 20}},"source":"search_results","recommendation_request_id":null,
          "metadata":{"backlog":"{{marker}}"},"position":{{k + 1}},"score":null,"client_timestamp":null,"page_url":null,"referrer":null}
        """))}}]}
        """;
}

/// <summary>
/// The backlog test alone: 10 000 messages keep Azurite (one Node.js process) busy enough to time out the queue calls of
/// tests running beside it, so it runs after every other collection, with a host and database of its own.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DrainBacklogCollection : ICollectionFixture<EventsFixture>
{
    public const string Name = "drain backlog";
}
