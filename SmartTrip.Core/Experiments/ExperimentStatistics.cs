using System.Text.Json.Serialization;
using MathNet.Numerics.Distributions;

namespace SmartTrip.Core.Experiments;

/// <summary>A rate with its 95 % Wilson score interval, and for a treatment its difference to the control.</summary>
public sealed record RateEstimate
{
    [JsonPropertyName("successes")] public long Successes { get; init; }
    [JsonPropertyName("trials")] public long Trials { get; init; }
    [JsonPropertyName("value")] public double Value { get; init; }
    [JsonPropertyName("ci_low")] public double CiLow { get; init; }
    [JsonPropertyName("ci_high")] public double CiHigh { get; init; }

    /// <summary>Null for the control.</summary>
    [JsonPropertyName("vs_control"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Difference? VsControl { get; init; }
}

/// <summary>
/// A treatment's rate minus the control's, with its 95 % (unpooled, Wald) interval and the two-sided p-value of the
/// pooled two-proportion z-test.
/// </summary>
public sealed record Difference
{
    [JsonPropertyName("value")] public double Value { get; init; }
    [JsonPropertyName("ci_low")] public double CiLow { get; init; }
    [JsonPropertyName("ci_high")] public double CiHigh { get; init; }
    [JsonPropertyName("p_value")] public double PValue { get; init; }
    [JsonPropertyName("significant")] public bool Significant { get; init; }
}

/// <summary>The sample-ratio check: browsers assigned per variant against the shares they should have.</summary>
public sealed record SampleRatioCheck
{
    [JsonPropertyName("observed")] public IReadOnlyList<long> Observed { get; init; } = [];
    [JsonPropertyName("expected")] public IReadOnlyList<double> Expected { get; init; } = [];
    [JsonPropertyName("chi_square")] public double ChiSquare { get; init; }
    [JsonPropertyName("p_value")] public double PValue { get; init; }

    /// <summary>True when the split is too unlikely under the shares (p below <see cref="ExperimentStatistics.SampleRatioAlpha"/>).</summary>
    [JsonPropertyName("mismatch")] public bool Mismatch { get; init; }
}

/// <summary>The statistics of experiment results (docs/experiments.md §4), on MathNet.Numerics' distributions.</summary>
public static class ExperimentStatistics
{
    /// <summary>Significance level of the difference tests (two-sided).</summary>
    public const double Alpha = 0.05;

    /// <summary>
    /// The sample-ratio check warns below this p-value: strict, because a real mismatch gives p-values far below it while
    /// a 5 % level would warn on one healthy experiment in twenty.
    /// </summary>
    public const double SampleRatioAlpha = 0.001;

    private static readonly double Z = Normal.InvCDF(0, 1, 1 - Alpha / 2);

    /// <summary>The rate successes / trials with its Wilson score interval (0, 0, 0 when there are no trials).</summary>
    public static RateEstimate Rate(long successes, long trials)
    {
        if (trials <= 0)
        {
            return new RateEstimate();
        }

        double n = trials, p = (double)successes / trials, z2 = Z * Z;
        var centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        var half = Z * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
        return new RateEstimate
        {
            Successes = successes, Trials = trials, Value = p, CiLow = Math.Max(0, centre - half), CiHigh = Math.Min(1, centre + half),
        };
    }

    /// <summary>A treatment's rate compared with the control's (null when either has no trials).</summary>
    public static RateEstimate Compare(RateEstimate treatment, RateEstimate control)
    {
        if (treatment.Trials == 0 || control.Trials == 0)
        {
            return treatment;
        }

        double n1 = treatment.Trials, n0 = control.Trials, p1 = treatment.Value, p0 = control.Value;
        var difference = p1 - p0;
        var unpooled = Math.Sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0);
        var pooledRate = (treatment.Successes + control.Successes) / (n1 + n0);
        var pooled = Math.Sqrt(pooledRate * (1 - pooledRate) * (1 / n1 + 1 / n0));
        // Both rates 0 or both 1: nothing varies, so there is no evidence of a difference.
        var pValue = pooled == 0 ? 1 : 2 * (1 - Normal.CDF(0, 1, Math.Abs(difference) / pooled));
        return treatment with
        {
            VsControl = new Difference
            {
                Value = difference, CiLow = difference - Z * unpooled, CiHigh = difference + Z * unpooled, PValue = pValue,
                Significant = pValue < Alpha,
            },
        };
    }

    /// <summary>Pearson's chi-square goodness of fit of the observed counts against the shares (percent).</summary>
    public static SampleRatioCheck SampleRatio(IReadOnlyList<long> observed, IReadOnlyList<int> shares)
    {
        var total = observed.Sum();
        var expected = shares.Select(s => total * s / 100.0).ToList();
        if (total == 0)
        {
            return new SampleRatioCheck { Observed = observed, Expected = expected, PValue = 1 };
        }

        var chiSquare = observed.Select((o, i) => (o - expected[i]) * (o - expected[i]) / expected[i]).Sum();
        var pValue = 1 - ChiSquared.CDF(observed.Count - 1, chiSquare);
        return new SampleRatioCheck
        {
            Observed = observed, Expected = expected, ChiSquare = chiSquare, PValue = pValue, Mismatch = pValue < SampleRatioAlpha,
        };
    }
}
