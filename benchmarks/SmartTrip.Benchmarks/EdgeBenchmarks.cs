using BenchmarkDotNet.Attributes;

namespace SmartTrip.Benchmarks;

/// <summary>
/// The edge of every anonymous POST endpoint (parse, text and number check, validation) on the worst bodies of the
/// largest accepted size, 1 MB (<see cref="EdgeShapes"/>). Target: each answered in under 50 ms on 2 cores.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
[MaxColumn]
public class EdgeBenchmarks
{
    private ReadOnlyMemory<byte> _body;

    public static IEnumerable<string> Shapes => EdgeShapes.Shapes.Select(s => s.Name);

    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "";

    [ParamsSource(nameof(Endpoints))]
    public string Endpoint { get; set; } = "";

    public static IEnumerable<string> Endpoints => EdgeShapes.Endpoints;

    [GlobalSetup]
    public void Setup() => _body = EdgeShapes.Body(Endpoint, EdgeShapes.Shapes.Single(s => s.Name == Shape).Object);

    [Benchmark(Description = "1 MB body through the endpoint's edge")]
    public int Edge() => EdgeShapes.Edge(Endpoint, _body);
}
