using System.Diagnostics;
using SmartTrip.Benchmarks;
using SmartTrip.Core.Validation;

namespace SmartTrip.Tests.Validation;

/// <summary>
/// The budget of the edge: no 1 MB body costs more than its size says. The benchmark (EdgeBenchmarks) reports the figures;
/// these tests fail when the check turns quadratic again.
/// </summary>
[Trait("Category", "Unit")]
public sealed class EdgeBudgetTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var endpoint in EdgeShapes.Endpoints)
        {
            foreach (var (name, _) in EdgeShapes.Shapes)
            {
                data.Add(endpoint, name);
            }
        }

        return data;
    }

    /// <summary>
    /// Every worst shape at 1 MB through every endpoint's edge within 2 s (the benchmark's target is 50 ms; the margin is
    /// for a loaded CI machine). Before the fix, the first shape took about 75 s through the recommendations edge: the check
    /// built a path string for every value (<c>$"{path}[{index}]"</c> under a 500 000-character key).
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void A_worst_shaped_megabyte_is_answered_within_its_budget(string endpoint, string shape)
    {
        var make = EdgeShapes.Shapes.Single(s => s.Name == shape).Object;
        var body = EdgeShapes.Body(endpoint, make);
        Assert.InRange(body.Length, JsonBody.MaxBytes * 85 / 100, JsonBody.MaxBytes); // near the largest accepted body
        EdgeShapes.Edge(endpoint, EdgeShapes.Body(endpoint, make, JsonBody.MaxBytes / 4)); // warm

        var clock = Stopwatch.StartNew();
        EdgeShapes.Edge(endpoint, body);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"{endpoint}, {shape}: {clock.Elapsed.TotalMilliseconds:F0} ms");
    }

    /// <summary>
    /// The text and number check allocates nothing while every value passes, whatever the shape: a path string built per
    /// value (the quadratic of the denial of service) would allocate megabytes here.
    /// </summary>
    [Theory]
    [InlineData("long key over many values")]
    [InlineData("over the value limit")]
    [InlineData("deep nesting at the limit")]
    [InlineData("many keys")]
    [InlineData("escaped names")]
    [InlineData("surrogate pair escapes")]
    [InlineData("long numbers")]
    public void Checking_a_megabyte_that_passes_allocates_nothing(string shape)
    {
        var body = EdgeShapes.Body(EdgeShapes.Recommendations, EdgeShapes.Shapes.Single(s => s.Name == shape).Object);
        Assert.Null(StorableText.Check(body)); // warm: the first call may allocate for the JIT

        var before = GC.GetAllocatedBytesForCurrentThread();
        var refused = StorableText.Check(body);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Null(refused);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void A_value_refused_at_the_end_of_a_long_key_names_a_path_cut_to_200_characters()
    {
        var body = EdgeShapes.Body(EdgeShapes.Recommendations, EdgeShapes.Shapes.Single(s => s.Name == "refused at the very end").Object);

        var refused = StorableText.Check(body);

        Assert.NotNull(refused);
        Assert.Equal(new string('A', StorableText.MaxPathLength) + "…", refused.Field);
        Assert.Equal($"{refused.Field} {StorableText.Refused}", refused.Message);
    }

    [Fact]
    public void A_caller_that_goes_away_stops_the_check()
    {
        var body = EdgeShapes.Body(EdgeShapes.Recommendations, EdgeShapes.Shapes.Single(s => s.Name == "over the value limit").Object);
        using var gone = new CancellationTokenSource();
        gone.Cancel();

        Assert.Throws<OperationCanceledException>(() => StorableText.Check(body, gone.Token));
        Assert.Throws<OperationCanceledException>(() => EdgeShapes.Edge(EdgeShapes.BatchSpread,
            EdgeShapes.Body(EdgeShapes.BatchSpread, EdgeShapes.Shapes.Single(s => s.Name == "over the value limit").Object), gone.Token));
    }
}
