using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SmartTrip.Core.Experiments;
using SmartTrip.Core.Recommendations;
using SmartTrip.Core.Simulation;

namespace SmartTrip.Cli;

/// <summary>
/// <c>smarttrip simulate</c>: the simulated population with known truth (docs/experiments.md §9) over the database's
/// catalogue, in process or through a running API.
/// </summary>
internal static class SimulateCommands
{
    public static Command Simulate()
    {
        var eta = new Option<double>("--eta") { Description = "Position bias: position k is looked at with probability (1/k)^eta.", DefaultValueFactory = _ => 1 };
        var intent = new Option<double>("--intent") { Description = "The share of searches whose reader is ready to click at all.", DefaultValueFactory = _ => 0.3 };
        var cascade = new Option<bool>("--cascade") { Description = "Read the list top-down and stop at the first click, instead of the position-based model." };
        var browsers = new Option<int>("--browsers") { Description = "Browsers in the population.", DefaultValueFactory = _ => 2000 };
        var seed = new Option<int>("--seed") { Description = "The run's seed: the same seed, the same run.", DefaultValueFactory = _ => 1 };

        var searches = new Option<int>("--searches") { Description = "Searches to simulate.", DefaultValueFactory = _ => 20_000 };
        var sensitivity = new Command(
            "sensitivity",
            "In process: the searches an A/B test and an interleaving experiment need to detect a truly better variant and two degraded ones (alpha 0.05, power 80 %).")
        {
            eta, intent, cascade, browsers, seed, searches,
        };
        sensitivity.SetAction((parse, ct) => Commands.RunAsync(async services =>
        {
            var (population, catalogue, today) = await PopulationAsync(services, parse.GetValue(browsers), parse.GetValue(seed), ct);
            var clicks = Clicks(parse.GetValue(cascade), parse.GetValue(eta), parse.GetValue(intent));
            var simulator = new InProcessSimulator(population, catalogue, today, clicks);
            var ranked = simulator.Searches(services.GetRequiredService<RecommendationEngine>(), parse.GetValue(searches), parse.GetValue(seed));
            var trips = catalogue.Candidates.Where(t => RecommendationEngine.IsBookable(t, today)).Select(t => t.Id).ToList();
            Console.WriteLine($"| variant | eta | search click rate, control → variant | true NDCG@10 change | wins / losses | A/B searches | interleaving searches | ratio |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|");
            foreach (var (variant, i) in Sensitivity.StandardVariants(population, trips).Select((v, i) => (v, i)))
            {
                var r = Sensitivity.Measure(simulator, ranked, variant, parse.GetValue(seed) + i);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {r.Variant} | {r.Eta} | {r.ControlClickRate:0.0000} → {r.VariantClickRate:0.0000} | {r.NdcgDifference:+0.0000;-0.0000} | {r.WinRate:0.0000} / {r.LossRate:0.0000} | {Searches(r.AbSearches)} | {Searches(r.InterleavingSearches)} | {(double.IsFinite(r.Ratio) ? r.Ratio.ToString("0.0", CultureInfo.InvariantCulture) : "-")}{r.Agree switch { false => " (disagree)", null => " (A/B blind)", _ => "" }} |"));
            }
        }));

        var url = new Option<string>("--url") { Description = "The API's base address, e.g. http://localhost:7071.", Required = true };
        var experimentId = new Option<int?>("--experiment") { Description = "Also rank the same searches in process by each variant of this experiment and print each variant's truth." };
        var traffic = new Command(
            "traffic",
            "Through the API: simulated browsers search, see their lists and send impressions, clicks and contacts as events; waits until the drain has stored every event, and prints the truth of what they were shown.")
        {
            url, eta, intent, cascade, browsers, seed, searches, experimentId,
        };
        traffic.SetAction((parse, ct) => Commands.RunAsync(async services =>
        {
            var (population, catalogue, today) = await PopulationAsync(services, parse.GetValue(browsers), parse.GetValue(seed), ct);
            var clicks = Clicks(parse.GetValue(cascade), parse.GetValue(eta), parse.GetValue(intent));
            using var client = new HttpClient { BaseAddress = new Uri(parse.GetValue(url)!), Timeout = TimeSpan.FromSeconds(30) };
            var sending = Stopwatch.StartNew();
            var report = await new ApiTraffic(client, population, clicks).RunAsync(parse.GetValue(searches), parse.GetValue(seed), ct);
            Console.WriteLine($"Sent in {sending.Elapsed.TotalSeconds:F1} s; waiting for the drain to store every event.");
            var waiting = Stopwatch.StartNew();
            await WaitForEventsAsync(services.GetRequiredService<NpgsqlDataSource>(), report, ct);
            Console.WriteLine($"Every event stored {waiting.Elapsed.TotalSeconds:F1} s after the last was accepted.");
            Console.WriteLine($"{report.Searches} searches in {report.Sessions} sessions; {report.SearchesWithClick} with a click; {report.Clicks} clicks, {report.Contacts} contacts; {report.EventsSent} events accepted.");
            Console.WriteLine("| served as | true clicks at 10 | true search click rate | true NDCG@10 | true contact rate |");
            Console.WriteLine("|---|---|---|---|---|");
            foreach (var (variant, truth) in report.TruthByVariant.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                Console.WriteLine(Row(variant.Length == 0 ? "(no experiment)" : variant, truth));
            }

            if (parse.GetValue(experimentId) is { } id)
            {
                var experiment = await services.GetRequiredService<ExperimentStore>().GetAsync(id, ct)
                                 ?? throw new ExperimentException($"There is no experiment {id}.");
                var baseline = services.GetRequiredService<RecommendationOptions>();
                var simulator = new InProcessSimulator(population, catalogue, today, clicks);
                Console.WriteLine($"Each variant of experiment {id} ranking the same {report.Searches} searches in process:");
                Console.WriteLine("| variant | true clicks at 10 | true search click rate | true NDCG@10 | true contact rate |");
                Console.WriteLine("|---|---|---|---|---|");
                foreach (var variant in experiment.Variants)
                {
                    var engine = new RecommendationEngine(ExperimentRules.OptionsFor(baseline, variant));
                    var ranked = report.Made.Select(s => simulator.Rank(s, engine)).ToList();
                    Console.WriteLine(Row(variant.Name, simulator.Truth(ranked, s => s.Ranking)));
                }
            }
        }));

        return new Command("simulate", "Simulated travellers with known truth: sensitivity of experiments in process, or traffic through a running API.") { sensitivity, traffic };
    }

