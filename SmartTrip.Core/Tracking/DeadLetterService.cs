using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Dapper;
using Npgsql;
using SmartTrip.Core.Hosting;

namespace SmartTrip.Core.Tracking;

/// <summary>Where a set-aside event waits: the dead-letter table, or the poison queue.</summary>
public enum DeadLetterStore
{
    Table,
    Poison,
}

/// <summary>One set-aside item: a dead-lettered event (its id is the row id) or a poison message (its id is the message id).</summary>
public sealed record DeadLetter(
    DeadLetterStore Store, string Id, string? EventType, Guid? EventId, string Reason, string? SqlState,
    DateTimeOffset? SetAsideAt, int? DequeueCount, string Content);

/// <summary>Counts of what waits for an operator.</summary>
public sealed record DeadLetterCounts(long Table, long Poison);

/// <summary>
/// What operators do with events that were set aside (events.md §5-§6): the rows of <c>event_dead_letters</c> (events the
/// database refused for their data) and the messages of <c>events-poison</c> (messages that failed every try, or were not
/// envelopes). List them, show one, replay them onto <c>events</c> after a fix, or purge them. Replaying is idempotent:
/// events are keyed by <c>event_id</c>, so an event stored in the meantime is not counted twice.
/// </summary>
public sealed class DeadLetterService(NpgsqlDataSource dataSource, IQueueClientFactory queues, TimeProvider clock)
{
    /// <summary>Azure Storage peeks at most this many messages at once.</summary>
    public const int MaxPeek = 32;

    /// <summary>How long a scanned page stays hidden if the scan dies before it puts the page back.</summary>
    private static readonly TimeSpan ScanVisibility = TimeSpan.FromSeconds(30);

    private const string RowColumns = "id, event_id, event_type, envelope, reason, sql_state, dead_lettered_at";

    private QueueClient Poison => queues.GetQueue(QueueNames.EventsPoison);

