using MathNet.Numerics.Distributions;
using SmartTrip.Core.Experiments;

namespace SmartTrip.Core.Simulation;

/// <summary>A ranking to compare with the engine's, as a function of the search (and a seed, for random ones).</summary>
public sealed record SimulatedVariant(string Name, string Description, Func<RankedSearch, Random, IReadOnlyList<int>> Rank);

/// <summary>How many searches an A/B test and an interleaving experiment need to detect one variant.</summary>
public sealed record SensitivityRow
{
    public required string Variant { get; init; }
    public required double Eta { get; init; }

    /// <summary>True search click rates (at least one click in the first ten) of the control and the variant.</summary>
    public required double ControlClickRate { get; init; }
    public required double VariantClickRate { get; init; }

    /// <summary>True NDCG@10 of the variant minus the control's.</summary>
    public required double NdcgDifference { get; init; }

    /// <summary>The chances that an interleaved search is a win or a loss for the variant.</summary>
    public required double WinRate { get; init; }
    public required double LossRate { get; init; }

    /// <summary>Searches (both arms together) an A/B test of the search click rate needs; infinite when the rates are equal.</summary>
    public required double AbSearches { get; init; }

    /// <summary>Interleaved searches needed for the sign of wins minus losses.</summary>
    public required double InterleavingSearches { get; init; }

    public double Ratio => AbSearches / InterleavingSearches;

    /// <summary>Both methods see the variant on the same side of the control.</summary>
    public bool Agree => Math.Sign(VariantClickRate - ControlClickRate) == Math.Sign(WinRate - LossRate);
}

/// <summary>
/// The sensitivity of interleaving against an A/B test on the simulated population (docs/experiments.md §11): for each
/// variant, the true effect on the search click rate gives the searches an A/B test needs (two-proportion z-test), and
/// simulated team drafts give the win and loss rates and the searches interleaving needs (the sign of wins minus
/// losses), both at α = 0.05 two-sided with 80 % power.
/// </summary>
public static class Sensitivity
{
    private static readonly double ZAlpha = Normal.InvCDF(0, 1, 0.975);
    private static readonly double ZPower = Normal.InvCDF(0, 1, 0.80);

    /// <summary>The three variants of the issue: one truly better, two degraded.</summary>
    public static IReadOnlyList<SimulatedVariant> StandardVariants(Population population, IReadOnlyList<int> catalogueTrips) =>
    [
        new("better", "the engine's first ten re-sorted by true relevance plus noise (one grade's standard deviation)", (s, random) =>
        {
            var noisy = s.Ranking.Take(10).Select(id => (id, key: population.GradeOf(s.Search.Browser, id) + Normal.Sample(random, 0, 1))).ToList();
            return [.. noisy.OrderByDescending(x => x.key).Select(x => x.id), .. s.Ranking.Skip(10)];
        }),
        new("pinned", "a random catalogue trip pinned at a random position from 5 to 10", (s, random) =>
        {
            var list = s.Ranking.Take(10).ToList();
            if (list.Count < 4)
            {
                return list;
            }

            int intruder;
            do
            {
                intruder = catalogueTrips[random.Next(catalogueTrips.Count)];
            }
            while (list.Contains(intruder));
            list.Insert(Math.Min(list.Count, 4 + random.Next(6)), intruder);
            return list.Take(10).ToList();
        }),
        new("shuffled", "the first three in random order", (s, random) =>
        {
            var list = s.Ranking.ToArray();
            random.Shuffle(list.AsSpan(0, Math.Min(3, list.Length)));
            return list;
        }),
    ];

    /// <summary>Measures one variant over the searches: exact truths for the rates, <paramref name="drafts"/> simulated interleavings.</summary>
    public static SensitivityRow Measure(
        InProcessSimulator simulator, IReadOnlyList<RankedSearch> searches, SimulatedVariant variant, int drafts, int seed)
    {
        var random = new Random(seed);
        var population = simulator.Population;
        var clicks = simulator.Clicks;
        double control = 0, treated = 0, ndcgDifference = 0;
        var lists = new IReadOnlyList<int>[searches.Count];
        for (var i = 0; i < searches.Count; i++)
        {
            var s = searches[i];
            lists[i] = variant.Rank(s, random);
            control += clicks.AnyClick(population.GradesOf(s.Search.Browser, s.Ranking));
            treated += clicks.AnyClick(population.GradesOf(s.Search.Browser, lists[i]));
            ndcgDifference += population.Ndcg(s.Search.Browser, lists[i]) - population.Ndcg(s.Search.Browser, s.Ranking);
        }

        long wins = 0, losses = 0;
        for (var d = 0; d < drafts; d++)
        {
            var i = random.Next(searches.Count);
            var s = searches[i];
            var draft = new TeamDraft<int>(id => id, random).Draft(s.Ranking.Take(10).ToList(), lists[i].Take(10).ToList(), 10);
            var (clicked, _) = clicks.Sample(population.GradesOf(s.Search.Browser, draft.Items), random);
            var credit = TeamCredit.Of(draft.Teams, clicked);
            wins += credit.Candidate > credit.Control ? 1 : 0;
            losses += credit.Candidate < credit.Control ? 1 : 0;
        }

        var n = searches.Count;
        var (p1, p2) = (control / n, treated / n);
        var (pw, pl) = ((double)wins / drafts, (double)losses / drafts);
        var mean = pw - pl;
        var variance = pw + pl - mean * mean;
        var z = ZAlpha + ZPower;
        return new SensitivityRow
        {
            Variant = variant.Name,
            Eta = clicks.Eta,
            ControlClickRate = p1,
            VariantClickRate = p2,
            NdcgDifference = ndcgDifference / n,
            WinRate = pw,
            LossRate = pl,
            AbSearches = p1 == p2 ? double.PositiveInfinity : 2 * z * z * (p1 * (1 - p1) + p2 * (1 - p2)) / ((p1 - p2) * (p1 - p2)),
            InterleavingSearches = mean == 0 ? double.PositiveInfinity : z * z * variance / (mean * mean),
        };
    }
}
