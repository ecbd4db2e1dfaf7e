using Dapper;
using Npgsql;

namespace SmartTrip.Core.Analytics;

/// <summary>
/// The trip-interaction columns the drain does not keep (analytics.md §5 step 3): unique viewers and clickers (all time)
/// and the 7-day impression and click counts of every <c>trip_interactions</c> row, in one set-based UPDATE.
/// </summary>
public sealed class TripInteractionRecompute(NpgsqlDataSource dataSource)
{
    /// <summary>Advisory lock held by the recompute ("SmTrRcmp" as a 64-bit number).</summary>
    private const long LockKey = 0x536D_5472_5263_6D70;

    /// <summary>
    /// One pass per event type over ix_events_trip_interaction (index-only scans that already come in trip order, so the
    /// grouping needs no sort of the whole set); the type ids are read first.
    /// </summary>
    private const string RecomputeSql = """
        WITH viewed AS (
            SELECT trip_id, count(DISTINCT anonymous_id) AS viewers, count(*) FILTER (WHERE "timestamp" >= @since) AS impressions
              FROM events
             WHERE trip_id IS NOT NULL AND event_type_id = @impression
             GROUP BY trip_id),
        clicked AS (
            SELECT trip_id, count(DISTINCT anonymous_id) AS clickers, count(*) FILTER (WHERE "timestamp" >= @since) AS clicks
              FROM events
             WHERE trip_id IS NOT NULL AND event_type_id = @click
             GROUP BY trip_id)
        UPDATE trip_interactions i
           SET unique_viewers = coalesce(v.viewers, 0), unique_clickers = coalesce(c.clickers, 0),
               impressions_7d = coalesce(v.impressions, 0), clicks_7d = coalesce(c.clicks, 0), updated_at = @now
          FROM trip_interactions o
          LEFT JOIN viewed v ON v.trip_id = o.trip_id
          LEFT JOIN clicked c ON c.trip_id = o.trip_id
         WHERE i.id = o.id
        """;

    /// <summary>The statement (<c>impression</c>, <c>click</c>, <c>since</c>, <c>now</c>), for the analytics scale run.</summary>
    internal static string Statement => RecomputeSql;

    public async Task RunAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var types = (await connection.QueryAsync<(string Name, int Id)>(new CommandDefinition(
            "SELECT name, id FROM event_types WHERE name IN ('impression', 'click_trip')", cancellationToken: ct))).ToDictionary(t => t.Name, t => t.Id);
        // Two runs at once (the timer and a backfill) would update the same rows, maybe in different orders: the
        // second waits for the first instead of risking a deadlock.
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@LockKey)", new { LockKey }, transaction, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(RecomputeSql, new
        {
            since = now.AddDays(-7), now, impression = types["impression"], click = types["click_trip"],
        }, transaction, commandTimeout: 600, cancellationToken: ct));
        await transaction.CommitAsync(ct);
    }
}
