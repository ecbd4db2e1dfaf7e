using SmartTrip.Core.Experiments;
using SmartTrip.Core.Recommendations;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Experiments;

/// <summary>Deterministic, sticky assignment (docs/experiments.md §2).</summary>
[Trait("Category", "Unit")]
public sealed class ExperimentAssignmentTests
{
    private static Experiment Split(int id, params int[] shares) => new()
    {
        Id = id,
        Name = "split",
        Status = Experiment.Running,
        Variants = shares.Select((share, i) => new Variant { Name = i == 0 ? "control" : $"v{i}", Share = share }).ToList(),
    };

    [Theory]
    [InlineData(new[] { 50, 50 })]
    [InlineData(new[] { 20, 30, 50 })]
    [InlineData(new[] { 90, 5, 5 })]
    public void One_hundred_thousand_browsers_split_within_one_percent_of_the_shares(int[] shares)
    {
        var experiment = Split(7, shares);
        var random = new Random(20261207);
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < 100_000; i++)
        {
            var bytes = new byte[16];
            random.NextBytes(bytes);
            var browser = new Guid(bytes);
            var variant = ExperimentAssignment.Assign(experiment, browser).Name;
            counts[variant] = counts.GetValueOrDefault(variant) + 1;
        }

        Expect.All(experiment.Variants, shares.Length, v =>
            Assert.InRange(counts.GetValueOrDefault(v.Name) / 1000.0, v.Share - 1.0, v.Share + 1.0));
    }

    [Fact]
    public void A_browser_always_gets_the_same_variant_and_another_experiment_deals_again()
    {
        var first = Split(1, 50, 50);
        var second = Split(2, 50, 50);
        var browsers = Enumerable.Range(0, 2_000).Select(_ => Guid.NewGuid()).ToList();

        var once = browsers.Select(b => ExperimentAssignment.Assign(first, b).Name).ToList();
        var again = browsers.Select(b => ExperimentAssignment.Assign(first with { Name = "renamed" }, b).Name).ToList();
        var other = browsers.Select(b => ExperimentAssignment.Assign(second, b).Name).ToList();

        Assert.Equal(once, again);
        // Independent experiments: about half of the browsers change arm (binomial, 2 000 draws: 1 000 ± 150 covers > 99.9 %).
        Assert.InRange(once.Zip(other).Count(p => p.First != p.Second), 850, 1_150);
        // The bucket is fixed by the bytes, not by the process: a known browser lands in a known bucket.
        Assert.Equal(ExperimentAssignment.Bucket(1, Guid.Parse("7d9c3a52-1b7e-4f0a-9a55-2f6c1d0e8b31")),
            ExperimentAssignment.Bucket(1, Guid.Parse("7D9C3A52-1B7E-4F0A-9A55-2F6C1D0E8B31")));
        Assert.InRange(ExperimentAssignment.Bucket(1, Guid.Empty), 0, 9_999);
    }

    /// <summary>
    /// Buckets pinned to the formula docs/experiments.md gives, computed outside the app (Python's hashlib): SHA-256 of
    /// the experiment id (4 bytes little-endian) and the UUID (RFC 4122 bytes), first 8 bytes big-endian, modulo 10 000.
    /// A hash seeded per process, the other byte order of the 8 bytes (2 352, 2 165, 6 236) or .NET's mixed-endian GUID
    /// bytes give other buckets.
    /// </summary>
    [Theory]
    [InlineData(7, "5f0c6a50-0000-4000-8000-000000000001", 5332)]
    [InlineData(7, "c2a6f0d4-98e1-4b3a-a7f5-0e4d1c2b3a59", 4080)]
    [InlineData(42, "c2a6f0d4-98e1-4b3a-a7f5-0e4d1c2b3a59", 9016)]
    public void A_browsers_bucket_is_the_documented_formula(int experimentId, string browser, int bucket) =>
        Assert.Equal(bucket, ExperimentAssignment.Bucket(experimentId, Guid.Parse(browser)));

    [Fact]
    public void A_search_without_a_browser_gets_the_control()
    {
        Assert.Equal("control", ExperimentAssignment.Assign(Split(3, 1, 99), null).Name);
    }

    [Fact]
    public void A_variant_changes_only_the_constants_it_names()
    {
        var baseline = new RecommendationOptions();
        var variant = new Variant { Name = "b", Share = 50, Overrides = new Dictionary<string, double> { ["GeoDirectCountry"] = 25, ["BudgetMaxMultiplier"] = 1.4 } };

        var options = ExperimentRules.OptionsFor(baseline, variant);

        Assert.Equal((25, 1.4, baseline.ThemeFull), (options.GeoDirectCountry, options.BudgetMaxMultiplier, options.ThemeFull));
        Assert.Equal(15, baseline.GeoDirectCountry);
    }

    [Theory]
    [InlineData("""[{"name":"control","share":50},{"name":"b","share":40}]""", "variant shares are whole percents from 1 to 99 that add up to 100")]
    [InlineData("""[{"name":"control","share":50}]""", "an experiment has 2 to 10 variants")]
    [InlineData("""[{"name":"control","share":50,"overrides":{"ThemeFull":30}},{"name":"b","share":50}]""", "the first variant (control) is the control and overrides nothing")]
    [InlineData("""[{"name":"control","share":50},{"name":"control","share":50}]""", "variant names are distinct, 1 to 50 letters, digits, '-' or '_'")]
    [InlineData("""[{"name":"control","share":50},{"name":"b c","share":50}]""", "variant names are distinct, 1 to 50 letters, digits, '-' or '_'")]
    [InlineData("""[{"name":"control","share":50},{"name":"b","share":50,"overrides":{"ThemeFull":2.5}}]""", "b: ThemeFull takes a whole number")]
    [InlineData("""[{"name":"control","share":50},{"name":"b","share":50,"overrides":{"MaxResults":0}}]""", "b: Recommendations:MaxResults must be between 1 and 100.")]
    [InlineData("""[{"name":"control","share":50},{"name":"b","share":50,"overrides":{"CatalogRefreshMilliseconds":5}}]""", "b: CatalogRefreshMilliseconds is not a tunable constant")]
    public void A_definition_that_cannot_run_is_refused_with_its_problem(string variants, string problem)
    {
        var parsed = System.Text.Json.JsonSerializer.Deserialize<List<Variant>>(variants, Core.Json.SmartTripJson.Options)!;

        var problems = ExperimentRules.Problems("test", parsed, new RecommendationOptions());

        Assert.Contains(problems, p => p.StartsWith(problem, StringComparison.Ordinal));
    }

    private static List<Variant> Shares(params int[] shares) =>
        [.. shares.Select((share, i) => new Variant { Name = i == 0 ? "control" : $"v{i}", Share = share })];

    /// <summary>The limits of a definition, each on both sides of its bound.</summary>
    [Fact]
    public void Each_limit_of_a_definition_holds_on_both_sides_of_its_bound()
    {
        var options = new RecommendationOptions();
        IReadOnlyList<string> Check(string name, List<Variant> variants) => ExperimentRules.Problems(name, variants, options);

        Assert.Empty(Check(new string('n', 100), Shares(50, 50)));
        Assert.Contains("name must be 1 to 100 characters", Check(new string('n', 101), Shares(50, 50)));
        Assert.Contains("name must be 1 to 100 characters", Check("  ", Shares(50, 50)));
        Assert.Empty(Check("ten", Shares(10, 10, 10, 10, 10, 10, 10, 10, 10, 10)));
        Assert.Contains("an experiment has 2 to 10 variants", Check("eleven", Shares(10, 10, 10, 10, 10, 10, 10, 10, 10, 5, 5)));
        Assert.Empty(Check("edges", Shares(1, 99)));
        Assert.Contains("variant shares are whole percents from 1 to 99 that add up to 100", Check("zero", Shares(0, 100)));
        Assert.Contains("variant shares are whole percents from 1 to 99 that add up to 100", Check("one zero", Shares(0, 50, 50)));
        Assert.Empty(Check("long", [new Variant { Name = "control", Share = 50 }, new Variant { Name = new string('v', 50), Share = 50 }]));
        Assert.Contains("variant names are distinct, 1 to 50 letters, digits, '-' or '_'",
            Check("too long", [new Variant { Name = "control", Share = 50 }, new Variant { Name = new string('v', 51), Share = 50 }]));
    }

    [Fact]
    public void Only_numeric_constants_are_tunable_the_refusal_lists_them_in_order_and_whole_numbers_reach_the_int_range()
    {
        List<Variant> With(string key, double value) =>
            [new Variant { Name = "control", Share = 50 }, new Variant { Name = "b", Share = 50, Overrides = new Dictionary<string, double> { [key] = value } }];
        var options = new RecommendationOptions();

        var text = Assert.Single(ExperimentRules.Problems("t", With(nameof(RecommendationOptions.AlgorithmVersion), 2), options));
        Assert.Equal($"b: AlgorithmVersion is not a tunable constant (valid: {string.Join(", ", ExperimentRules.Tunable.Keys.Order(StringComparer.Ordinal))})", text);
        Assert.DoesNotContain(ExperimentRules.Problems("t", With("ThemeFull", int.MaxValue), options), p => p.Contains("whole number", StringComparison.Ordinal));
        Assert.DoesNotContain(ExperimentRules.Problems("t", With("ThemePenalty", int.MinValue), options), p => p.Contains("whole number", StringComparison.Ordinal));
        Assert.Contains(ExperimentRules.Problems("t", With("ThemeFull", 2147483648d), options), p => p == "b: ThemeFull takes a whole number");
    }

    /// <summary>The bucket on a share's upper bound belongs to the next variant: buckets 0-4999 are the control's of a 50/50 split.</summary>
    [Fact]
    public void The_bucket_on_a_shares_bound_goes_to_the_next_variant()
    {
        var experiment = Split(7, 50, 50);
        var browsers = Enumerable.Range(0, 200_000).Select(i => new Guid(i, 0, 0, new byte[8])).ToList();
        var onBound = browsers.First(b => ExperimentAssignment.Bucket(7, b) == 5_000);
        var justBelow = browsers.First(b => ExperimentAssignment.Bucket(7, b) == 4_999);

        Assert.Equal(experiment.Variants[1].Name, ExperimentAssignment.Assign(experiment, onBound).Name);
        Assert.Equal(experiment.Variants[0].Name, ExperimentAssignment.Assign(experiment, justBelow).Name);
    }
}
