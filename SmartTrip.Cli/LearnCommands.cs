using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SmartTrip.Core.Experiments;
using SmartTrip.Core.Json;

namespace SmartTrip.Cli;

/// <summary><c>smarttrip learn</c>: what the logged clicks teach about the ranking (docs/experiments.md §12).</summary>
internal static class LearnCommands
{
    public static Command Learn()
    {
        var days = new Option<int>("--days") { Description = "Read the searches logged in the last days.", DefaultValueFactory = _ => 30 };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var positionBias = new Command(
            "position-bias",
            "How much less each position is looked at than the first, from the searches the swap slice changed (Exploration__Kind Swap), with 95 % intervals.")
        {
            days, json,
        };
        positionBias.SetAction((parse, ct) => Commands.RunAsync(async services =>
        {
            var report = await services.GetRequiredService<PositionBiasService>().EstimateAsync(Math.Clamp(parse.GetValue(days), 1, 365), ct);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(report, SmartTripJson.Options));
                return;
            }

            Console.WriteLine($"{report.Searches} searches logged under a swap slice in the last {report.Days} days.");
            if (report.Positions.Count == 0)
            {
                Console.WriteLine("No position can be estimated yet: turn the swap slice on (Exploration__Share, Exploration__Kind Swap) and let searches be clicked.");
                return;
            }

            Console.WriteLine("position  examination vs the first  95 % interval        swapped searches");
            foreach (var p in report.Positions)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{p.Position,8}  {p.Relative,24:0.000}  [{p.CiLow:0.000}, {p.CiHigh:0.000}]  {p.SwappedSearches,16}"));
            }
        }));

        return new Command("learn", "What the logged clicks teach about the ranking.") { positionBias };
    }
}