    private static string Row(string name, RankingTruth truth) => string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {truth.ClicksAt10:0.0000} | {truth.SearchClickRate:0.0000} | {truth.Ndcg10:0.0000} | {truth.ContactRate:0.0000} |");

    /// <summary>Waits until the events of the run's browsers are all in the database (five minutes at most).</summary>
    private static async Task WaitForEventsAsync(NpgsqlDataSource dataSource, TrafficReport report, CancellationToken ct)
    {
        var browsers = report.Browsers.ToArray();
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (true)
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            var stored = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
                "SELECT count(*) FROM events WHERE anonymous_id = ANY(@browsers)", new { browsers }, cancellationToken: ct));
            if (stored >= report.EventsSent)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"After five minutes the database holds {stored} of the {report.EventsSent} events sent (is the drain running?).");
            }

            await Task.Delay(500, ct);
        }
    }

    private static string Searches(double n) => double.IsFinite(n) ? n.ToString("N0", CultureInfo.InvariantCulture) : "never";

    private static ClickModel Clicks(bool cascade, double eta, double intent) =>
        new(cascade ? ClickModelKind.Cascade : ClickModelKind.PositionBased, eta, noise: 0.02, contact: 0.5, intent: Math.Clamp(intent, 0.01, 1));

    private static async Task<(Population, CatalogSnapshotData, DateOnly)> PopulationAsync(IServiceProvider services, int browsers, int seed, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime);
        var snapshot = await services.GetRequiredService<CatalogSnapshotCache>().GetAsync(today, ct);
        return (Population.Generate(snapshot.Data.Candidates, today, Math.Clamp(browsers, 1, 1_000_000), seed), snapshot.Data, today);
    }
}
