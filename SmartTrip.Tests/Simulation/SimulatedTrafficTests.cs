using Dapper;
using Microsoft.Extensions.DependencyInjection;
using SmartTrip.Core.Experiments;
using SmartTrip.Core.Recommendations;
using SmartTrip.Core.Simulation;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Simulation;

/// <summary>
/// The simulated population through the real API (docs/experiments.md §9), on either host: sessions, searches with the
/// browser's id, and impressions, clicks and contacts through the events endpoint, the queue and the drain. Every event
/// is stored exactly once, and the interleaving results count exactly the searches and the clicked searches the
/// simulator made.
/// </summary>
[Collection(EventPipelineCollection.Name)]
public sealed class SimulatedTrafficTests(EventsFixture api)
{
    [Fact]
    public async Task Simulated_browsers_search_and_click_through_the_api_and_the_pipeline_counts_exactly_what_they_did()
    {
        await using var services = api.CoreServices();
        var today = DateOnly.FromDateTime(api.Clock.GetUtcNow().UtcDateTime);
        var catalogue = await services.GetRequiredService<CatalogSnapshotCache>().GetAsync(today, CancellationToken.None);
        var population = Population.Generate(catalogue.Data.Candidates, today, 50, seed: 21);
        var store = services.GetRequiredService<ExperimentStore>();
        var experiment = await store.CreateAsync($"simulated {Guid.NewGuid():N}", null,
        [
            new Variant { Name = "control", Share = 50 },
            new Variant { Name = "fewer", Share = 50, Overrides = new Dictionary<string, double> { ["MaxResults"] = 4, ["MinResultsThreshold"] = 1 } },
        ], CancellationToken.None, Experiment.Interleaving);
        await store.StartAsync(experiment.Id, CancellationToken.None);
        TrafficReport report;
        try
        {
            var clicks = new ClickModel(ClickModelKind.PositionBased, eta: 1, noise: 0.02, contact: 0.5, intent: 0.6);
            report = await new ApiTraffic(api.Client, population, clicks).RunAsync(searches: 60, seed: 4, CancellationToken.None);
        }
        finally
        {
            await store.StopAsync(experiment.Id, CancellationToken.None);
        }

        var browsers = population.Browsers.Select(b => b.Id).ToArray();
        await api.WaitUntilAsync("SELECT count(*) >= @sent FROM events WHERE anonymous_id = ANY(@browsers)", new { sent = report.EventsSent, browsers }, seconds: 60);
        await using var db = api.Database();
        var stored = await db.ExecuteScalarAsync<int>("SELECT count(*) FROM events WHERE anonymous_id = ANY(@browsers)", new { browsers });
        // The host's clock may be pinned: the experiment's window is set around the searches it logged.
        await db.ExecuteAsync(
            """
            UPDATE experiments SET started_at = w.first - interval '1 minute', stopped_at = w.last + interval '1 minute'
              FROM (SELECT min(created_at) AS first, max(created_at) AS last FROM recommendation_requests WHERE experiment_id = @id) w
             WHERE id = @id
            """, new { id = experiment.Id });
        var (status, results) = await api.SendWithKeyAsync(HttpMethod.Get, $"/api/experiments/{experiment.Id}/results");

        Assert.Equal(60, report.Searches);
        Assert.True(report.SearchesWithClick > 0 && report.EventsSent > 60 * 4, "the travellers saw lists and clicked some");
        Assert.Equal(report.EventsSent, stored); // exactly once: none lost, none twice
        Assert.Equal(["interleaved"], report.TruthByVariant.Keys);
        Assert.Equal(200, status);
        var interleaving = results.GetProperty("data").GetProperty("interleaving");
        var credited = interleaving.GetProperty("clicks");
        Assert.Equal(report.Searches, interleaving.GetProperty("searches").GetInt32());
        Assert.Equal(report.SearchesWithClick,
            credited.GetProperty("wins").GetInt32() + credited.GetProperty("losses").GetInt32() + credited.GetProperty("ties").GetInt32());
    }
}
