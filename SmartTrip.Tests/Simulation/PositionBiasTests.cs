using SmartTrip.Core.Experiments;
using SmartTrip.Core.Simulation;
using Xunit.Abstractions;

namespace SmartTrip.Tests.Simulation;

/// <summary>
/// Position bias from the randomised swaps (docs/experiments.md §12), proved on the simulated population: the examination
/// of positions 2–5 relative to the first within 10 % of the truth, (1/k)^η, at η = 0.5, 1 and 2 (200 000, 300 000 and
/// 600 000 searches with a 30 % swap slice), and within three standard errors of it.
/// </summary>
[Trait("Category", "Simulation")]
public sealed class PositionBiasTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(0.5, 200_000)]
    [InlineData(1.0, 300_000)]
    [InlineData(2.0, 600_000)]
    public void The_swaps_give_each_positions_examination_within_ten_percent(double eta, int searches)
    {
        var world = SimulatedWorld.Create();
        var simulator = world.With(new ClickModel(ClickModelKind.PositionBased, eta, 0.02, 0.5, intent: 0.3));
        var pool = world.Pool;
        var random = new Random(17);
        var log = Enumerable.Range(0, searches).Select(_ => simulator.Log(pool[random.Next(pool.Count)], ExplorationKind.Swap, 0.3, 10, random)).ToList();

        var estimates = PositionBias.Estimate(log).Where(e => e.Position <= 5).ToList();

        Assert.Equal([2, 3, 4, 5], estimates.Select(e => e.Position));
        foreach (var e in estimates)
        {
            var truth = Math.Pow(1.0 / e.Position, eta);
            output.WriteLine($"eta {eta}, {searches} searches: position {e.Position} {e.Relative:0.0000} [{e.CiLow:0.0000}, {e.CiHigh:0.0000}] truth {truth:0.0000} ({e.Relative / truth - 1:+0.0%;-0.0%;0.0%}), {e.SwappedSearches} swapped");
            Assert.InRange(e.Relative / truth, 0.9, 1.1);
            // Twelve intervals at 95 %: one may miss by chance; none should be three standard errors off.
            Assert.InRange(Math.Abs(e.Relative - truth), 0, 3 * (e.CiHigh - e.CiLow) / 2 / 1.96);
        }
    }
}
