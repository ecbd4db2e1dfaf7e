using SmartTrip.Core.Experiments;

namespace SmartTrip.Tests.Experiments;

/// <summary>The statistics of experiment results (docs/experiments.md §4), against known values and by simulation.</summary>
[Trait("Category", "Unit")]
public sealed class ExperimentStatisticsTests
{
    [Fact]
    public void Intervals_and_the_test_give_the_textbook_values()
    {
        // Wilson 95 % interval of 10 in 100: [0.0552, 0.1744]. 50/100 against 30/100: pooled rate 0.4, z = 0.2 / 0.0693 = 2.887,
        // p = 0.0039; unpooled interval 0.2 ± 1.96 × 0.0678 = [0.067, 0.333].
        var rate = ExperimentStatistics.Rate(10, 100);
        var compared = ExperimentStatistics.Compare(ExperimentStatistics.Rate(50, 100), ExperimentStatistics.Rate(30, 100));

        Assert.Equal((0.1, 0.0552, 0.1744), (rate.Value, Math.Round(rate.CiLow, 4), Math.Round(rate.CiHigh, 4)));
        var d = compared.VsControl!;
        Assert.Equal((0.2, 0.0039, 0.067, 0.333, true), (Math.Round(d.Value, 4), Math.Round(d.PValue, 4), Math.Round(d.CiLow, 3), Math.Round(d.CiHigh, 3), d.Significant));
        Assert.Equal(new RateEstimate(), ExperimentStatistics.Rate(0, 0));
        Assert.Equal(1, ExperimentStatistics.Compare(ExperimentStatistics.Rate(0, 50), ExperimentStatistics.Rate(0, 50)).VsControl!.PValue);
    }

    /// <summary>Searches of one arm, each clicked with probability <paramref name="rate"/>.</summary>
    private static RateEstimate Arm(Random random, int searches, double rate) =>
        ExperimentStatistics.Rate(Enumerable.Range(0, searches).Count(_ => random.NextDouble() < rate), searches);

    [Fact]
    public void A_variant_that_truly_clicks_more_is_found_better()
    {
        var random = new Random(14);
        // Control 10 %, variant 13 % of 4 000 searches each: a difference of 3 points against a standard error of 0.71.
        var control = Arm(random, 4_000, 0.10);
        var variant = ExperimentStatistics.Compare(Arm(random, 4_000, 0.13), control);

        Assert.True(variant.VsControl!.Significant, $"p = {variant.VsControl.PValue}");
        Assert.True(variant.VsControl.Value > 0 && variant.VsControl.CiLow > 0);
        Assert.InRange(0.03, variant.VsControl.CiLow, variant.VsControl.CiHigh);
    }

    [Fact]
    public void An_a_a_experiment_reports_a_difference_at_about_the_stated_error_rate()
    {
        var random = new Random(2026);
        const int Runs = 1_000;
        var falseAlarms = 0;
        var covered = 0;
        for (var run = 0; run < Runs; run++)
        {
            var result = ExperimentStatistics.Compare(Arm(random, 2_000, 0.1), Arm(random, 2_000, 0.1)).VsControl!;
            falseAlarms += result.Significant ? 1 : 0;
            covered += result.CiLow <= 0 && 0 <= result.CiHigh ? 1 : 0;
        }

        // 5 % expected: binomial(1 000, 0.05) stays within 30..70 with probability > 99.7 %.
        Assert.InRange(falseAlarms, 30, 70);
        Assert.InRange(covered, 930, 970);
    }

    /// <summary>
    /// The ratio check's threshold pinned on either side of 0.001: a 50/50 split of 10 000 off by 348 (chi-square 12.11,
    /// p = 0.00050) is flagged, one off by 308 (chi-square 9.49, p = 0.00207) is not. A threshold of 0.01 or 0.0001
    /// fails one of the two; so does the wrong degrees of freedom.
    /// </summary>
    [Fact]
    public void The_ratio_check_flags_p_0_0005_and_not_p_0_002()
    {
        var flagged = ExperimentStatistics.SampleRatio([5_174, 4_826], [50, 50]);
        var passed = ExperimentStatistics.SampleRatio([5_154, 4_846], [50, 50]);

        Assert.Equal(0.000501, flagged.PValue, 6);
        Assert.Equal(0.00207, passed.PValue, 5);
        Assert.True(flagged.Mismatch);
        Assert.False(passed.Mismatch);
    }

    [Fact]
    public void A_broken_sixty_forty_split_of_a_fifty_fifty_experiment_trips_the_ratio_check_and_a_fair_one_does_not()
    {
        var broken = ExperimentStatistics.SampleRatio([600, 400], [50, 50]);
        var fair = ExperimentStatistics.SampleRatio([5_030, 4_970], [50, 50]);
        var threeWay = ExperimentStatistics.SampleRatio([2_010, 2_980, 5_010], [20, 30, 50]);

        // (600 − 500)² / 500 × 2 = 40 with one degree of freedom: p ≈ 2.5e-10.
        Assert.Equal((40.0, true), (broken.ChiSquare, broken.Mismatch));
        Assert.True(broken.PValue < 1e-9);
        Assert.False(fair.Mismatch);
        Assert.False(threeWay.Mismatch);
        Assert.Equal([500.0, 500.0], broken.Expected);
    }

    [Fact]
    public void A_variant_without_trials_is_not_compared_and_the_chi_square_is_pearsons()
    {
        var lonely = ExperimentStatistics.Compare(ExperimentStatistics.Rate(0, 0), ExperimentStatistics.Rate(10, 100));
        var split = ExperimentStatistics.SampleRatio([60, 40], [50, 50]);
        var nothing = ExperimentStatistics.SampleRatio([0, 0], [50, 50]);

        Assert.Null(lonely.VsControl);
        Assert.Equal(4.0, split.ChiSquare, 12); // (60-50)²/50 + (40-50)²/50
        Assert.Equal((1.0, false), (nothing.PValue, nothing.Mismatch));
        Assert.Equal([0L, 0L], nothing.Observed);
    }
}
