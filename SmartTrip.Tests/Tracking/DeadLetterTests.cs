using Dapper;
using Microsoft.Extensions.DependencyInjection;
using SmartTrip.Core.Hosting;
using SmartTrip.Core.Tracking;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Tracking;

/// <summary>Operating what the drain set aside: list, show, replay after a fix (once), purge; and health's warnings.</summary>
[Collection(EventPipelineCollection.Name)]
public sealed class DeadLetterTests(EventsFixture api)
{
    private static string Message(Guid eventId, Guid session, Guid anonymous, string pageUrl) => $$"""
        {"version":1,"received_at":"2026-11-25T10:00:00.125Z","identity":null,"events":[
         {"event_id":"{{eventId}}","index":0,"event_type":"page_view","session_id":"{{session}}","anonymous_id":"{{anonymous}}",
          "trip_id":null,"source":null,"recommendation_request_id":null,"metadata":{},"position":null,"score":null,
          "client_timestamp":null,"page_url":"{{pageUrl}}","referrer":null}]}
        """;

    [Fact]
    public async Task A_dead_letter_is_listed_shown_and_replayed_once_after_the_fix_and_health_warns_meanwhile()
    {
        await EventsFixture.ClearQueuesAsync();
        await using var services = api.CoreServices();
        var letters = services.GetRequiredService<DeadLetterService>();
        await letters.PurgeAsync(CancellationToken.None);
        var (eventId, session, anonymous) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await using var db = api.Database();
        // A constraint the event breaks (SQLSTATE 23514) stands for a bug in the schema that a later release fixes.
        await db.ExecuteAsync("ALTER TABLE events ADD CONSTRAINT refuse_marked CHECK (page_url IS DISTINCT FROM 'https://example.com/refused')");
        try
        {
            await api.Queue(QueueNames.Events).SendMessageAsync(Message(eventId, session, anonymous, "https://example.com/refused"));
            await api.WaitUntilAsync("SELECT count(*) = 1 FROM event_dead_letters WHERE event_id = @eventId", new { eventId });

            var listed = Assert.Single(await letters.ListAsync(50, CancellationToken.None), d => d.EventId == eventId);
            Assert.Equal((DeadLetterStore.Table, "page_view", "23514"), (listed.Store, listed.EventType, listed.SqlState));
            Assert.Contains("refuse_marked", listed.Reason);
            Assert.Equal(listed, await letters.ShowAsync(eventId.ToString(), CancellationToken.None));
            Assert.Equal(listed, await letters.ShowAsync(listed.Id, CancellationToken.None));
            Assert.Equal(1, (await letters.CountAsync(CancellationToken.None)).Table);

            var (status, health) = await api.SendWithKeyAsync(HttpMethod.Get, "/api/health/details");
            Assert.Equal(200, status); // a warning, not an outage
            Assert.Equal(1, health.GetProperty("dead_letters").GetProperty("events").GetInt64());

            // Replayed before the fix: the drain refuses it again, so the row stays waiting (on the old code the replay
            // marked it replayed when it was sent, and the count fell to 0 with the event stored nowhere).
            Assert.Equal(new DeadLetterCounts(1, 0), await letters.ReplayAsync(CancellationToken.None));
            await WaitUntilQueueIsEmptyAsync();
            Assert.Equal(1, (await letters.CountAsync(CancellationToken.None)).Table);
            Assert.Equal((1, (DateTime?)null), await db.QuerySingleAsync<(int, DateTime?)>(
                "SELECT replays, replayed_at FROM event_dead_letters WHERE event_id = @eventId", new { eventId }));
            Assert.Equal(0, await db.ExecuteScalarAsync<long>("SELECT count(*) FROM events WHERE event_id = @eventId", new { eventId }));
        }
        finally
        {
            await db.ExecuteAsync("ALTER TABLE events DROP CONSTRAINT refuse_marked");
        }

        var replayed = await letters.ReplayAsync(CancellationToken.None);
        await api.WaitUntilAsync("SELECT count(*) = 1 FROM events WHERE event_id = @eventId", new { eventId });
        var again = await letters.ReplayAsync(CancellationToken.None);

        Assert.Equal(new DeadLetterCounts(1, 0), replayed);
        Assert.Equal(new DeadLetterCounts(0, 0), again);
        Assert.Equal(0, (await letters.CountAsync(CancellationToken.None)).Table);
        Assert.NotNull(await db.ExecuteScalarAsync<DateTime?>("SELECT replayed_at FROM event_dead_letters WHERE event_id = @eventId", new { eventId }));
        Assert.Equal(2, await db.ExecuteScalarAsync<int>("SELECT replays FROM event_dead_letters WHERE event_id = @eventId", new { eventId }));
    }

