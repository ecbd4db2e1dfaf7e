using Dapper;
using Npgsql;
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
}
