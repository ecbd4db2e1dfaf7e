using System.Text.Json.Serialization;
using MathNet.Numerics.Distributions;

namespace SmartTrip.Core.Experiments;

/// <summary>
/// One logged search as the counterfactual estimates read it: the engine's ranking, the list shown (the ranking after
/// the policy's intervention), the policy, and the 1-based positions that were clicked.
/// </summary>
public sealed record LoggedList(IReadOnlyList<int> Ranked, IReadOnlyList<int> Shown, LoggingPolicy Policy, IReadOnlyCollection<int> ClickedPositions);

/// <summary>A value with its 95 % interval.</summary>
public sealed record IntervalEstimate(
    [property: JsonPropertyName("value")] double Value,
    [property: JsonPropertyName("ci_low")] double CiLow,
    [property: JsonPropertyName("ci_high")] double CiHigh)
{
    public bool Covers(double truth) => CiLow <= truth && truth <= CiHigh;
}

/// <summary>
/// A counterfactual estimate of one metric for one ranking: inverse propensity scoring and its self-normalised form, each
/// with a 95 % interval, the effective sample size, or the plain reason the log cannot support it.
/// </summary>
public sealed record MetricEstimate
{
    [JsonPropertyName("ips"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IntervalEstimate? Ips { get; init; }
    [JsonPropertyName("snips"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IntervalEstimate? Snips { get; init; }
    [JsonPropertyName("effective_sample_size")] public double EffectiveSampleSize { get; init; }

    /// <summary>Why there is no estimate; null when there is one.</summary>
    [JsonPropertyName("unsupported"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Unsupported { get; init; }
}

/// <summary>What the log says a ranking would do: clicks on its first ten results per search, and the share of searches with a click.</summary>
public sealed record CounterfactualReport
{
    [JsonPropertyName("searches")] public int Searches { get; init; }

    /// <summary>Searches whose every top-ten placement of the ranking the logging policy could have shown.</summary>
    [JsonPropertyName("supported_searches")] public int SupportedSearches { get; init; }

    [JsonPropertyName("clicks_at_10")] public required MetricEstimate ClicksAt10 { get; init; }
    [JsonPropertyName("search_click_rate")] public required MetricEstimate SearchClickRate { get; init; }
}

/// <summary>
/// Off-policy estimates of a ranking's click metrics from searches logged with known propensities (docs/experiments.md
/// §8). Clicks at 10 use the item-position estimator (Li, Kim and Zitouni, WWW 2015), which needs each of the ranking's
/// placements to have been possible — a trip at a position — and assumes a click on a trip depends on its position, not
/// on its neighbours; the search click rate uses the whole list's probability (Li, Chu, Langford and Wang, WSDM 2011),
/// which assumes nothing of the clicks but needs the very list to have been possible. Each is given plainly (IPS) and
/// self-normalised (Swaminathan and Joachims, NeurIPS 2015), with intervals from the central limit theorem (the
/// self-normalised one's spread from the jackknife, which the few heavy weights of a rare list do not fool as the delta
/// method's is) and Kish's effective sample size.
/// </summary>
public static class Counterfactual
{
    /// <summary>Below this effective sample size the normal interval is not trusted, and no estimate is given.</summary>
    public const double MinEffectiveSampleSize = 30;

    public const int Cutoff = 10;

    private static readonly double Z = Normal.InvCDF(0, 1, 0.975);

    /// <summary>Estimates the metrics of <paramref name="target"/>'s ranking of each logged search.</summary>
    public static CounterfactualReport Estimate(IReadOnlyList<LoggedList> log, Func<int, IReadOnlyList<int>> target)
    {
        var n = log.Count;
        var itemWeights = new double[n][];
        var listWeights = new double[n];
        var supported = 0;
        var itemSupported = 0;
        var listSupported = 0;
        for (var i = 0; i < n; i++)
        {
            var entry = log[i];
            var ranking = target(i);
            var weights = ItemWeights(entry, ranking);
            itemWeights[i] = weights ?? [];
            itemSupported += weights is null ? 0 : 1;
            var listProbability = ListProbability(entry, ranking);
            listSupported += listProbability > 0 ? 1 : 0;
            supported += weights is not null && listProbability > 0 ? 1 : 0;
            listWeights[i] = listProbability > 0 && SamePrefix(entry.Shown, ranking) ? 1 / listProbability : 0;
        }

        return new CounterfactualReport
        {
            Searches = n,
            SupportedSearches = supported,
            ClicksAt10 = n == 0 || itemSupported < n
                ? Refuse(n - itemSupported, n, "places a trip at a position the logged policy never showed it at")
                : ClicksAt10(log, itemWeights),
            SearchClickRate = n == 0 || listSupported < n
                ? Refuse(n - listSupported, n, "shows a list the logged policy never showed")
                : SearchClickRate(log, listWeights),
        };
    }

    private static MetricEstimate Refuse(int unsupported, int n, string what) => new()
    {
        Unsupported = n == 0
            ? "The log holds no search to estimate from."
            : $"The log cannot support an estimate: in {unsupported} of {n} searches the ranking {what} (a randomised slice, or a deeper one, would).",
    };

    /// <summary>Per position, 1/μ when the shown trip is the ranking's, 0 when not; null when a placement had no chance.</summary>
    private static double[]? ItemWeights(LoggedList entry, IReadOnlyList<int> ranking)
    {
        var positions = Math.Min(Cutoff, ranking.Count);
        var weights = new double[positions];
        for (var k = 1; k <= positions; k++)
        {
            var trip = ranking[k - 1];
            var rank = IndexOf(entry.Ranked, trip) + 1;
            var chance = rank == 0 ? 0 : entry.Policy.Marginal(rank, k);
            if (chance <= 0)
            {
                return null;
            }

            weights[k - 1] = k <= entry.Shown.Count && entry.Shown[k - 1] == trip ? 1 / chance : 0;
        }

        return weights;
    }

    /// <summary>The probability the policy showed the ranking's first ten as they are; 0 when it never could.</summary>
    private static double ListProbability(LoggedList entry, IReadOnlyList<int> ranking)
    {
        var length = Math.Min(Cutoff, entry.Ranked.Count);
        if (Math.Min(Cutoff, ranking.Count) != length)
        {
            return 0;
        }

        Span<int> order = stackalloc int[length];
        for (var j = 0; j < length; j++)
        {
            order[j] = IndexOf(entry.Ranked, ranking[j]);
            if (order[j] is < 0 || order[j] >= length || order[..j].Contains(order[j]))
            {
                return 0;
            }
        }

        return entry.Policy.ListProbability(order);
    }

    private static bool SamePrefix(IReadOnlyList<int> shown, IReadOnlyList<int> ranking)
    {
        var length = Math.Min(Cutoff, ranking.Count);
        if (Math.Min(Cutoff, shown.Count) != length)
        {
            return false;
        }

        for (var j = 0; j < length; j++)
        {
            if (shown[j] != ranking[j])
            {
                return false;
            }
        }

        return true;
    }

    private static int IndexOf(IReadOnlyList<int> list, int item)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == item)
            {
                return i;
            }
        }

        return -1;
    }

    private static MetricEstimate ClicksAt10(IReadOnlyList<LoggedList> log, double[][] weights)
    {
        var n = log.Count;
        var sumWeight = new double[Cutoff];
        var sumSquared = new double[Cutoff];
        var sumClicked = new double[Cutoff];
        var presentCount = new int[Cutoff];
        var terms = new double[n];
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < weights[i].Length; k++)
            {
                var w = weights[i][k];
                var c = w > 0 && log[i].ClickedPositions.Contains(k + 1) ? w : 0;
                terms[i] += c;
                sumWeight[k] += w;
                sumSquared[k] += w * w;
                sumClicked[k] += c;
                presentCount[k]++;
            }
        }

        var effective = double.PositiveInfinity;
        var ratio = new double[Cutoff];
        var snips = 0.0;
        for (var k = 0; k < Cutoff; k++)
        {
            if (presentCount[k] == 0)
            {
                continue;
            }

            if (sumWeight[k] == 0)
            {
                return new MetricEstimate { Unsupported = $"The log cannot support an estimate: no logged search showed the ranking's trip at position {k + 1}." };
            }

            effective = Math.Min(effective, sumWeight[k] * sumWeight[k] / sumSquared[k]);
            ratio[k] = sumClicked[k] / sumWeight[k];
            snips += (double)presentCount[k] / n * ratio[k];
        }

        if (double.IsPositiveInfinity(effective))
        {
            effective = n;
        }

        // The self-normalised estimate without each search in turn (the jackknife), whose spread gives its interval.
        var leaveOneOut = new double[n];
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < Cutoff; k++)
            {
                var w = k < weights[i].Length ? weights[i][k] : 0;
                var c = w > 0 && log[i].ClickedPositions.Contains(k + 1) ? w : 0;
                var present = k < weights[i].Length ? presentCount[k] - 1 : presentCount[k];
                var rest = sumWeight[k] - w;
                leaveOneOut[i] += present == 0 || rest <= 0 ? 0 : (double)present / (n - 1) * (sumClicked[k] - c) / rest;
            }
        }