    public async Task<DeadLetterCounts> CountAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var table = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM event_dead_letters WHERE replayed_at IS NULL", cancellationToken: ct));
        var poison = (await Poison.GetPropertiesAsync(ct)).Value.ApproximateMessagesCount;
        return new DeadLetterCounts(table, poison);
    }

    /// <summary>The waiting rows of the table (oldest first) and up to <see cref="MaxPeek"/> poison messages.</summary>
    public async Task<IReadOnlyList<DeadLetter>> ListAsync(int limit, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {RowColumns} FROM event_dead_letters WHERE replayed_at IS NULL ORDER BY dead_lettered_at, id LIMIT @limit",
            new { limit }, cancellationToken: ct));
        var peeked = (await Poison.PeekMessagesAsync(Math.Min(limit, MaxPeek), ct)).Value;
        return
        [
            .. rows.Select(ToDeadLetter),
            .. peeked.Select(FromPoison),
        ];
    }

    private static DeadLetter FromPoison(PeekedMessage message) =>
        FromPoison(message.MessageId, message.Body, message.InsertedOn, message.DequeueCount);

    private static DeadLetter FromPoison(string messageId, BinaryData body, DateTimeOffset? insertedOn, long dequeueCount)
    {
        var text = body.ToString();
        var envelope = EventEnvelope.TryRead(text);
        return new DeadLetter(
            DeadLetterStore.Poison, messageId,
            envelope is null ? null : string.Join(",", envelope.Events.Select(e => e.EventType).Distinct()),
            envelope is { Events.Count: 1 } ? envelope.Events[0].EventId : null,
            envelope is null ? "not an event envelope" : "failed every try (the drain's log has the error)",
            null, insertedOn, (int)dequeueCount, text);
    }

    /// <summary>
    /// One dead-lettered row by its id or its event id, or a poison message by its id. A message beyond the first
    /// <see cref="MaxPeek"/> is found by <see cref="FindPoisonAsync"/>.
    /// </summary>
    public async Task<DeadLetter?> ShowAsync(string id, CancellationToken ct)
    {
        var isRowId = long.TryParse(id, out var rowId);
        var isEventId = Guid.TryParse(id, out var eventId);
        if (isRowId || isEventId)
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
                isRowId
                    ? $"SELECT {RowColumns} FROM event_dead_letters WHERE id = @rowId"
                    : $"SELECT {RowColumns} FROM event_dead_letters WHERE event_id = @eventId",
                new { rowId, eventId }, cancellationToken: ct));
            if (row is not null)
            {
                return ToDeadLetter(row);
            }
        }

        var peeked = (await Poison.PeekMessagesAsync(MaxPeek, ct)).Value;
        return peeked.Where(m => m.MessageId == id).Select(FromPoison).FirstOrDefault()
               ?? (peeked.Length < MaxPeek ? null : await FindPoisonAsync(id, ct));
    }

    /// <summary>
    /// Looks for a poison message past the first <see cref="MaxPeek"/>: a queue can only be peeked from its front, so the
    /// messages are received a page at a time (hidden for a short while, which moves the scan on) and every page is made
    /// visible again before this returns, found or not. The only trace it leaves is a dequeue count one higher.
    /// </summary>
    private async Task<DeadLetter?> FindPoisonAsync(string id, CancellationToken ct)
    {
        var held = new List<QueueMessage>();
        try
        {
            while (true)
            {
                var page = (await Poison.ReceiveMessagesAsync(MaxPeek, ScanVisibility, ct)).Value;
                if (page.Length == 0)
                {
                    return null;
                }

                held.AddRange(page);
                if (page.FirstOrDefault(m => m.MessageId == id) is { } match)
                {
                    return FromPoison(match.MessageId, match.Body, match.InsertedOn, match.DequeueCount);
                }
            }
        }
        finally
        {
            foreach (var message in held)
            {
                // Not the caller's token: a cancelled scan must still hand back what it holds.
                await Poison.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// Puts the waiting rows of the table back on <c>events</c> (each one's envelope as it came, marked as a replay) and
    /// records that they were sent; the drain marks a row replayed when it stores its event, so a replay that fails again
    /// leaves the row waiting. Then moves every poison message back to <c>events</c>. Returns how many of each were sent.
    /// </summary>
    public async Task<DeadLetterCounts> ReplayAsync(CancellationToken ct)
    {
        var events = queues.GetQueue(QueueNames.Events);
        long table = 0;
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        {
            var rows = (await connection.QueryAsync<(long Id, string Envelope)>(new CommandDefinition(
                "SELECT id, envelope FROM event_dead_letters WHERE replayed_at IS NULL ORDER BY id", cancellationToken: ct))).ToList();
            foreach (var (id, envelope) in rows)
            {
                var message = EventEnvelope.TryRead(envelope) is { } read
                    ? JsonSerializer.Serialize(read with { Replay = true }, EventEnvelope.Json)
                    : envelope;
                await events.SendMessageAsync(message, ct);
                table += await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE event_dead_letters SET replay_sent_at = @now, replays = replays + 1 WHERE id = @id",
                    new { id, now = clock.GetUtcNow() }, cancellationToken: ct));
            }
        }

        long poison = 0;
        while (true)
        {
            var received = (await Poison.ReceiveMessagesAsync(MaxPeek, TimeSpan.FromMinutes(1), ct)).Value;
            if (received.Length == 0)
            {
                break;
            }

            foreach (var message in received)
            {
                await events.SendMessageAsync(message.Body, cancellationToken: ct);
                await Poison.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct);
                poison++;
            }
        }

        return new DeadLetterCounts(table, poison);
    }

    /// <summary>Deletes the waiting rows of the table and every poison message; returns how many of each.</summary>
    public async Task<DeadLetterCounts> PurgeAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var table = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM event_dead_letters WHERE replayed_at IS NULL", cancellationToken: ct));
        var poison = (await Poison.GetPropertiesAsync(ct)).Value.ApproximateMessagesCount;
        await Poison.ClearMessagesAsync(ct);
        return new DeadLetterCounts(table, poison);
    }

    private static DeadLetter ToDeadLetter(Row row) => new(
        DeadLetterStore.Table, row.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), row.EventType, row.EventId,
        row.Reason, row.SqlState, new DateTimeOffset(DateTime.SpecifyKind(row.DeadLetteredAt, DateTimeKind.Utc)), null, row.Envelope);

    private sealed class Row
    {
        public long Id { get; init; }
        public Guid EventId { get; init; }
        public string EventType { get; init; } = "";
        public string Envelope { get; init; } = "";
        public string Reason { get; init; } = "";
        public string? SqlState { get; init; }
        public DateTime DeadLetteredAt { get; init; }
    }
}