    /// <summary>Dead letters are kept Lifecycle__DeadLetterRetentionDays, replayed or not; the maintenance run deletes older ones.</summary>
    [Fact]
    public async Task Dead_letters_past_their_retention_are_deleted_by_the_maintenance_run()
    {
        await using var db = api.Database();
        var (old, recent) = (Guid.NewGuid(), Guid.NewGuid());
        await using var services = api.CoreServices();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        const string insert = """
            INSERT INTO event_dead_letters (event_id, event_type, envelope, reason, received_at, dead_lettered_at)
            VALUES (@id, 'page_view', '{}', 'test', @at, @at)
            """;
        await db.ExecuteAsync(insert, new { id = old, at = now.AddDays(-30).AddMinutes(-1) });
        await db.ExecuteAsync(insert, new { id = recent, at = now.AddDays(-30).AddMinutes(1) });

        var result = await services.GetRequiredService<SmartTrip.Core.Data.PartitionMaintenance>().RunAsync(CancellationToken.None);

        Assert.True(result.DeadLettersDeleted >= 1);
        Assert.Equal([recent], await db.QueryAsync<Guid>("SELECT event_id FROM event_dead_letters WHERE event_id = ANY(@ids)", new { ids = new[] { old, recent } }));
    }

    private async Task WaitUntilQueueIsEmptyAsync()
    {
        var queue = api.Queue(QueueNames.Events);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the events queue was not drained within 60 s");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Poison_messages_are_listed_replayed_onto_the_events_queue_and_purged()
    {
        await EventsFixture.ClearQueuesAsync();
        await using var services = api.CoreServices();
        var letters = services.GetRequiredService<DeadLetterService>();
        var (eventId, session, anonymous) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var poison = api.Queue(QueueNames.EventsPoison);
        await poison.SendMessageAsync(Message(eventId, session, anonymous, "https://example.com/ok"));

        var listed = Assert.Single(await letters.ListAsync(50, CancellationToken.None), d => d.Store == DeadLetterStore.Poison);
        Assert.Equal((eventId, "page_view"), (listed.EventId, listed.EventType));
        Assert.Equal(1, (await letters.CountAsync(CancellationToken.None)).Poison);

        Assert.Equal(new DeadLetterCounts(0, 1), await letters.ReplayAsync(CancellationToken.None));
        await api.WaitUntilAsync("SELECT count(*) = 1 FROM events WHERE event_id = @eventId", new { eventId });

        // What an operator is told about each kind of poison message, listed and shown by its message id.
        var junk = (await poison.SendMessageAsync("not an envelope")).Value.MessageId;
        var pair = Message(Guid.NewGuid(), session, anonymous, "https://example.com/1").Replace("]}", "") + "," +
                   Message(Guid.NewGuid(), session, anonymous, "https://example.com/2").Split("\"events\":[")[1]
                       .Replace("\"page_view\"", "\"search_submit\"");
        var batch = (await poison.SendMessageAsync(pair)).Value.MessageId;
        var poisoned = (await letters.ListAsync(50, CancellationToken.None)).Where(d => d.Store == DeadLetterStore.Poison).ToList();
        Assert.Equal([junk, batch], poisoned.Select(d => d.Id));
        Assert.Equal((null, null, "not an event envelope", "not an envelope"),
            (poisoned[0].EventType, poisoned[0].EventId, poisoned[0].Reason, poisoned[0].Content));
        Assert.Equal(("page_view,search_submit", (Guid?)null, "failed every try (the drain's log has the error)"),
            (poisoned[1].EventType, poisoned[1].EventId, poisoned[1].Reason));
        Assert.Equal(poisoned[1], await letters.ShowAsync(batch, CancellationToken.None));
        Assert.Equal(new DeadLetterCounts(0, 2), await letters.PurgeAsync(CancellationToken.None));
        Assert.Equal(0, (await letters.CountAsync(CancellationToken.None)).Poison);
    }

    [Fact]
    public async Task A_poison_message_past_the_first_page_is_shown_and_every_message_stays_visible()
    {
        await EventsFixture.ClearQueuesAsync();
        await using var services = api.CoreServices();
        var letters = services.GetRequiredService<DeadLetterService>();
        var poison = api.Queue(QueueNames.EventsPoison);
        var sent = new List<(string Id, Guid EventId)>();
        for (var i = 0; i < 2 * DeadLetterService.MaxPeek + 6; i++)
        {
            var eventId = Guid.NewGuid();
            var receipt = await poison.SendMessageAsync(Message(eventId, Guid.NewGuid(), Guid.NewGuid(), $"https://example.com/{i}"));
            sent.Add((receipt.Value.MessageId, eventId));
        }

        // Mutation: answering from the first peeked page only makes the last message unknown.
        var last = await letters.ShowAsync(sent[^1].Id, CancellationToken.None);
        Assert.NotNull(last);
        Assert.Equal((DeadLetterStore.Poison, sent[^1].EventId, "page_view"), (last.Store, last.EventId, last.EventType));
        Assert.Contains("https://example.com/69", last.Content);
        Assert.Null(await letters.ShowAsync("no-such-message", CancellationToken.None));

        // Every scanned page was handed back at once: all 70 can be received now, not after the scan's 30 s.
        var visible = new HashSet<string>();
        for (var page = 0; page < 4; page++)
        {
            foreach (var message in (await poison.ReceiveMessagesAsync(DeadLetterService.MaxPeek, TimeSpan.FromMinutes(1))).Value)
            {
                visible.Add(message.MessageId);
            }
        }

        Assert.Equal(sent.Select(s => s.Id).ToHashSet(), visible);
        await poison.ClearMessagesAsync();
    }
}
