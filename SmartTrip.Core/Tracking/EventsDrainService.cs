using System.Collections.Concurrent;
using System.Text.Json;
using Dapper;
using Npgsql;
using SmartTrip.Core.Data;

namespace SmartTrip.Core.Tracking;

/// <summary>What one message did: events in it, events stored (the rest were already there).</summary>
public sealed record DrainResult(int Events, int Inserted, int DeadLettered);

/// <summary>
/// EventsDrain (events.md §4): stores one envelope in one transaction. Users are resolved, the events' ids claimed in
/// <c>event_ids</c> (<c>ON CONFLICT DO NOTHING</c>: events are partitioned by month, so the ids are unique there), only
/// the events whose id was new inserted, and session, user and trip-interaction counters move only for those, so a
/// redelivered message or a client's retry within the dedupe window changes nothing (decision 0012). A data error (SQLSTATE class 22 or 23) cannot
/// succeed on retry: the message is then stored event by event and only the refused events are dead-lettered. Any other
/// failure rolls everything back and is rethrown for the host to retry.
/// </summary>
public sealed class EventsDrainService(NpgsqlDataSource dataSource, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, int> _typeIds = new(StringComparer.Ordinal);

    /// <summary>
    /// Drains running at once on this instance hold at most half of its connection pool (host.json lets the queue trigger
    /// run up to batchSize + newBatchThreshold at once), so that searches, sessions and catalogue reads always find a
    /// connection while a backlog drains; the other drains wait here, their messages leased.
    /// </summary>
    private readonly SemaphoreSlim _connections = new(DrainConnections(dataSource));

    /// <summary>Half of the data source's pool (<c>Maximum Pool Size</c>, 100 when unset), at least one.</summary>
    public static int DrainConnections(NpgsqlDataSource dataSource) =>
        Math.Max(1, new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).MaxPoolSize / 2);

    private const string InsertEventsSql = """
        WITH batch AS (
            SELECT * FROM unnest(@eventIds, @userIds, @sessionIds, @anonymousIds, @typeIds, @tripIds, @requestIds, @sources,
                                 @eventData::jsonb[], @positions, @scores, @clientTimestamps, @pageUrls, @referrers)
                   WITH ORDINALITY AS e(event_id, user_id, session_id, anonymous_id, event_type_id, trip_id, request_id, source,
                                        event_data, position, score, client_timestamp, page_url, referrer, ord)
        ), fresh AS (
            INSERT INTO event_ids (event_id, received_at)
            SELECT event_id, @receivedAt FROM batch GROUP BY event_id ORDER BY event_id
            ON CONFLICT (event_id) DO NOTHING
            RETURNING event_id
        )
        INSERT INTO events (event_id, user_id, session_id, anonymous_id, event_type_id, trip_id, recommendation_request_id,
                            source, event_data, position_in_results, score_at_time, "timestamp", client_timestamp,
                            page_url, referrer, created_at)
        SELECT e.event_id, e.user_id, e.session_id, e.anonymous_id, e.event_type_id, e.trip_id, e.request_id, e.source,
               e.event_data, e.position, e.score, @receivedAt, e.client_timestamp, e.page_url, e.referrer, @now
          FROM (SELECT DISTINCT ON (b.event_id) b.* FROM batch b JOIN fresh f ON f.event_id = b.event_id ORDER BY b.event_id, b.ord) e
         ORDER BY e.ord -- ids in message order; a repeated event_id is stored once, as its first copy
        RETURNING event_id
        """;

    private const string SessionCountersSql = """
        SELECT 1 FROM sessions WHERE session_id = ANY(@sessionIds) ORDER BY session_id FOR NO KEY UPDATE;
        UPDATE sessions s
           SET search_count = s.search_count + c.searches, click_count = s.click_count + c.clicks,
               save_count = s.save_count + c.saves, contact_count = s.contact_count + c.contacts
          FROM unnest(@sessionIds, @searches, @clicks, @saves, @contacts) AS c(session_id, searches, clicks, saves, contacts)
         WHERE s.session_id = c.session_id
        """;

    private const string UserCountersSql = """
        SELECT 1 FROM users WHERE id = ANY(@userIds) ORDER BY id FOR NO KEY UPDATE;
        UPDATE users u
           SET total_searches = u.total_searches + c.searches, total_clicks = u.total_clicks + c.clicks,
               last_seen_at = GREATEST(u.last_seen_at, @receivedAt), updated_at = @now
          FROM unnest(@userIds, @searches, @clicks) AS c(user_id, searches, clicks)
         WHERE u.id = c.user_id
        """;

    /// <summary>
    /// A counters row only for a trip the catalogue knows (a <c>trip_occurrences</c> id): an event naming a made-up trip
    /// is stored, but creates no row and moves no counter (the update below only finds rows that exist).
    /// </summary>
    private const string EnsureTripsSql = """
        INSERT INTO trip_interactions (trip_id)
        SELECT o.id FROM trip_occurrences o WHERE o.id = ANY(@tripIds) ORDER BY 1
        ON CONFLICT (trip_id) DO NOTHING
        """;

    /// <summary>
    /// A message's events applied to each trip's counters at once, trips locked in id order (§4.4). Applying the
    /// events one by one gives the same row: counters are sums, rates depend only on the final counters (a zero
    /// denominator keeps the old rate either way), and the dwell average is the one computed at the trip's last
    /// positive dwell event, from the clicks counted before it (<c>clicks_before_dwell</c>) and the dwell total up to
    /// it (<c>dwell_until_last</c>).
    /// </summary>
    private const string TripCountersSql = """
        SELECT 1 FROM trip_interactions WHERE trip_id = ANY(@tripIds) ORDER BY trip_id FOR NO KEY UPDATE;
        WITH added AS (
            -- Unique viewers and clickers as they come (migration 0012): a (trip, kind, browser) not seen before is
            -- inserted into trip_audience, in key order, and adds one to its trip's counter; one already there adds nothing.
            INSERT INTO trip_audience (trip_id, kind, anonymous_id)
            SELECT * FROM unnest(@audienceTrips, @audienceKinds, @audienceBrowsers) AS a(trip_id, kind, anonymous_id) ORDER BY 1, 2, 3
            ON CONFLICT DO NOTHING
            RETURNING trip_id, kind),
        audience AS (
            SELECT trip_id, count(*) FILTER (WHERE kind = 1) AS viewers, count(*) FILTER (WHERE kind = 2) AS clickers
              FROM added GROUP BY trip_id)
        UPDATE trip_interactions t SET
               unique_viewers = t.unique_viewers + coalesce(n.viewers, 0),
               unique_clickers = t.unique_clickers + coalesce(n.clickers, 0),
               impression_count = t.impression_count + c.impressions,
               click_count = t.click_count + c.clicks,
               total_dwell_time_seconds = t.total_dwell_time_seconds + c.dwell,
               avg_dwell_time_seconds = CASE WHEN c.has_dwell AND t.click_count + c.clicks_before_dwell > 0
                                             THEN (t.total_dwell_time_seconds + c.dwell_until_last) / (t.click_count + c.clicks_before_dwell)
                                             ELSE t.avg_dwell_time_seconds END,
               save_count = t.save_count + c.saves,
               whatsapp_contact_count = t.whatsapp_contact_count + c.whatsapp,
               phone_contact_count = t.phone_contact_count + c.phone,
               booking_start_count = t.booking_start_count + c.bookings,
               last_clicked_at = CASE WHEN c.clicks > 0 THEN @receivedAt ELSE t.last_clicked_at END,
               click_through_rate = CASE WHEN t.impression_count + c.impressions > 0
                                         THEN round((t.click_count + c.clicks)::numeric / (t.impression_count + c.impressions), 4)
                                         ELSE t.click_through_rate END,
               save_rate = CASE WHEN t.click_count + c.clicks > 0
                                THEN round((t.save_count + c.saves)::numeric / (t.click_count + c.clicks), 4) ELSE t.save_rate END,
               contact_rate = CASE WHEN t.click_count + c.clicks > 0
                                   THEN round((t.whatsapp_contact_count + c.whatsapp + t.phone_contact_count + c.phone)::numeric
                                              / (t.click_count + c.clicks), 4)
                                   ELSE t.contact_rate END,
               updated_at = @now
          FROM unnest(@tripIds, @impressions, @clicks, @dwell, @hasDwell, @clicksBeforeDwell, @dwellUntilLast,
                      @saves, @whatsapp, @phone, @bookings)
               AS c(trip_id, impressions, clicks, dwell, has_dwell, clicks_before_dwell, dwell_until_last, saves, whatsapp, phone, bookings)
          LEFT JOIN audience n ON n.trip_id = c.trip_id
         WHERE t.trip_id = c.trip_id
        """;

    public async Task<DrainResult> DrainAsync(EventEnvelope envelope, CancellationToken ct)
    {
        await _connections.WaitAsync(ct);
        try
        {
            return await DrainHoldingAsync(envelope, ct);
        }
        finally
        {
            _connections.Release();
        }
    }

    private async Task<DrainResult> DrainHoldingAsync(EventEnvelope envelope, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await EnsureTypeIdsAsync(connection, ct);
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(ct);
            var stored = await StoreAsync(connection, transaction, envelope, now, ct);
            await transaction.CommitAsync(ct);
            return new DrainResult(envelope.Events.Count, stored, 0);
        }
        catch (PostgresException e) when (DatabaseErrors.IsDataError(e))
        {
            // Some event's data cannot be stored; retrying the message cannot change that. Store the others.
            return await IsolateAsync(connection, envelope, now, ct);
        }
    }

    /// <summary>
    /// Stores a message event by event, each under its own savepoint in one transaction: an event the database refuses
    /// for its data is rolled back to its savepoint and kept in <c>event_dead_letters</c> with its one-event envelope,
    /// the reason and the SQLSTATE; every other event is stored with its counters exactly as the whole message would
    /// have stored it (counters applied event by event equal counters applied at once, see <see cref="TripCountersSql"/>).
    /// </summary>
    private async Task<DrainResult> IsolateAsync(NpgsqlConnection connection, EventEnvelope envelope, DateTimeOffset now, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var stored = 0;
        var deadLettered = 0;
        foreach (var item in envelope.Events)
        {
            var single = envelope with { Events = [item] };
            await transaction.SaveAsync("event", ct);
            try
            {
                stored += await StoreAsync(connection, transaction, single, now, ct);
                await transaction.ReleaseAsync("event", ct);
            }
            catch (PostgresException e) when (DatabaseErrors.IsDataError(e))
            {
                await transaction.RollbackAsync("event", ct);
                deadLettered += await connection.ExecuteAsync(new CommandDefinition(DeadLetterSql, new
                {
                    eventId = item.EventId,
                    eventType = item.EventType,
                    envelope = JsonSerializer.Serialize(single, EventEnvelope.Json),
                    reason = e.MessageText,
                    sqlState = e.SqlState,
                    receivedAt = envelope.ReceivedAt,
                    now,
                }, transaction, cancellationToken: ct));
            }
        }

        await transaction.CommitAsync(ct);
        return new DrainResult(envelope.Events.Count, stored, deadLettered);
    }

    /// <summary>A replayed dead letter's row is marked replayed once its event is in <c>events</c> (stored now or before).</summary>
    private const string MarkReplayedSql = """
        UPDATE event_dead_letters d SET replayed_at = @now
         WHERE d.event_id = ANY(@eventIds) AND d.replayed_at IS NULL
           AND EXISTS (SELECT 1 FROM event_ids i WHERE i.event_id = d.event_id)
        """;

    private const string DeadLetterSql = """
        INSERT INTO event_dead_letters (event_id, event_type, envelope, reason, sql_state, received_at, dead_lettered_at)
        VALUES (@eventId, @eventType, @envelope, @reason, @sqlState, @receivedAt, @now)
        ON CONFLICT (event_id) DO NOTHING
        """;

    /// <summary>Resolves the users, inserts the events that are new and moves the counters for them; returns how many.</summary>
    private async Task<int> StoreAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, EventEnvelope envelope, DateTimeOffset now, CancellationToken ct)
    {
        var receivedAt = envelope.ReceivedAt;
        var users = new Dictionary<Guid, int>();
        // Rows are always locked in key order (anonymous ids, then sessions, users and trips by id), and with
        // FOR NO KEY UPDATE, which does not conflict with the key-share locks the events' foreign keys take, so
        // messages drained in parallel wait for each other instead of deadlocking.
        foreach (var anonymousId in envelope.Events.Select(e => e.AnonymousId).Distinct().Order())
        {
            users[anonymousId] = await UserResolver.ResolveAsync(connection, transaction, anonymousId, envelope.Identity, receivedAt, touchGuest: false);
        }

        var events = envelope.Events;
        var inserted = (await connection.QueryAsync<Guid>(new CommandDefinition(InsertEventsSql, new
        {
            receivedAt, now,
            eventIds = events.Select(e => e.EventId).ToArray(),
            userIds = events.Select(e => users[e.AnonymousId]).ToArray(),
            sessionIds = events.Select(e => e.SessionId).ToArray(),
            anonymousIds = events.Select(e => e.AnonymousId).ToArray(),
            typeIds = events.Select(e => TypeId(e.EventType)).ToArray(),
            tripIds = events.Select(e => e.TripId).ToArray(),
            requestIds = events.Select(e => e.RecommendationRequestId).ToArray(),
            sources = events.Select(e => e.Source).ToArray(),
            eventData = events.Select(e => e.Metadata.GetRawText()).ToArray(),
            positions = events.Select(e => e.Position).ToArray(),
            scores = events.Select(e => e.Score).ToArray(),
            clientTimestamps = events.Select(e => e.ClientTimestamp).ToArray(),
            pageUrls = events.Select(e => e.PageUrl).ToArray(),
            referrers = events.Select(e => e.Referrer).ToArray(),
        }, transaction, cancellationToken: ct))).ToHashSet();

        // The events this transaction stored, in message order (a repeated event_id counts once).
        var stored = events.Where(e => inserted.Remove(e.EventId)).ToList();
        if (stored.Count > 0)
        {
            await ApplyCountersAsync(connection, transaction, stored, users, receivedAt, now, ct);
        }

        if (envelope.Replay)
        {
            await connection.ExecuteAsync(new CommandDefinition(MarkReplayedSql,
                new { eventIds = events.Select(e => e.EventId).ToArray(), now }, transaction, cancellationToken: ct));
        }

        return stored.Count;
    }

    private static async Task ApplyCountersAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<TrackedEvent> stored,
        IReadOnlyDictionary<Guid, int> users, DateTimeOffset receivedAt, DateTimeOffset now, CancellationToken ct)
    {
        static int Count(IEnumerable<TrackedEvent> events, params string[] types) => events.Count(e => types.Contains(e.EventType));

        var sessions = stored.GroupBy(e => e.SessionId).OrderBy(g => g.Key).ToList();
        var byUser = stored.GroupBy(e => users[e.AnonymousId]).OrderBy(g => g.Key).ToList();
        await connection.ExecuteAsync(new CommandDefinition(SessionCountersSql, new
        {
            sessionIds = sessions.Select(g => g.Key).ToArray(),
            searches = sessions.Select(g => Count(g, "search_submit")).ToArray(),
            clicks = sessions.Select(g => Count(g, "click_trip")).ToArray(),
            saves = sessions.Select(g => Count(g, "save_trip")).ToArray(),
            contacts = sessions.Select(g => Count(g, "contact_whatsapp", "contact_phone")).ToArray(),
        }, transaction, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(UserCountersSql, new
        {
            receivedAt, now,
            userIds = byUser.Select(g => g.Key).ToArray(),
            searches = byUser.Select(g => Count(g, "search_submit")).ToArray(),
            clicks = byUser.Select(g => Count(g, "click_trip")).ToArray(),
        }, transaction, cancellationToken: ct));

        var trips = stored
            .Where(e => e.TripId is not null && EventCatalog.TouchesTripInteractions(e.EventType))
            .GroupBy(e => e.TripId!.Value)
            .OrderBy(g => g.Key)
            .Select(TripDelta.Of)
            .ToList();
        if (trips.Count == 0)
        {
            return;
        }

        // Each browser that saw or clicked a trip (the counters' statement keeps the ones it had not seen before).
        var audience = stored
            .Where(e => e.TripId is not null && e.EventType is "impression" or "click_trip")
            .Select(e => (Trip: e.TripId!.Value, Kind: e.EventType == "impression" ? (short)1 : (short)2, Browser: e.AnonymousId))
            .Distinct()
            .ToList();
        var tripIds = trips.Select(t => t.TripId).ToArray();
        await connection.ExecuteAsync(new CommandDefinition(EnsureTripsSql, new { tripIds }, transaction, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(TripCountersSql, new
        {
            receivedAt, now, tripIds,
            impressions = trips.Select(t => t.Impressions).ToArray(),
            clicks = trips.Select(t => t.Clicks).ToArray(),
            dwell = trips.Select(t => t.Dwell).ToArray(),
            hasDwell = trips.Select(t => t.HasDwell).ToArray(),
            clicksBeforeDwell = trips.Select(t => t.ClicksBeforeDwell).ToArray(),
            dwellUntilLast = trips.Select(t => t.DwellUntilLast).ToArray(),
            saves = trips.Select(t => t.Saves).ToArray(),
            whatsapp = trips.Select(t => t.Whatsapp).ToArray(),
            phone = trips.Select(t => t.Phone).ToArray(),
            bookings = trips.Select(t => t.Bookings).ToArray(),
            audienceTrips = audience.Select(a => a.Trip).ToArray(),
            audienceKinds = audience.Select(a => a.Kind).ToArray(),
            audienceBrowsers = audience.Select(a => a.Browser).ToArray(),
        }, transaction, cancellationToken: ct));
    }

    /// <summary>What one message's stored events add to one trip, walked in message order.</summary>
    private sealed record TripDelta(
        int TripId, int Impressions, int Clicks, int Dwell, bool HasDwell, int ClicksBeforeDwell, int DwellUntilLast,
        int Saves, int Whatsapp, int Phone, int Bookings)
    {
        public static TripDelta Of(IGrouping<int, TrackedEvent> events)
        {
            var delta = new TripDelta(events.Key, 0, 0, 0, false, 0, 0, 0, 0, 0, 0);
            foreach (var e in events)
            {
                delta = e.EventType switch
                {
                    "impression" => delta with { Impressions = delta.Impressions + 1 },
                    "click_trip" => delta with { Clicks = delta.Clicks + 1 },
                    "save_trip" => delta with { Saves = delta.Saves + 1 },
                    "contact_whatsapp" => delta with { Whatsapp = delta.Whatsapp + 1 },
                    "contact_phone" => delta with { Phone = delta.Phone + 1 },
                    "booking_start" => delta with { Bookings = delta.Bookings + 1 },
                    "trip_dwell_time" when DwellSeconds(e.Metadata) is var d and > 0 => delta with
                    {
                        Dwell = delta.Dwell + d,
                        HasDwell = true,
                        ClicksBeforeDwell = delta.Clicks,
                        DwellUntilLast = delta.Dwell + d,
                    },
                    _ => delta,
                };
            }

            return delta;
        }
    }

    /// <summary><c>metadata.duration_seconds</c> rounded half away from zero (PostgreSQL <c>numeric::int</c>); absent = 0.</summary>
    internal static int DwellSeconds(JsonElement metadata) =>
        metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("duration_seconds", out var value) &&
        value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var seconds)
            ? (int)Math.Round(seconds, MidpointRounding.AwayFromZero)
            : 0;

    private int TypeId(string name) =>
        _typeIds.TryGetValue(name, out var id)
            ? id
            : throw new InvalidOperationException($"Event type '{name}' has no event_types row; the database is not migrated.");

    private async Task EnsureTypeIdsAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        if (!_typeIds.IsEmpty)
        {
            return;
        }

        foreach (var (id, name) in await connection.QueryAsync<(int, string)>(new CommandDefinition("SELECT id, name FROM event_types", cancellationToken: ct)))
        {
            _typeIds[name] = id;
        }
    }
}
