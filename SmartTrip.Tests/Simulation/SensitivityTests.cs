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
        var catalogue = SyntheticCatalogue.Generate();
        var population = Population.Generate(catalogue.Candidates, SyntheticCatalogue.Today, 400, seed: 5);
        var simulator = new InProcessSimulator(population, catalogue, SyntheticCatalogue.Today, new ClickModel(ClickModelKind.PositionBased, eta, 0.02, 0.5, intent: 0.3));
        var searches = simulator.Searches(new RecommendationEngine(new RecommendationOptions()), 4000, seed: 9);
        var trips = catalogue.Candidates.Where(t => RecommendationEngine.IsBookable(t, SyntheticCatalogue.Today)).Select(t => t.Id).ToList();

        var rows = Sensitivity.StandardVariants(population, trips)
            .Select((v, i) => Sensitivity.Measure(simulator, searches, v, drafts: 200_000, seed: 100 + i)).ToList();

        foreach (var r in rows)
        {
            output.WriteLine($"eta {r.Eta}: {r.Variant,-9} click rate {r.ControlClickRate:0.0000} -> {r.VariantClickRate:0.0000}, NDCG {r.NdcgDifference:+0.0000;-0.0000}, win {r.WinRate:0.0000} loss {r.LossRate:0.0000}, A/B {r.AbSearches:0} searches, interleaving {r.InterleavingSearches:0}, ratio {r.Ratio:0.0}");
        }

        Assert.All(rows, r => Assert.True(r.Agree, $"{r.Variant}: the A/B difference and the interleaving preference disagree"));
        Assert.All(rows, r => Assert.True(
            r.Ratio >= (eta == 0.5 || r.Variant == "pinned" ? 10 : 1.5), $"{r.Variant}: interleaving needs {r.InterleavingSearches:0} searches, the A/B test {r.AbSearches:0}"));
        Assert.True(rows[0].NdcgDifference > 0 && rows[1].NdcgDifference < 0 && rows[2].NdcgDifference < 0, "better is truly better, the others truly worse");
    }
}
