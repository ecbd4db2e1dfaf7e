using Dapper;
using Npgsql;
using SmartTrip.Core.Experiments;
using SmartTrip.Core.Recommendations;
using SmartTrip.Tests.Analytics;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Experiments;

/// <summary>A host with half of its searches in the randomised slice: swaps of the first result with one of 2..10.</summary>
public sealed class ExplorationFixture : ApiFixture
{
    protected override string DatabasePrefix => "explore";

    protected override void AddSettings(IDictionary<string, string?> settings)
    {
        settings["Exploration:Share"] = "0.5";
        settings["Exploration:Kind"] = "Swap";
        settings["Exploration:Depth"] = "10";
    }
}

/// <summary>
/// The randomised slice on the host (docs/experiments.md §7): a search in it shows the engine's ranking with its first
/// result swapped, and its log row keeps the engine's order, the policy and the exact probability of the shown list.
/// </summary>
public sealed class ExplorationApiTests(ExplorationFixture api) : IClassFixture<ExplorationFixture>
{
    private sealed class Logged
    {
        public int[] ResultTripIds { get; init; } = [];
        public int[]? RankedTripIds { get; init; }
        public string? Exploration { get; init; }
        public float? ExplorationShare { get; init; }
        public short? ExplorationDepth { get; init; }
        public double? ListPropensity { get; init; }
        public int PrimaryCount { get; init; }
    }

    [Fact]
    public async Task Searches_in_the_slice_show_a_swap_and_log_the_ranking_and_the_probability_of_what_they_showed()
    {
        const int searches = 60;
        var logged = new List<(int[] Shown, Logged Row)>();
        await using var dataSource = NpgsqlDataSource.Create(api.ConnectionString);
        await using var db = await dataSource.OpenConnectionAsync();
        for (var i = 0; i < searches; i++)
        {
            var (status, body) = await api.PostJsonAsync("/api/v2/recommendations", "{}");
            Assert.Equal(200, status);
            var shown = body.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("id").GetInt32()).ToArray();
            var row = await db.QuerySingleAsync<Logged>(
                """
                SELECT result_trip_ids, ranked_trip_ids, exploration, exploration_share, exploration_depth, list_propensity, primary_count
                  FROM recommendation_requests WHERE request_id = @id
                """,
                new { id = body.GetProperty("request_id").GetGuid() });
            logged.Add((shown, row));
        }