        return Finish(terms, leaveOneOut, snips, effective);
    }

    private static MetricEstimate SearchClickRate(IReadOnlyList<LoggedList> log, double[] weights)
    {
        var n = log.Count;
        var terms = new double[n];
        double sumWeight = 0, sumSquared = 0, sumClicked = 0;
        for (var i = 0; i < n; i++)
        {
            var clicked = log[i].ClickedPositions.Any(p => p <= Cutoff) ? 1 : 0;
            terms[i] = weights[i] * clicked;
            sumWeight += weights[i];
            sumSquared += weights[i] * weights[i];
            sumClicked += terms[i];
        }

        if (sumWeight == 0)
        {
            return new MetricEstimate { Unsupported = "The log cannot support an estimate: no logged search showed the ranking's list." };
        }

        var snips = sumClicked / sumWeight;
        var leaveOneOut = new double[n];
        for (var i = 0; i < n; i++)
        {
            var rest = sumWeight - weights[i];
            leaveOneOut[i] = rest <= 0 ? 0 : (sumClicked - terms[i]) / rest;
        }

        return Finish(terms, leaveOneOut, snips, sumWeight * sumWeight / sumSquared);
    }

    private static MetricEstimate Finish(double[] terms, double[] leaveOneOut, double snips, double effective)
    {
        if (effective < MinEffectiveSampleSize)
        {
            return new MetricEstimate
            {
                EffectiveSampleSize = effective,
                Unsupported = $"The log cannot support an estimate: its effective sample size is {effective:0.#}, at least {MinEffectiveSampleSize:0} is needed.",
            };
        }

        var n = terms.Length;
        var ips = terms.Average();
        var ipsError = Math.Sqrt(SumOfSquares(terms) / (n - 1) / n);
        var snipsError = Math.Sqrt(SumOfSquares(leaveOneOut) * (n - 1) / n);
        return new MetricEstimate
        {
            Ips = new IntervalEstimate(ips, ips - Z * ipsError, ips + Z * ipsError),
            Snips = new IntervalEstimate(snips, snips - Z * snipsError, snips + Z * snipsError),
            EffectiveSampleSize = effective,
        };

        static double SumOfSquares(double[] values)
        {
            var mean = values.Average();
            var squares = 0.0;
            foreach (var v in values)
            {
                squares += (v - mean) * (v - mean);
            }

            return squares;
        }
    }
}
