using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SmartTrip.Core.Experiments;
using SmartTrip.Tests.Analytics;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Experiments;

/// <summary>The preview replays logged searches through every variant before anyone sees it (docs/experiments.md §6).</summary>
public sealed class ExperimentPreviewTests(InProcessApiFixture api) : IClassFixture<InProcessApiFixture>
{
    [Fact]
    public async Task The_preview_shows_what_each_variant_changes_and_where_the_clicked_trips_would_rank()
    {
        await using var db = new NpgsqlConnection(api.ConnectionString);
        await db.ExecuteAsync("DELETE FROM events; DELETE FROM recommendation_requests; DELETE FROM experiments;");
        // Two searches through the API (logged with today's catalogue), each clicked: the first on its fifth result, the
        // second on its first.
        var (_, europe) = await api.PostJsonAsync("/api/v2/recommendations", """{"selected_continents":["Europe"]}""");
        var (_, anything) = await api.PostJsonAsync("/api/v2/recommendations", "{}");
        var searches = new[] { europe, anything }.Select(b => (
            Request: b.GetProperty("request_id").GetGuid(),
            Trips: b.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("id").GetInt32()).ToList())).ToList();
        Assert.All(searches, s => Assert.True(s.Trips.Count >= 5, "each search has at least five results"));
        var session = Guid.NewGuid();
        var now = api.Clock.GetUtcNow().UtcDateTime;
        await RequestLogRows.EventAsync(db, "click_trip", now, session, searches[0].Request, searches[0].Trips[4], "search_results", 5);
        await RequestLogRows.EventAsync(db, "click_trip", now, session, searches[1].Request, searches[1].Trips[0], "search_results", 1);

        var experiment = await api.Services.GetRequiredService<ExperimentStore>().CreateAsync("top three", null,
        [
            new Variant { Name = "control", Share = 50 },
            new Variant { Name = "same", Share = 25, Overrides = new Dictionary<string, double> { ["BaseScore"] = 30 } },
            new Variant { Name = "three", Share = 15, Overrides = new Dictionary<string, double> { ["MaxResults"] = 3, ["MinResultsThreshold"] = 1 } },
            new Variant { Name = "none", Share = 10, Overrides = new Dictionary<string, double> { ["MinScoreThreshold"] = 100, ["BaseScore"] = 0 } },
        ], CancellationToken.None);

        var report = await api.Services.GetRequiredService<ExperimentPreview>().RunAsync(experiment.Id, 30, CancellationToken.None);

        Assert.Equal((2, 2), (report.Searches, report.ClickedTrips));
        var byName = report.Variants.ToDictionary(v => v.Name);
        // The control against itself, and a variant that sets a constant to its current value, change nothing.
        foreach (var name in new[] { "control", "same" })
        {
            Assert.Equal((1.0, 0.0, 0.0, 1.0, 3.0), (byName[name].OverlapAt10, byName[name].TopResultChanged, byName[name].EmptyRate,
                byName[name].ClickedInTop10, byName[name].MeanClickedPosition!.Value));
        }

        // Three results keep 3 of each control list (same order), lose the click on the fifth result and keep the first.
        var three = byName["three"];
        var expectedOverlap = searches.Average(s => 3.0 / s.Trips.Count);
        Assert.Equal(expectedOverlap, three.OverlapAt10, 10);
        Assert.Equal((0.0, 0.5, 1.0), (three.TopResultChanged, three.ClickedInTop10, three.MeanClickedPosition!.Value));
        Assert.Equal(byName["control"].MeanTopScore, three.MeanTopScore);
        // The control's mean top score is the mean of what the two searches answered first (match scores are rounded).
        var answeredTop = new[] { europe, anything }.Average(b => b.GetProperty("data")[0].GetProperty("match_score").GetDouble());
        Assert.InRange(byName["control"].MeanTopScore, answeredTop - 0.5, answeredTop + 0.5);

        // A variant that finds nothing: every list empty, so nothing overlaps, every top changed, no click shown.
        var none = byName["none"];
        Assert.Equal((0.0, 1.0, 1.0, 0.0, 0.0, (double?)null),
            (none.OverlapAt10, none.TopResultChanged, none.EmptyRate, none.MeanTopScore, none.ClickedInTop10, none.MeanClickedPosition));
        var missing = await Assert.ThrowsAsync<ExperimentException>(() => api.Services.GetRequiredService<ExperimentPreview>().RunAsync(999_999, 30, CancellationToken.None));
        Assert.Equal("There is no experiment 999999.", missing.Message);
    }
}
