using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using SmartTrip.Core.Experiments;
using SmartTrip.Core.Json;

namespace SmartTrip.Cli;

/// <summary><c>smarttrip experiment</c>: create, list, start, stop, results and preview of ranking experiments.</summary>
internal static class ExperimentCommands
{
    /// <summary>The file <c>experiment create</c> reads.</summary>
    private sealed record Definition
    {
        [JsonPropertyName("name")] public string Name { get; init; } = "";
        [JsonPropertyName("description")] public string? Description { get; init; }

        /// <summary><c>ab</c> (the default: browsers split by the shares) or <c>interleaving</c> (two variants merged in every search).</summary>
        [JsonPropertyName("kind")] public string Kind { get; init; } = SmartTrip.Core.Experiments.Experiment.AB;

        [JsonPropertyName("variants")] public List<Variant> Variants { get; init; } = [];
    }

    private static readonly JsonSerializerOptions Indented = new(SmartTripJson.Options) { WriteIndented = true };

    public static Command Experiment()
    {
        var file = new Argument<string>("file") { Description = "The experiment as JSON ('-' reads standard input): name, description, kind (ab or interleaving), variants [{name, share, overrides}]." };
        var create = new Command("create", "Create a draft experiment; the first variant is the control and overrides nothing.") { file };
        create.SetAction((parse, ct) => Commands.RunAsync(async services =>
        {
            var path = parse.GetValue(file)!;
            var text = path == "-" ? await Console.In.ReadToEndAsync(ct) : await File.ReadAllTextAsync(path, ct);
            var definition = JsonSerializer.Deserialize<Definition>(text, SmartTripJson.Options)
                             ?? throw new ExperimentException("The experiment file holds no JSON object.");
            var created = await services.GetRequiredService<ExperimentStore>().CreateAsync(definition.Name, definition.Description, definition.Variants, ct, definition.Kind);
            Console.WriteLine($"Created experiment {created.Id} ({created.Name}), a draft: start it with 'smarttrip experiment start {created.Id}'.");
        }));

        var list = new Command("list", "Every experiment: id, status, variants and their shares, start and stop.");
        list.SetAction((_, ct) => Commands.RunAsync(async services =>
        {
            foreach (var e in await services.GetRequiredService<ExperimentStore>().ListAsync(ct))
            {
                var variants = string.Join(", ", e.Variants.Select(v => $"{v.Name} {v.Share} %{(v.Overrides.Count == 0 ? "" : " (" + string.Join(", ", v.Overrides.Select(o => $"{o.Key}={o.Value.ToString(CultureInfo.InvariantCulture)}")) + ")")}"));
                Console.WriteLine($"{e.Id,4}  {e.Status,-8} {e.Kind,-12} {e.Name}  [{variants}]  started {Time(e.StartedAt)}, stopped {Time(e.StoppedAt)}");
            }
        }));

        var id = new Argument<int>("id") { Description = "The experiment's id (see 'experiment list')." };
        var start = new Command("start", "Start a draft: from then on each browser gets its variant (at most one experiment runs).") { id };
        start.SetAction((parse, ct) => Commands.RunAsync(async services =>
        {
            var started = await services.GetRequiredService<ExperimentStore>().StartAsync(parse.GetValue(id), ct);
            Console.WriteLine($"Experiment {started.Id} ({started.Name}) is running; every instance serves it within its catalogue refresh interval.");
        }));

        var stop = new Command("stop", "Stop a running experiment: everyone gets the control ranking again.") { id };
        stop.SetAction((parse, ct) => Commands.RunAsync(async services =>
        {
            var stopped = await services.GetRequiredService<ExperimentStore>().StopAsync(parse.GetValue(id), ct);
            Console.WriteLine($"Experiment {stopped.Id} ({stopped.Name}) is stopped.");
        }));

        var json = new Option<bool>("--json") { Description = "Print the full report as JSON." };
        var results = new Command("results", "Per variant: searches, impressions, clicks and the rates with 95 % intervals and the difference to the control; the sample-ratio check.") { id, json };
        results.SetAction((parse, ct) => Commands.RunAsync(async services =>
        {
            var report = await services.GetRequiredService<ExperimentResultsService>().ResultsAsync(parse.GetValue(id), ct)
                         ?? throw new ExperimentException($"There is no experiment {parse.GetValue(id)}.");
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(report, Indented));
                return;
            }

            Console.WriteLine($"Experiment {report.Experiment.Id} ({report.Experiment.Name}), {report.Experiment.Status}: searches {Time(report.From)} to {Time(report.To)}"
                + (report.Interleaving is null ? $"; {report.UnassignedSearches} without a browser (served the control, not counted)" : ""));
            if (report.Interleaving is { } interleaving)
            {
                Console.WriteLine($"Interleaved searches: {interleaving.Searches} (the candidate, {report.Experiment.Variants[1].Name}, against the control)");
                Console.WriteLine($"  clicks:   {Comparison(interleaving.Clicks)}");
                Console.WriteLine($"  contacts: {Comparison(interleaving.Contacts)}");
                var balance = interleaving.TeamBalance;
                Console.WriteLine(balance.Imbalanced
                    ? $"WARNING: team imbalance (first position {balance.FirstFromControl} control, {balance.FirstFromCandidate} candidate, p = {balance.PValue:G3}): do not trust the comparison."
                    : $"Team balance: first position {balance.FirstFromControl} control, {balance.FirstFromCandidate} candidate (p = {balance.PValue:G3}).");
                return;
            }

            Console.WriteLine($"{"variant",-12} {"share",5} {"browsers",9} {"searches",9} {"CTR",-36} {"searches with a click",-36} {"contact rate",-36}");
            foreach (var v in report.Variants)
            {
                Console.WriteLine($"{v.Name,-12} {v.Share,4}% {v.Browsers,9} {v.Searches,9} {Rate(v.ClickThroughRate),-36} {Rate(v.SearchClickRate),-36} {Rate(v.ContactRate),-36}");
            }

            var ratio = report.SampleRatio;
            Console.WriteLine(ratio.Mismatch
                ? $"WARNING: sample ratio mismatch (chi-square {ratio.ChiSquare:F2}, p = {ratio.PValue:G3}): browsers are not split by the shares; do not trust the differences."
                : $"Sample ratio: consistent with the shares (chi-square {ratio.ChiSquare:F2}, p = {ratio.PValue:G3}).");
        }));

        var days = new Option<int>("--days") { Description = "Replay the searches logged in the last days.", DefaultValueFactory = _ => 30 };
        var preview = new Command("preview", "Replay the logged searches through every variant in process and compare each with the control, before any traveller sees it.") { id, days, json };
        preview.SetAction((parse, ct) => Commands.RunAsync(async services =>
        {
            var report = await services.GetRequiredService<ExperimentPreview>().RunAsync(parse.GetValue(id), Math.Clamp(parse.GetValue(days), 1, 365), ct);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(report, Indented));
                return;
            }

            Console.WriteLine($"Replayed {report.Searches} searches of the last {report.Days} days over today's catalogue; {report.ClickedTrips} clicked trips.");
            Console.WriteLine($"{"variant",-12} {"overlap@10",10} {"top changed",11} {"top score",9} {"empty",6} {"clicked in top 10",17} {"clicked position",16}");
            foreach (var v in report.Variants)
            {
                Console.WriteLine($"{v.Name,-12} {v.OverlapAt10,10:P1} {v.TopResultChanged,11:P1} {v.MeanTopScore,9:F1} {v.EmptyRate,6:P0} {v.ClickedInTop10,17:P1} {(v.MeanClickedPosition is { } p ? p.ToString("F2", CultureInfo.InvariantCulture) : "-"),16}");
            }

            Console.WriteLine("Counterfactual estimates from the logged propensities (IPS and self-normalised, 95 % intervals):");
            foreach (var v in report.Variants.Where(v => v.Counterfactual is not null))
            {
                Console.WriteLine($"  {v.Name}: clicks at 10 {Estimate(v.Counterfactual!.ClicksAt10)}");
                Console.WriteLine($"  {new string(' ', v.Name.Length)}  search click rate {Estimate(v.Counterfactual.SearchClickRate)}");
            }
        }));

        return new Command("experiment", "Ranking experiments: create, list, start, stop, results, preview.") { create, list, start, stop, results, preview };
    }

    private static string Comparison(InterleavingComparison c) => string.Create(CultureInfo.InvariantCulture,
        $"{c.Wins} wins, {c.Losses} losses, {c.Ties} ties; delta {c.Delta:+0.000;-0.000}, p = {c.PValue:F4}{(c.Significant ? " (significant)" : "")}");

    private static string Estimate(MetricEstimate e) => e.Unsupported ?? string.Create(CultureInfo.InvariantCulture,
        $"IPS {e.Ips!.Value:F4} [{e.Ips.CiLow:F4}, {e.Ips.CiHigh:F4}], SNIPS {e.Snips!.Value:F4} [{e.Snips.CiLow:F4}, {e.Snips.CiHigh:F4}], effective sample size {e.EffectiveSampleSize:F0}");

    private static string Time(DateTimeOffset? at) => at?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + (at is null ? "-" : "Z");

    private static string Rate(RateEstimate r) =>
        string.Create(CultureInfo.InvariantCulture, $"{r.Value:P2} [{r.CiLow:P1}, {r.CiHigh:P1}]")
        + (r.VsControl is { } d ? string.Create(CultureInfo.InvariantCulture, $" {d.Value * 100:+0.00;-0.00} pt p={d.PValue:F3}{(d.Significant ? "*" : "")}") : "");
}
