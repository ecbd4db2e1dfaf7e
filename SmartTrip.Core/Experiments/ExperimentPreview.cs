using System.Text;
using System.Text.Json.Serialization;
using Dapper;
using Npgsql;
using SmartTrip.Core.Analytics;
using SmartTrip.Core.Recommendations;

namespace SmartTrip.Core.Experiments;

/// <summary>What one variant would have shown for the replayed searches, compared with the control.</summary>
public sealed record VariantPreview
{
    [JsonPropertyName("name")] public string Name { get; init; } = "";

    /// <summary>Mean share of the control's top 10 that the variant's top 10 keeps (1 when both are empty).</summary>
    [JsonPropertyName("overlap_at_10")] public double OverlapAt10 { get; init; }

    /// <summary>Share of the searches whose first result differs from the control's.</summary>
    [JsonPropertyName("top_result_changed")] public double TopResultChanged { get; init; }

    /// <summary>Mean score of the first result, over searches with one.</summary>
    [JsonPropertyName("mean_top_score")] public double MeanTopScore { get; init; }

    /// <summary>Share of the searches that come back empty.</summary>
    [JsonPropertyName("empty_rate")] public double EmptyRate { get; init; }

    /// <summary>Share of the trips people clicked that this variant puts in its top 10.</summary>
    [JsonPropertyName("clicked_in_top_10")] public double ClickedInTop10 { get; init; }

    /// <summary>Mean position (1–10) of the clicked trips this variant shows; null when it shows none.</summary>
    [JsonPropertyName("mean_clicked_position")] public double? MeanClickedPosition { get; init; }

    /// <summary>
    /// What the variant's clicks would be, estimated from the logged searches by their propensities (docs/experiments.md
    /// §8), or why the log cannot tell.
    /// </summary>
    [JsonPropertyName("counterfactual")] public CounterfactualReport? Counterfactual { get; init; }
}

public sealed record ExperimentPreviewReport
{
    [JsonPropertyName("experiment_id")] public int ExperimentId { get; init; }
    [JsonPropertyName("days")] public int Days { get; init; }

    /// <summary>Logged searches replayed (the latest <see cref="ExperimentPreview.MaxSearches"/> at most).</summary>
    [JsonPropertyName("searches")] public int Searches { get; init; }

    /// <summary>Clicks attributed to those searches (docs/engagement.md §1.1) with a trip.</summary>
    [JsonPropertyName("clicked_trips")] public int ClickedTrips { get; init; }

    [JsonPropertyName("variants")] public IReadOnlyList<VariantPreview> Variants { get; init; } = [];
}

