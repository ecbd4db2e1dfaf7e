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

    /// <summary>
    /// Both methods see the variant on the same side of the control; null when the A/B test's metric cannot see it at all
    /// (a cascade reader clicks a list's first appealing trip whatever the order, so reordering leaves the search click
    /// rate exactly where it was).
    /// </summary>
    public bool? Agree => VariantClickRate == ControlClickRate ? null : Math.Sign(VariantClickRate - ControlClickRate) == Math.Sign(WinRate - LossRate);
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
    public static IReadOnlyList<SimulatedVariant> StandardVariants(Population population, IReadOnlyList<int> catalogueTrips)
    {
        var intruders = catalogueTrips.Order().ToList(); // by id, whatever order the catalogue came in
        return
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
                    intruder = intruders[random.Next(intruders.Count)];
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
    }

    /// <summary>
    /// Measures one variant over the searches, exactly: the true search click rates, and the chances of a win and a loss
    /// over every coin sequence of the draft (each of the 2^5 sequences a ten-result draft can use, equally likely) and
    /// the click model's exact distribution of the credit.
    /// </summary>
    public static SensitivityRow Measure(InProcessSimulator simulator, IReadOnlyList<RankedSearch> searches, SimulatedVariant variant, int seed)
    {
        var random = new Random(seed);
        var population = simulator.Population;
        var clicks = simulator.Clicks;
        double control = 0, treated = 0, ndcgDifference = 0, wins = 0, losses = 0;
        foreach (var s in searches)
        {
            var list = variant.Rank(s, random);
            control += clicks.AnyClick(population.GradesOf(s.Search.Browser, s.Ranking));
            treated += clicks.AnyClick(population.GradesOf(s.Search.Browser, list));
            ndcgDifference += population.Ndcg(s.Search.Browser, list) - population.Ndcg(s.Search.Browser, s.Ranking);
            const int sequences = 1 << 5;
            for (var coins = 0; coins < sequences; coins++)
            {
                var draft = new TeamDraft<int>(id => id, new ScriptedCoins(coins)).Draft(s.Ranking.Take(10).ToList(), list.Take(10).ToList(), 10);
                var (win, loss) = WinAndLoss(clicks, population.GradesOf(s.Search.Browser, draft.Items), draft.Teams);
                wins += win / sequences;
                losses += loss / sequences;
            }
        }

        var n = searches.Count;
        var (p1, p2) = (control / n, treated / n);
        var (pw, pl) = (wins / n, losses / n);
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

    /// <summary>
    /// The exact chances that the candidate's trips get more clicks than the control's (a win) and fewer (a loss): the
    /// clicks at the positions are independent under the position-based model (the distribution of the difference is
    /// built position by position), and a cascade clicks once at most.
    /// </summary>
    private static (double Win, double Loss) WinAndLoss(ClickModel clicks, int[] grades, string teams)
    {
        var p = clicks.ClickProbabilities(grades);
        double win = 0, loss = 0;
        if (clicks.Kind == ClickModelKind.Cascade)
        {
            for (var k = 0; k < p.Length; k++)
            {
                _ = teams[k] == TeamDraft<int>.Candidate ? win += p[k] : loss += p[k];
            }

            return (win, loss);
        }

        // For a reader ready to click, then scaled by the share of such readers (the others click nothing: a no-result).
        var ready = p.Select(q => q / clicks.Intent).ToArray();
        var offset = p.Length;
        var difference = new double[(2 * offset) + 1];
        difference[offset] = 1;
        for (var k = 0; k < ready.Length; k++)
        {
            var step = teams[k] == TeamDraft<int>.Candidate ? 1 : -1;
            var next = new double[difference.Length];
            for (var d = 0; d < difference.Length; d++)
            {
                if (difference[d] == 0)
                {
                    continue;
                }

                next[d] += difference[d] * (1 - ready[k]);
                next[d + step] += difference[d] * ready[k];
            }

            difference = next;
        }

        for (var d = 0; d < difference.Length; d++)
        {
            _ = d > offset ? win += difference[d] : d < offset ? loss += difference[d] : 0;
        }

        return (clicks.Intent * win, clicks.Intent * loss);
    }

    /// <summary>A coin that gives the bits of a number in turn: every sequence of coin flips, one number each.</summary>
    private sealed class ScriptedCoins(int bits) : Random
    {
        private int _next;

        public override int Next(int maxValue) => (bits >> _next++) & 1;
    }
}
