using System.Text;
using BenchmarkDotNet.Attributes;
using SmartTrip.Core.Recommendations;

namespace SmartTrip.Benchmarks;

/// <summary>
/// Filter + score + rank, both tiers, for the fixed mix of 20 searches (figures are per search): over the
/// catalogue data set (542 occurrences) and over a synthetic catalogue of 100 000 occurrences.
/// </summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    private const int PrivateGroups = 10;

    private readonly RecommendationEngine _engine = new(new RecommendationOptions());
    private IReadOnlyList<TripCandidate> _catalogue = [];
    private IReadOnlyList<TripCandidate> _synthetic = [];
    private IReadOnlyDictionary<int, int> _continents = new Dictionary<int, int>();
    private SearchContext[] _searches = [];

    [GlobalSetup]
    public void Setup()
    {
        _catalogue = CatalogueFiles.Candidates();
        _synthetic = CatalogueFiles.Synthetic(100_000);
        _continents = CatalogueFiles.Countries().ToDictionary(c => c.Key, c => c.Value.ContinentBit);
        _searches = CatalogueFiles.PreferenceMix().Select(p => new SearchContext(p, CatalogueFiles.Today, PrivateGroups)).ToArray();
    }

    [Benchmark(OperationsPerInvoke = 20, Description = "Catalogue (542 occurrences), per search")]
    public int Catalogue() => Run(_catalogue);

    [Benchmark(OperationsPerInvoke = 20, Description = "Synthetic 100 000 occurrences, per search")]
    public int Synthetic100K() => Run(_synthetic);

    private int Run(IReadOnlyList<TripCandidate> candidates)
    {
        var returned = 0;
        foreach (var search in _searches)
        {
            var result = _engine.Recommend(search, candidates, _continents);
            returned += result.Primary.Results.Count + result.Relaxed.Count;
        }

        return returned;
    }
}

/// <summary>Reading and validating a preferences body (the frontend's usual search).</summary>
[MemoryDiagnoser]
public class PreferencesBenchmarks
{
    private readonly byte[] _body = Encoding.UTF8.GetBytes(
        """{"selected_continents":["Asia","Europe"],"preferred_theme_ids":[1,6],"budget":15000,"difficulty":2,"min_duration":5,"max_duration":30,"year":"all","month":"all"}""");

    [Benchmark(Description = "Parse and validate a preferences body")]
    public bool Parse() => PreferencesParser.Parse(_body).IsValid;
}

/// <summary>
/// What a running experiment adds to a search: the browser's variant (SHA-256 of experiment and browser, then the
/// shares) and the pick of that variant's engine, against the engine's own work for the same search.
/// </summary>
[MemoryDiagnoser]
public class ExperimentBenchmarks
{
    private readonly SmartTrip.Core.Experiments.Experiment _experiment = new()
    {
        Id = 7,
        Name = "benchmark",
        Variants =
        [
            new() { Name = "control", Share = 50 },
            new() { Name = "b", Share = 30, Overrides = new Dictionary<string, double> { ["ThemeFull"] = 30 } },
            new() { Name = "c", Share = 20, Overrides = new Dictionary<string, double> { ["GeoDirectCountry"] = 20 } },
        ],
    };

    private readonly Guid[] _browsers = Enumerable.Range(0, 64).Select(_ => Guid.NewGuid()).ToArray();
    private Dictionary<string, RecommendationEngine> _engines = [];
    private IReadOnlyList<TripCandidate> _catalogue = [];
    private IReadOnlyDictionary<int, int> _continents = new Dictionary<int, int>();
    private SearchContext _search = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _engines = _experiment.Variants.ToDictionary(
            v => v.Name, v => new RecommendationEngine(SmartTrip.Core.Experiments.ExperimentRules.OptionsFor(new RecommendationOptions(), v)));
        _catalogue = CatalogueFiles.Candidates();
        _continents = CatalogueFiles.Countries().ToDictionary(c => c.Key, c => c.Value.ContinentBit);
        _search = new SearchContext(CatalogueFiles.PreferenceMix()[1], CatalogueFiles.Today, 10);
    }

    [Benchmark(Description = "Variant of a browser and its engine")]
    public RecommendationEngine Assign() =>
        _engines[SmartTrip.Core.Experiments.ExperimentAssignment.Assign(_experiment, _browsers[_next++ & 63]).Name];

    [Benchmark(Description = "One search ranked by the assigned variant's engine (542 occurrences)")]
    public int AssignAndRank()
    {
        var result = Assign().Recommend(_search, _catalogue, _continents);
        return result.Primary.Results.Count + result.Relaxed.Count;
    }
}
