using System.Collections.Concurrent;
using System.Text.Json;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace SmartTrip.Core.Tracking;

/// <summary>What one message did: events in it, events stored (the rest were already there).</summary>
public sealed record DrainResult(int Events, int Inserted);

/// <summary>
/// EventsDrain (events.md §4): stores one envelope in one transaction. Users are resolved, events inserted with
/// <c>ON CONFLICT (event_id) DO NOTHING</c>, and session, user and trip-interaction counters move only for the rows
/// this transaction inserted, so a redelivered message changes nothing. Any failure rolls everything back and is
/// rethrown for the host to retry.
/// </summary>
public sealed class EventsDrainService(NpgsqlDataSource dataSource, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, int> _typeIds = new(StringComparer.Ordinal);

    private const string InsertEventsSql = """
        INSERT INTO events (event_id, user_id, session_id, anonymous_id, event_type_id, trip_id, recommendation_request_id,
                            source, event_data, position_in_results, score_at_time, "timestamp", client_timestamp,
                            page_url, referrer, created_at)
        SELECT e.event_id, e.user_id, e.session_id, e.anonymous_id, e.event_type_id, e.trip_id, e.request_id, e.source,
               e.event_data, e.position, e.score, @receivedAt, e.client_timestamp, e.page_url, e.referrer, @now
          FROM unnest(@eventIds, @userIds, @sessionIds, @anonymousIds, @typeIds, @tripIds, @requestIds, @sources,
                      @eventData::jsonb[], @positions, @scores, @clientTimestamps, @pageUrls, @referrers)
               AS e(event_id, user_id, session_id, anonymous_id, event_type_id, trip_id, request_id, source, event_data,
                    position, score, client_timestamp, page_url, referrer)
        ON CONFLICT (event_id) DO NOTHING
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

    private const string EnsureTripsSql =
        "INSERT INTO trip_interactions (trip_id) SELECT unnest(@tripIds) ORDER BY 1 ON CONFLICT (trip_id) DO NOTHING";

    /// <summary>One event applied to its trip's counters, rates recomputed from the new counters (§4.4).</summary>
    private const string TripEventSql = """
        UPDATE trip_interactions SET
               impression_count = impression_count + @impressions,
               click_count = click_count + @clicks,
               total_dwell_time_seconds = total_dwell_time_seconds + @dwell,
               avg_dwell_time_seconds = CASE WHEN @dwell > 0 AND click_count + @clicks > 0
                                             THEN (total_dwell_time_seconds + @dwell) / (click_count + @clicks)
                                             ELSE avg_dwell_time_seconds END,
               save_count = save_count + @saves,
               whatsapp_contact_count = whatsapp_contact_count + @whatsapp,
               phone_contact_count = phone_contact_count + @phone,
               booking_start_count = booking_start_count + @bookings,
               last_clicked_at = CASE WHEN @clicks > 0 THEN @receivedAt ELSE last_clicked_at END,
               click_through_rate = CASE WHEN impression_count + @impressions > 0
                                         THEN round((click_count + @clicks)::numeric / (impression_count + @impressions), 4)
                                         ELSE click_through_rate END,
               save_rate = CASE WHEN click_count + @clicks > 0
                                THEN round((save_count + @saves)::numeric / (click_count + @clicks), 4) ELSE save_rate END,
               contact_rate = CASE WHEN click_count + @clicks > 0
                                   THEN round((whatsapp_contact_count + @whatsapp + phone_contact_count + @phone)::numeric
                                              / (click_count + @clicks), 4)
                                   ELSE contact_rate END,
               updated_at = @now
         WHERE trip_id = @tripId
        """;

    public async Task<DrainResult> DrainAsync(EventEnvelope envelope, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var receivedAt = envelope.ReceivedAt;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await EnsureTypeIdsAsync(connection, ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);

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

        await transaction.CommitAsync(ct);
        return new DrainResult(events.Count, stored.Count);
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

        // Trip counters: per event, in message order within each trip (the dwell average depends on it), trips in id order.
        var tripEvents = stored
            .Where(e => e.TripId is not null && EventCatalog.TouchesTripInteractions(e.EventType))
            .OrderBy(e => e.TripId)
            .ToList();
        if (tripEvents.Count == 0)
        {
            return;
        }

        await using var batch = new NpgsqlBatch(connection, transaction);
        var ensure = new NpgsqlBatchCommand(EnsureTripsSql);
        ensure.Parameters.Add(new NpgsqlParameter<int[]>("tripIds", tripEvents.Select(e => e.TripId!.Value).Distinct().ToArray()));
        batch.BatchCommands.Add(ensure);
        foreach (var e in tripEvents)
        {
            var command = new NpgsqlBatchCommand(TripEventSql);
            int Is(string type) => e.EventType == type ? 1 : 0;
            command.Parameters.Add(new NpgsqlParameter<int>("tripId", e.TripId!.Value));
            command.Parameters.Add(new NpgsqlParameter<int>("impressions", Is("impression")));
            command.Parameters.Add(new NpgsqlParameter<int>("clicks", Is("click_trip")));
            command.Parameters.Add(new NpgsqlParameter<int>("dwell", e.EventType == "trip_dwell_time" ? DwellSeconds(e.Metadata) : 0));
            command.Parameters.Add(new NpgsqlParameter<int>("saves", Is("save_trip")));
            command.Parameters.Add(new NpgsqlParameter<int>("whatsapp", Is("contact_whatsapp")));
            command.Parameters.Add(new NpgsqlParameter<int>("phone", Is("contact_phone")));
            command.Parameters.Add(new NpgsqlParameter<int>("bookings", Is("booking_start")));
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("receivedAt", receivedAt));
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now));
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(ct);
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
