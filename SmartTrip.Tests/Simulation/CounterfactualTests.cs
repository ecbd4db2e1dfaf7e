using SmartTrip.Core.Experiments;
using SmartTrip.Core.Simulation;
using Xunit.Abstractions;

namespace SmartTrip.Tests.Simulation;

/// <summary>
/// The counterfactual estimates (docs/experiments.md §8) proved on the simulated population (§9): over many logging
/// periods drawn afresh, the 95 % intervals cover the truth 93–97 % of the time and the estimates centre on it, at
/// η = 0.5, 1 and 2; and the log's limits are said plainly. Tens of millions of simulated searches: a minute or so,
/// so they run with the integration tests rather than in the fast lane.
/// </summary>
[Trait("Category", "Simulation")]
public sealed class CounterfactualTests(ITestOutputHelper output)
{
    private const int Periods = 1000;
    private const int SearchesPerPeriod = 4000;

    private static readonly Lazy<SimulatedWorld> World = new(() => SimulatedWorld.Create());

    /// <summary>The policy's reach for one search: the first tier, at most the depth.</summary>
    private static int Reach(RankedSearch s, int depth) => Math.Min(depth, s.FirstTierCount);

    /// <summary>A better ranking the swap log supports: the truly best of the reachable results moved to the top.</summary>
    private static IReadOnlyList<int> BestFirst(Population population, RankedSearch s)
    {
        var list = s.Ranking.ToArray();
        var reach = Reach(s, 10);
        var best = 0;
        for (var k = 1; k < reach; k++)
        {
            best = population.GradeOf(s.Search.Browser, list[k]) > population.GradeOf(s.Search.Browser, list[best]) ? k : best;
        }

        (list[0], list[best]) = (list[best], list[0]);
        return list;
    }

    /// <summary>A better ranking the top-3 shuffle supports: the first three in their true order.</summary>
    private static IReadOnlyList<int> TopThreeByTruth(Population population, RankedSearch s)
    {
        var reach = Reach(s, 3);
        return [.. s.Ranking.Take(reach).OrderByDescending(id => population.GradeOf(s.Search.Browser, id)), .. s.Ranking.Skip(reach)];
    }

    /// <summary>A degraded ranking the top-3 shuffle supports: the first three reversed.</summary>
    private static IReadOnlyList<int> TopThreeReversed(RankedSearch s)
    {
        var reach = Reach(s, 3);
        return [.. s.Ranking.Take(reach).Reverse(), .. s.Ranking.Skip(reach)];
    }

    public static TheoryData<double, ExplorationKind, int, string> Cases
    {
        get
        {
            var cases = new TheoryData<double, ExplorationKind, int, string>();
            foreach (var eta in new[] { 0.5, 1, 2 })
            {
                cases.Add(eta, ExplorationKind.Swap, 10, "best first");
                cases.Add(eta, ExplorationKind.Shuffle, 3, "top three by truth");
                cases.Add(eta, ExplorationKind.Shuffle, 3, "top three reversed");
            }

            return cases;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Intervals_cover_the_truth_about_95_percent_of_the_time_and_the_estimates_centre_on_it(
        double eta, ExplorationKind kind, int depth, string target)
    {
        var (_, population, pool) = World.Value;
        var simulator = World.Value.With(new ClickModel(ClickModelKind.PositionBased, eta, 0.02, 0.5));
        Func<RankedSearch, IReadOnlyList<int>> ranking = target switch
        {
            "best first" => s => BestFirst(population, s),
            "top three by truth" => s => TopThreeByTruth(population, s),
            _ => TopThreeReversed,
        };
        var truth = simulator.Truth(pool, ranking);
        var random = new Random((int)(eta * 1000) + 10 * (int)kind + target.Length); // fixed: HashCode differs per process
        var estimates = new List<CounterfactualReport>(Periods);
        for (var period = 0; period < Periods; period++)
        {
            var searches = Enumerable.Range(0, SearchesPerPeriod).Select(_ => pool[random.Next(pool.Count)]).ToArray();
            var log = searches.Select(s => simulator.Log(s, kind, 0.3, depth, random)).ToArray();
            estimates.Add(Counterfactual.Estimate(log, i => ranking(searches[i])));
        }

        Assert.All(estimates, e => Assert.Equal(SearchesPerPeriod, e.SupportedSearches));
        var problems = new[]
        {
            Check("clicks at 10 IPS", estimates.Select(e => e.ClicksAt10.Ips!), truth.ClicksAt10, unbiased: true),
            Check("clicks at 10 SNIPS", estimates.Select(e => e.ClicksAt10.Snips!), truth.ClicksAt10, unbiased: false),
            Check("search click rate IPS", estimates.Select(e => e.SearchClickRate.Ips!), truth.SearchClickRate, unbiased: true),
            Check("search click rate SNIPS", estimates.Select(e => e.SearchClickRate.Snips!), truth.SearchClickRate, unbiased: false),
        };
        Assert.Equal([], problems.OfType<string>());
    }

    /// <summary>
    /// Coverage in [93 %, 97 %]; the bias (mean estimate − truth) within 3 Monte Carlo standard errors for the unbiased
    /// estimator, and within a tenth of the mean interval half-width for the self-normalised one (biased by O(1/n)).
    /// </summary>
    private string? Check(string what, IEnumerable<IntervalEstimate> estimates, double truth, bool unbiased)
    {
        var list = estimates.ToList();
        var coverage = list.Count(e => e.Covers(truth)) / (double)list.Count;
        var mean = list.Average(e => e.Value);
        var spread = Math.Sqrt(list.Sum(e => (e.Value - mean) * (e.Value - mean)) / (list.Count - 1));
        var halfWidth = list.Average(e => (e.CiHigh - e.CiLow) / 2);
        var line = $"{what}: truth {truth:0.0000}, mean {mean:0.0000}, bias {mean - truth:+0.0000;-0.0000}, half-width {halfWidth:0.0000}, coverage {coverage:P1}";
        output.WriteLine(line);
        var biasBound = unbiased ? 3 * spread / Math.Sqrt(list.Count) : 0.1 * halfWidth;
        return coverage is >= 0.93 and <= 0.97 && Math.Abs(mean - truth) <= biasBound ? null : line;
    }
}