/// <summary>
/// Replays the logged searches of the last days through every variant of an experiment, in process, over today's
/// catalogue (docs/experiments.md §6): what each variant changes before any traveller sees it.
/// </summary>
public sealed class ExperimentPreview(
    NpgsqlDataSource dataSource, ExperimentStore store, CatalogSnapshotCache catalog, RecommendationOptions baseline, TimeProvider clock)
{
    public const int MaxSearches = 50_000;

    private const string ClicksSql = $"""
        WITH searches AS (
            SELECT id, request_id, session_id, created_at FROM recommendation_requests WHERE request_id = ANY(@ids)),
        {EventAttribution.Ctes}
        SELECT request_id, trip_id FROM attributed WHERE type = 'click_trip' AND trip_id IS NOT NULL
        """;

    /// <summary>A logged search as the replay reads it.</summary>
    private sealed class LoggedSearch
    {
        public Guid RequestId { get; init; }
        public string Preferences { get; init; } = "{}";
        public int[] ResultTripIds { get; init; } = [];
        public int[]? RankedTripIds { get; init; }
        public string? Exploration { get; init; }
        public float? ExplorationShare { get; init; }
        public short? ExplorationDepth { get; init; }

        /// <summary>An interleaved search's teams: its list came from two rankings, which the estimates cannot reweight.</summary>
        public string? Teams { get; init; }

        /// <summary>The policy that served it: the engine's ranking as it was, unless a randomised slice was on.</summary>
        public LoggingPolicy Policy => Exploration is { } kind && Enum.TryParse<ExplorationKind>(kind, ignoreCase: true, out var parsed)
            ? new LoggingPolicy(parsed, ExplorationShare ?? 0, ExplorationDepth ?? 1)
            : LoggingPolicy.Ranked;
    }

    public async Task<ExperimentPreviewReport> RunAsync(int experimentId, int days, CancellationToken ct)
    {
        var experiment = await store.GetAsync(experimentId, ct) ?? throw new ExperimentException($"There is no experiment {experimentId}.");
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        List<LoggedSearch> logged;
        ILookup<Guid, int> clicks;
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        {
            logged = (await connection.QueryAsync<LoggedSearch>(new CommandDefinition(
                """
                SELECT request_id, preferences::text AS preferences, result_trip_ids, ranked_trip_ids, exploration, exploration_share,
                       exploration_depth, teams
                  FROM recommendation_requests
                 WHERE created_at >= @from ORDER BY created_at DESC LIMIT @limit
                """, new { from = now.AddDays(-days), limit = MaxSearches }, cancellationToken: ct))).ToList();
            var ids = logged.Select(l => l.RequestId).ToArray();
            clicks = (await connection.QueryAsync<(Guid RequestId, int TripId)>(new CommandDefinition(
                    ClicksSql, new { ids, from = now.AddDays(-days), to = now }, commandTimeout: 300, cancellationToken: ct)))
                .ToLookup(c => c.RequestId, c => c.TripId);
        }

        var snapshot = await catalog.GetAsync(today, ct);
        var searches = logged
            .Select(l => (l.RequestId, Parsed: PreferencesParser.Parse(Encoding.UTF8.GetBytes(l.Preferences)).Preferences, Logged: l))
            .Where(s => s.Parsed is not null)
            .Select(s => (s.RequestId, Preferences: s.Parsed!, s.Logged))
            .ToList();
        // The logged lists with the positions clicked in each (a trip clicked twice is one clicked position); interleaved
        // searches are left out of the estimates, their list having come from two rankings at once.
        var estimable = searches.Select((s, i) => (s, i)).Where(x => x.s.Logged.Teams is null).ToList();
        var log = estimable.Select(x => new LoggedList(
            x.s.Logged.RankedTripIds ?? x.s.Logged.ResultTripIds,
            x.s.Logged.ResultTripIds,
            x.s.Logged.Policy,
            clicks[x.s.RequestId].Select(trip => Array.IndexOf(x.s.Logged.ResultTripIds, trip) + 1).Where(p => p > 0).ToHashSet())).ToList();
        var lists = experiment.Variants.Select(v =>
        {
            var engine = new RecommendationEngine(ExperimentRules.OptionsFor(baseline, v));
            return searches.Select(s =>
            {
                var result = RecommendationService.Rank(s.Preferences, snapshot.Data, today, engine);
                return result.Primary.Results.Concat(result.Relaxed).Take(10).Select(r => (r.Trip.Id, r.Score)).ToList();
            }).ToList();
        }).ToList();

        var control = lists[0];
        var clickedTrips = searches.Sum(s => clicks[s.RequestId].Count());
        var variants = experiment.Variants.Select((v, index) =>
        {
            var list = lists[index];
            double overlap = 0, changed = 0, topScores = 0, withTop = 0, empty = 0, clickedShown = 0, clickedPositions = 0;
            for (var i = 0; i < searches.Count; i++)
            {
                var mine = list[i];
                var theirs = control[i];
                overlap += theirs.Count == 0 && mine.Count == 0 ? 1
                    : (double)mine.Select(m => m.Id).Intersect(theirs.Select(t => t.Id)).Count() / Math.Max(mine.Count, theirs.Count);
                changed += (mine.Count > 0 ? mine[0].Id : (int?)null) != (theirs.Count > 0 ? theirs[0].Id : (int?)null) ? 1 : 0;
                if (mine.Count > 0)
                {
                    topScores += mine[0].Score;
                    withTop++;
                }
                else
                {
                    empty++;
                }

                foreach (var trip in clicks[searches[i].RequestId])
                {
                    var position = mine.FindIndex(m => m.Id == trip);
                    if (position >= 0)
                    {
                        clickedShown++;
                        clickedPositions += position + 1;
                    }
                }
            }

            var n = Math.Max(1, searches.Count);
            return new VariantPreview
            {
                Name = v.Name, OverlapAt10 = overlap / n, TopResultChanged = changed / n, MeanTopScore = withTop == 0 ? 0 : topScores / withTop,
                EmptyRate = empty / n, ClickedInTop10 = clickedTrips == 0 ? 0 : clickedShown / clickedTrips,
                MeanClickedPosition = clickedShown == 0 ? null : clickedPositions / clickedShown,
                Counterfactual = Experiments.Counterfactual.Estimate(log, i => list[estimable[i].i].Select(t => t.Id).ToList()),
            };
        }).ToList();
        return new ExperimentPreviewReport
        {
            ExperimentId = experiment.Id, Days = days, Searches = searches.Count, ClickedTrips = clickedTrips, Variants = variants,
        };
    }
}
