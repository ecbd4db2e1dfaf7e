using SmartTrip.Core.Catalog;
using SmartTrip.Core.Recommendations;
using SmartTrip.Core.Simulation;

namespace SmartTrip.Tests.Simulation;

/// <summary>
/// A catalogue made up for the in-process simulations: trips over 10 themes, 24 countries on 6 continents, a year of
/// departures, prices and lengths spread like the real catalogue's. Deterministic by seed.
/// </summary>
public static class SyntheticCatalogue
{
    public static readonly DateOnly Today = new(2027, 1, 10);

    public static CatalogSnapshotData Generate(int trips = 300, int seed = 7)
    {
        var random = new Random(seed);
        var continents = Continents.All.Where(c => c.Label != "ANTARCTICA").Select(c => Continents.Bit(c.Label)).ToArray();
        var continentOf = Enumerable.Range(1, 24).ToDictionary(country => country, country => continents[(country - 1) % continents.Length]);
        var candidates = new List<TripCandidate>(trips);
        for (var id = 1; id <= trips; id++)
        {
            var country = 1 + random.Next(24);
            var start = Today.AddDays(7 + random.Next(360));
            var themes = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => 1 + random.Next(10)).Distinct().Order().ToArray();
            candidates.Add(new TripCandidate
            {
                Id = id,
                TemplateId = 1000 + id,
                StartDate = start,
                EndDate = start.AddDays(3 + random.Next(18)),
                EffectivePrice = 10 * Math.Round(200 + 2800 * Math.Pow(random.NextDouble(), 2)),
                Status = random.NextDouble() < 0.8 ? TripStatuses.Open : TripStatuses.Guaranteed,
                SpotsLeft = 1 + random.Next(20),
                DifficultyLevel = 1 + random.Next(5),
                TripTypeId = 1 + random.Next(6),
                PrimaryCountryId = country,
                ContinentBit = continentOf[country],
                TagIds = themes,
            });
        }

        return new CatalogSnapshotData(1, Today, 10, candidates, continentOf);
    }
}

/// <summary>The simulations' common world: the synthetic catalogue, 400 browsers and a pool of 4 000 ranked searches.</summary>
public sealed record SimulatedWorld(CatalogSnapshotData Catalogue, Population Population, IReadOnlyList<RankedSearch> Pool)
{
    public static SimulatedWorld Create(int browsers = 400, int searches = 4000)
    {
        var catalogue = SyntheticCatalogue.Generate();
        var population = Population.Generate(catalogue.Candidates, SyntheticCatalogue.Today, browsers, seed: 5);
        var simulator = new InProcessSimulator(population, catalogue, SyntheticCatalogue.Today, new ClickModel(ClickModelKind.PositionBased, 1, 0.02, 0.5));
        return new SimulatedWorld(catalogue, population, simulator.Searches(new RecommendationEngine(new RecommendationOptions()), searches, seed: 9));
    }

    /// <summary>The world's travellers reading lists as <paramref name="clicks"/> says.</summary>
    public InProcessSimulator With(ClickModel clicks) => new(Population, Catalogue, SyntheticCatalogue.Today, clicks);
}