        var unchanged = logged.Where(l => l.Row.RankedTripIds is null).ToList();
        var swapped = logged.Where(l => l.Row.RankedTripIds is not null).ToList();
        Assert.NotEmpty(unchanged); // each has probability 1/2: all 60 on one side is a 1 in 10^18 chance
        Assert.NotEmpty(swapped);
        var ranking = unchanged[0].Shown;
        Assert.True(ranking.Length == 10 && logged[0].Row.PrimaryCount == 10, "the empty search fills its ten places from the primary tier");
        Assert.All(logged, l =>
        {
            Assert.Equal(l.Shown, l.Row.ResultTripIds); // the positions are those of the logged list
            Assert.Equal(("swap", 0.5f, (short)10), (l.Row.Exploration, l.Row.ExplorationShare, l.Row.ExplorationDepth));
        });
        Assert.All(unchanged, l =>
        {
            Assert.Equal(ranking, l.Shown);
            Assert.Equal(0.5, l.Row.ListPropensity);
        });
        Assert.All(swapped, l =>
        {
            Assert.Equal(ranking, l.Row.RankedTripIds);
            var k = Array.IndexOf(ranking, l.Shown[0]);
            Assert.InRange(k, 1, 9);
            var expected = ranking.ToArray();
            (expected[0], expected[k]) = (expected[k], expected[0]);
            Assert.Equal(expected, l.Shown);
            Assert.Equal(0.5 / 9, l.Row.ListPropensity!.Value, 12);
        });
    }

    /// <summary>
    /// The preview's counterfactual estimates through the API, computed by hand: every search clicked on its first shown
    /// trip; the control's ranking was shown as it is in the U unchanged searches (probability 1/2 each), so IPS gives
    /// 2U/n for both metrics, the self-normalised estimates give exactly 1, and the effective sample size is U. A variant
    /// cut to three results keeps the clicks at 10 estimate (its three placements were possible) but not the search click
    /// rate: no logged list had three trips.
    /// </summary>
    [Fact]
    public async Task The_preview_estimates_each_variants_clicks_from_the_logged_propensities_and_says_what_the_log_cannot_support()
    {
        const int searches = 120;
        await using var dataSource = NpgsqlDataSource.Create(api.ConnectionString);
        await using var db = await dataSource.OpenConnectionAsync();
        await db.ExecuteAsync("DELETE FROM events; DELETE FROM recommendation_requests; DELETE FROM experiments;");
        var unchanged = 0;
        for (var i = 0; i < searches; i++)
        {
            var (_, body) = await api.PostJsonAsync("/api/v2/recommendations", "{}");
            var request = body.GetProperty("request_id").GetGuid();
            var (at, ranked) = await db.QuerySingleAsync<(DateTime, int[]?)>(
                "SELECT created_at, ranked_trip_ids FROM recommendation_requests WHERE request_id = @request", new { request });
            unchanged += ranked is null ? 1 : 0;
            var first = body.GetProperty("data")[0].GetProperty("id").GetInt32();
            await RequestLogRows.EventAsync(db, "click_trip", at.AddSeconds(1), Guid.NewGuid(), request, first, "search_results", 1);
        }

        // An interleaved search is replayed but left out of the estimates: its list came from two rankings at once.
        await db.ExecuteAsync(
            """
            INSERT INTO recommendation_requests (request_id, created_at, preferences, response_time_ms, total_candidates, primary_count,
                final_count, result_trip_ids, result_scores, search_type, teams, list_propensity)
            SELECT gen_random_uuid(), max(created_at), '{}', 5, 2, 2, 2, '{1,2}', '{90,80}', 'exploration', 'AB', 0.5
              FROM recommendation_requests
            """);
        var store = new ExperimentStore(dataSource, new RecommendationOptions(), TimeProvider.System);
        var experiment = await store.CreateAsync("three results", null,
        [
            new Variant { Name = "control", Share = 50 },
            new Variant { Name = "three", Share = 50, Overrides = new Dictionary<string, double> { ["MaxResults"] = 3, ["MinResultsThreshold"] = 1 } },
        ], CancellationToken.None);

        var (status, preview) = await api.SendWithKeyAsync(HttpMethod.Get, $"/api/experiments/{experiment.Id}/preview?days=7");
        var (missing, notFound) = await api.SendWithKeyAsync(HttpMethod.Get, "/api/experiments/999999/preview");

        Assert.Equal(200, status);
        Assert.InRange(unchanged, 31, 89); // the effective sample size, U, must pass 30; 1 in 10^7 it does not
        var variants = preview.GetProperty("data").GetProperty("variants");
        var control = variants[0].GetProperty("counterfactual");
        var three = variants[1].GetProperty("counterfactual");
        Assert.Equal(searches + 1, preview.GetProperty("data").GetProperty("searches").GetInt32());
        Assert.Equal((searches, searches), (control.GetProperty("searches").GetInt32(), control.GetProperty("supported_searches").GetInt32()));
        foreach (var metric in new[] { control.GetProperty("clicks_at_10"), control.GetProperty("search_click_rate"), three.GetProperty("clicks_at_10") })
        {
            Assert.Equal(2.0 * unchanged / searches, metric.GetProperty("ips").GetProperty("value").GetDouble(), 9);
            Assert.Equal(1.0, metric.GetProperty("snips").GetProperty("value").GetDouble(), 9);
            Assert.Equal(unchanged, metric.GetProperty("effective_sample_size").GetDouble(), 9);
            Assert.False(metric.TryGetProperty("unsupported", out _));
        }

        Assert.Equal(
            $"The log cannot support an estimate: in {searches} of {searches} searches the ranking shows a list the logged policy never showed (a randomised slice, or a deeper one, would).",
            three.GetProperty("search_click_rate").GetProperty("unsupported").GetString());
        Assert.False(three.GetProperty("search_click_rate").TryGetProperty("ips", out _));
        Assert.Equal((404, "Experiment not found"), (missing, notFound.GetProperty("error").GetString()));
    }

    /// <summary>
    /// Position bias read from the log (docs/experiments.md §12), computed by hand: every search's click goes to the trip
    /// the engine ranked first, wherever it was shown — at 1 in the U searches left alone, at k in the S_k swapped with k.
    /// Weighted by the inverse chances ((m − 1)/ε = 18 for a swap, 1/(1 − ε) = 2 left alone), position k's examination
    /// relative to the first is 18·S_k / (2·U) = 9·S_k / U.
    /// </summary>
    [Fact]
    public async Task Position_bias_is_read_from_the_logged_swaps_and_their_clicks()
    {
        const int searches = 120;
        await using var dataSource = NpgsqlDataSource.Create(api.ConnectionString);
        await using var db = await dataSource.OpenConnectionAsync();
        await db.ExecuteAsync("DELETE FROM events; DELETE FROM recommendation_requests;");
        var swappedWith = new Dictionary<int, int>();
        var unchanged = 0;
        for (var i = 0; i < searches; i++)
        {
            var (_, body) = await api.PostJsonAsync("/api/v2/recommendations", "{}");
            var request = body.GetProperty("request_id").GetGuid();
            var (at, ranked, shown) = await db.QuerySingleAsync<(DateTime, int[]?, int[])>(
                "SELECT created_at, ranked_trip_ids, result_trip_ids FROM recommendation_requests WHERE request_id = @request", new { request });
            var first = (ranked ?? shown)[0];
            var position = Array.IndexOf(shown, first) + 1;
            _ = position == 1 ? unchanged++ : swappedWith[position] = swappedWith.GetValueOrDefault(position) + 1;
            await RequestLogRows.EventAsync(db, "click_trip", at.AddSeconds(1), Guid.NewGuid(), request, first, "search_results", position);
        }

        var report = await new PositionBiasService(dataSource, TimeProvider.System).EstimateAsync(30, CancellationToken.None);

        Assert.Equal(searches, report.Searches);
        Assert.Equal(swappedWith.Where(p => p.Value >= 2).Select(p => p.Key).Order(), report.Positions.Select(p => p.Position));
        Assert.All(report.Positions, p =>
        {
            Assert.Equal(swappedWith[p.Position], p.SwappedSearches);
            Assert.Equal(9.0 * swappedWith[p.Position] / unchanged, p.Relative, 9);
            Assert.True(p.CiLow < p.Relative && p.Relative < p.CiHigh, "a real interval around the estimate");
        });
    }
}
