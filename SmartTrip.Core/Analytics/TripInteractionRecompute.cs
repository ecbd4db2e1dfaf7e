using Dapper;
using Npgsql;

namespace SmartTrip.Core.Analytics;

/// <summary>
/// The trip-interaction columns that depend on the time of the run (analytics.md §5 step 3): the 7-day impression and
/// click counts of every <c>trip_interactions</c> row, in one set-based UPDATE over the last seven days of events only
/// (the partitions of that week). Unique viewers and clickers are kept by the drain as events arrive (trip_audience,
/// decision 0012), so the run's cost does not grow with history.
/// </summary>
public sealed class TripInteractionRecompute(NpgsqlDataSource dataSource)
{
    /// <summary>Advisory lock held by the recompute ("SmTrRcmp" as a 64-bit number).</summary>
    private const long LockKey = 0x536D_5472_5263_6D70;

    private const string RecomputeSql = """
        WITH recent AS (
            SELECT trip_id, count(*) FILTER (WHERE event_type_id = @impression) AS impressions,
                   count(*) FILTER (WHERE event_type_id = @click) AS clicks
              FROM events
             WHERE "timestamp" >= @since AND trip_id IS NOT NULL AND event_type_id IN (@impression, @click)
             GROUP BY trip_id)
        UPDATE trip_interactions i
           SET impressions_7d = coalesce(r.impressions, 0), clicks_7d = coalesce(r.clicks, 0), updated_at = @now
          FROM trip_interactions o
          LEFT JOIN recent r ON r.trip_id = o.trip_id
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
