using System.Text.Json.Serialization;
using MathNet.Numerics.Distributions;

namespace SmartTrip.Core.Experiments;

/// <summary>The examination of one position relative to the first, with its 95 % interval and the searches behind it.</summary>
public sealed record PositionExamination(
    [property: JsonPropertyName("position")] int Position,
    [property: JsonPropertyName("relative")] double Relative,
    [property: JsonPropertyName("ci_low")] double CiLow,
    [property: JsonPropertyName("ci_high")] double CiHigh,
    [property: JsonPropertyName("swapped_searches")] int SwappedSearches);

/// <summary>
/// Position bias from the randomised slice's swaps (docs/experiments.md §12): under the position-based model a click on
/// trip d at position p has probability θ_p·γ_d. A search whose first result traded places with position k shows the
/// engine's first trip at k and its k-th at 1; a search left alone shows them where they were. Over the searches the swap
/// could reach (m ≥ k), each group weighted by the inverse of its chance — (m − 1)/ε for the swap with k, 1/(1 − ε) for
/// no change, so that searches with few results, swapped with k more often, count no more than they are —
/// (clicks at k when swapped + clicks at k when not) / (clicks at 1 when not + clicks at 1 when swapped) estimates
/// θ_k/θ_1 whatever the trips' appeal (Joachims, Swaminathan and Schnabel, WSDM 2017, §5, swap interventions). The 95 %
/// interval comes from the delta method on the ratio.
/// </summary>
public static class PositionBias
{
    private static readonly double Z = Normal.InvCDF(0, 1, 0.975);

    /// <summary>Estimates θ_k/θ_1 for k = 2..depth from searches logged under a swap slice; positions no swap reached are left out.</summary>
    public static IReadOnlyList<PositionExamination> Estimate(IReadOnlyList<LoggedList> log, int depth = 10)
    {
        var swapLogged = log.Where(l => l.Policy is { Randomises: true, Kind: ExplorationKind.Swap }).ToList();
        var results = new List<PositionExamination>();
        for (var k = 2; k <= depth; k++)
        {
            var reach = swapLogged.Where(l => l.Policy.Depth >= k && l.Shown.Count >= k).ToList();
            var n = reach.Count;
            if (n < 2)
            {
                continue;
            }

            // Per search: its weighted clicks at k and at 1, as a swapped-with-k search or as an unchanged one (0 otherwise).
            var numerator = new double[n];
            var denominator = new double[n];
            var swappedCount = 0;
            for (var i = 0; i < n; i++)
            {
                var l = reach[i];
                var swappedWith = SwappedWith(l);
                var weight = swappedWith == k ? (l.Policy.Depth - 1) / l.Policy.Share
                    : swappedWith == 0 && l.Shown.SequenceEqual(l.Ranked) ? 1 / (1 - l.Policy.Share)
                    : 0;
                swappedCount += swappedWith == k ? 1 : 0;
                numerator[i] = weight * (l.ClickedPositions.Contains(k) ? 1 : 0);
                denominator[i] = weight * (l.ClickedPositions.Contains(1) ? 1 : 0);
            }

            var (mean, meanOne) = (numerator.Average(), denominator.Average());
            if (swappedCount < 2 || meanOne <= 0)
            {
                continue;
            }

            var ratio = mean / meanOne;
            var influence = numerator.Select((x, i) => (x - (ratio * denominator[i])) / meanOne).ToArray();
            var average = influence.Average();
            var error = Math.Sqrt(influence.Sum(z => (z - average) * (z - average)) / (n - 1) / n);
            results.Add(new PositionExamination(k, ratio, ratio - Z * error, ratio + Z * error, swappedCount));
        }

        return results;
    }

    /// <summary>The position the first result was swapped with, or 0 when the list is not a swap of the ranking.</summary>
    private static int SwappedWith(LoggedList l)
    {
        if (l.Shown.Count < 2 || l.Shown.Count != l.Ranked.Count || l.Shown[0] == l.Ranked[0])
        {
            return 0;
        }

        for (var k = 1; k < l.Shown.Count; k++)
        {
            if (l.Shown[k] != l.Ranked[k])
            {
                return l.Shown[k] == l.Ranked[0] && l.Shown[0] == l.Ranked[k] ? k + 1 : 0;
            }
        }

        return 0;
    }
}
