using System.Text.Json.Serialization;
using Dapper;
using Npgsql;
using SmartTrip.Core.Analytics;

namespace SmartTrip.Core.Experiments;

/// <summary>What the log's swaps say of each position's examination (docs/experiments.md §12).</summary>
public sealed record PositionBiasReport
{
    [JsonPropertyName("days")] public int Days { get; init; }

    /// <summary>Searches logged under a swap slice in those days.</summary>
    [JsonPropertyName("searches")] public int Searches { get; init; }

    [JsonPropertyName("positions")] public IReadOnlyList<PositionExamination> Positions { get; init; } = [];
}

/// <summary>Reads the searches of the last days logged under a swap slice, and their attributed clicks, and estimates position bias.</summary>
public sealed class PositionBiasService(NpgsqlDataSource dataSource, TimeProvider clock)
{
    private sealed class Row
    {
        public Guid RequestId { get; init; }
        public int[] ResultTripIds { get; init; } = [];
        public int[]? RankedTripIds { get; init; }
        public float ExplorationShare { get; init; }
        public short ExplorationDepth { get; init; }
        public int[] Clicked { get; init; } = [];
    }

    private const string Sql = $"""
        WITH searches AS (
            SELECT id, request_id, session_id, created_at, result_trip_ids, ranked_trip_ids, exploration_share, exploration_depth
              FROM recommendation_requests
             WHERE exploration = 'swap' AND teams IS NULL AND created_at >= @from AND created_at < @to),
        {EventAttribution.Ctes}
        SELECT s.request_id, s.result_trip_ids, s.ranked_trip_ids, s.exploration_share, s.exploration_depth,
               coalesce(array_agg(a.trip_id) FILTER (WHERE a.type = 'click_trip' AND a.trip_id IS NOT NULL), ARRAY[]::int[]) AS clicked
          FROM searches s LEFT JOIN attributed a ON a.request_id = s.request_id
         GROUP BY s.request_id, s.result_trip_ids, s.ranked_trip_ids, s.exploration_share, s.exploration_depth
        """;

    public async Task<PositionBiasReport> EstimateAsync(int days, CancellationToken ct)
    {
        var to = clock.GetUtcNow();
        var from = to.AddDays(-days);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = (await connection.QueryAsync<Row>(new CommandDefinition(Sql, new { from, to }, commandTimeout: 300, cancellationToken: ct))).ToList();
        var log = rows.Select(r => new LoggedList(
            r.RankedTripIds ?? r.ResultTripIds,
            r.ResultTripIds,
            new LoggingPolicy(ExplorationKind.Swap, r.ExplorationShare, r.ExplorationDepth),
            r.Clicked.Select(trip => Array.IndexOf(r.ResultTripIds, trip) + 1).Where(p => p > 0).ToHashSet())).ToList();
        return new PositionBiasReport { Days = days, Searches = log.Count, Positions = PositionBias.Estimate(log) };
    }
}
