using SmartTrip.Core.Recommendations;
using SmartTrip.Core.Simulation;
using Xunit.Abstractions;

namespace SmartTrip.Tests.Simulation;

/// <summary>
/// Interleaving against A/B testing on the simulated population (docs/experiments.md §11), travellers ready to click in
/// 30 % of their searches: for a truly better variant and two degraded ones, at η = 0.5, 1 and 2, both methods see every
/// variant on the same side of the control and interleaving never needs more searches; it needs at least ten times
/// fewer for every variant at η = 0.5 and for the pinned trip at every η. Where position bias is steep (η = 2), a change
/// at the very top (better, shuffled) is seen by an A/B test nearly as fast: each team shows only half the top places.
/// </summary>
[Trait("Category", "Simulation")]
public sealed class SensitivityTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(2.0)]
    public void Interleaving_needs_fewer_searches_than_an_ab_test_ten_times_fewer_unless_bias_is_steep_and_agrees_on_the_direction(double eta)
    {
        var world = SimulatedWorld.Create();
        var (catalogue, population, searches) = world;
        var simulator = world.With(new ClickModel(ClickModelKind.PositionBased, eta, 0.02, 0.5, intent: 0.3));
        var trips = catalogue.Candidates.Where(t => RecommendationEngine.IsBookable(t, SyntheticCatalogue.Today)).Select(t => t.Id).ToList();

        var rows = Sensitivity.StandardVariants(population, trips)
            .Select((v, i) => Sensitivity.Measure(simulator, searches, v, seed: 100 + i)).ToList();

        foreach (var r in rows)
        {
            output.WriteLine($"eta {r.Eta}: {r.Variant,-9} click rate {r.ControlClickRate:0.0000} -> {r.VariantClickRate:0.0000}, NDCG {r.NdcgDifference:+0.0000;-0.0000}, win {r.WinRate:0.0000} loss {r.LossRate:0.0000}, A/B {r.AbSearches:0} searches, interleaving {r.InterleavingSearches:0}, ratio {r.Ratio:0.0}");
        }

        Assert.All(rows, r => Assert.True(r.Agree, $"{r.Variant}: the A/B difference and the interleaving preference disagree"));
        Assert.All(rows, r => Assert.True(
            r.Ratio >= (eta == 0.5 || r.Variant == "pinned" ? 10 : 1.5), $"{r.Variant}: interleaving needs {r.InterleavingSearches:0} searches, the A/B test {r.AbSearches:0}"));
        Assert.True(rows[0].NdcgDifference > 0 && rows[1].NdcgDifference < 0 && rows[2].NdcgDifference < 0, "better is truly better, the others truly worse");
    }

    /// <summary>The exact win and loss chances against simulated drafts: real coins, sampled clicks, credit by team.</summary>
    [Fact]
    public void The_exact_win_and_loss_chances_match_simulated_drafts()
    {
        var catalogue = SyntheticCatalogue.Generate();
        var population = Population.Generate(catalogue.Candidates, SyntheticCatalogue.Today, 200, seed: 8);
        var clicks = new ClickModel(ClickModelKind.PositionBased, 1, 0.02, 0.5, intent: 0.5);
        var simulator = new InProcessSimulator(population, catalogue, SyntheticCatalogue.Today, clicks);
        var searches = simulator.Searches(new RecommendationEngine(new RecommendationOptions()), 300, seed: 3);
        var reversed = new SimulatedVariant("reversed", "the first ten reversed", (s, _) => [.. s.Ranking.Take(10).Reverse()]);
        var exact = Sensitivity.Measure(simulator, searches, reversed, seed: 1);

        var random = new Random(2);
        const int drafts = 300_000;
        long wins = 0, losses = 0;
        for (var d = 0; d < drafts; d++)
        {
            var s = searches[random.Next(searches.Count)];
            var draft = new Core.Experiments.TeamDraft<int>(id => id, random).Draft(s.Ranking.Take(10).ToList(), [.. s.Ranking.Take(10).Reverse()], 10);
            var credit = Core.Experiments.TeamCredit.Of(draft.Teams, clicks.Sample(population.GradesOf(s.Search.Browser, draft.Items), random).Clicks);
            wins += credit.Candidate > credit.Control ? 1 : 0;
            losses += credit.Candidate < credit.Control ? 1 : 0;
        }

        var (win, loss) = ((double)wins / drafts, (double)losses / drafts);
        output.WriteLine($"win {exact.WinRate:0.00000} exact, {win:0.00000} simulated; loss {exact.LossRate:0.00000} exact, {loss:0.00000} simulated");
        Assert.InRange(win, exact.WinRate - (4 * Math.Sqrt(exact.WinRate / drafts)), exact.WinRate + (4 * Math.Sqrt(exact.WinRate / drafts)));
        Assert.InRange(loss, exact.LossRate - (4 * Math.Sqrt(exact.LossRate / drafts)), exact.LossRate + (4 * Math.Sqrt(exact.LossRate / drafts)));
        Assert.True(exact.LossRate > exact.WinRate, "the reversed list loses");
    }
}
