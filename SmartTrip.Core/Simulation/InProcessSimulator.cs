using SmartTrip.Core.Experiments;
using SmartTrip.Core.Recommendations;

namespace SmartTrip.Core.Simulation;

/// <summary>A simulated search with the engine's ranking of it (trip ids, best first) and the size of the first result's tier.</summary>
public sealed record RankedSearch(SimulatedSearch Search, IReadOnlyList<int> Ranking, int FirstTierCount);

/// <summary>What a ranking truly does for a set of searches: the means of the exact expectations under the click model.</summary>
public sealed record RankingTruth(double ClicksAt10, double SearchClickRate, double Ndcg10, double ContactRate)
{
    /// <summary>The truth of lists shown to browsers.</summary>
    public static RankingTruth Of(Population population, ClickModel clicks, IEnumerable<(SimulatedBrowser Browser, IReadOnlyList<int> List)> shown)
    {
        double clicksAt10 = 0, anyClick = 0, ndcg = 0, contact = 0;
        var n = 0;
        foreach (var (browser, list) in shown)
        {
            var grades = population.GradesOf(browser, list);
            clicksAt10 += clicks.ExpectedClicks(grades);
            anyClick += clicks.AnyClick(grades);
            contact += clicks.AnyContact(grades);
            ndcg += population.Ndcg(browser, list);
            n++;
        }

        n = Math.Max(1, n);
        return new RankingTruth(clicksAt10 / n, anyClick / n, ndcg / n, contact / n);
    }
}

/// <summary>
/// The simulated population searching the engine in process, over one catalogue: fast enough to repeat a whole logging
/// period thousands of times, which is what the statistical proofs of docs/experiments.md §9 need. The same population
/// drives the real API through <c>smarttrip simulate</c>.
/// </summary>
public sealed class InProcessSimulator(Population population, CatalogSnapshotData catalogue, DateOnly today, ClickModel clicks)
{
    public Population Population => population;

    public ClickModel Clicks => clicks;

    /// <summary>Sessions of random browsers until <paramref name="count"/> searches, each ranked by <paramref name="engine"/>.</summary>
    public IReadOnlyList<RankedSearch> Searches(RecommendationEngine engine, int count, int seed)
    {
        var random = new Random(seed);
        var searches = new List<RankedSearch>(count);
        while (searches.Count < count)
        {
            var browser = population.Browsers[random.Next(population.Browsers.Count)];
            foreach (var search in population.Session(browser, random))
            {
                if (searches.Count == count)
                {
                    break;
                }

                searches.Add(Rank(search, engine));
            }
        }

        return searches;
    }

    /// <summary>The engine's ranking of one search, as the endpoint would serve it.</summary>
    public RankedSearch Rank(SimulatedSearch search, RecommendationEngine engine)
    {
        var result = RecommendationService.Rank(search.Preferences, catalogue, today, engine);
        var ranking = result.Primary.Results.Concat(result.Relaxed).Select(r => r.Trip.Id).ToList();
        var firstTier = result.Primary.Results.Count > 0 ? result.Primary.Results.Count : result.Relaxed.Count;
        return new RankedSearch(search, ranking, firstTier);
    }

    /// <summary>Serves a search under a logging policy and draws the traveller's clicks: the log line an estimate reads.</summary>
    public LoggedList Log(RankedSearch search, ExplorationKind kind, double share, int depth, Random random)
    {
        var policy = LoggingPolicy.For(kind, share, depth, search.FirstTierCount);
        var order = policy.Draw(search.Ranking.Count, random);
        var shown = order.Select(i => search.Ranking[i]).ToArray();
        var (clicked, _) = clicks.Sample(population.GradesOf(search.Search.Browser, shown), random);
        return new LoggedList(search.Ranking, shown, policy, clicked);
    }

    /// <summary>The exact expected metrics of a ranking over the searches.</summary>
    public RankingTruth Truth(IReadOnlyList<RankedSearch> searches, Func<RankedSearch, IReadOnlyList<int>> ranking) =>
        RankingTruth.Of(population, clicks, searches.Select(s => (s.Search.Browser, ranking(s))));
}
