using System.CommandLine;
using Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartTrip.Core.Data;
using SmartTrip.Core.Platform;
using SmartTrip.DevHost;

namespace SmartTrip.Cli;

/// <summary>
/// The verbs of the <c>smarttrip</c> tool. Settings come from the environment exactly as the function app reads
/// them, plus local.settings.json when present. Failures print one line and exit non-zero.
/// </summary>
internal static class Commands
{
    public static Command Migrate()
    {
        var command = new Command("migrate", "Apply pending database migrations and create the Storage queues.");
        command.SetAction((_, ct) => RunAsync(async services =>
        {
            var configuration = services.GetRequiredService<IConfiguration>();
            var applied = services.GetRequiredService<DatabaseMigrator>()
                .Migrate(SmartTripServiceCollectionExtensions.RequiredConnectionString(configuration)).AppliedScripts;
            Console.WriteLine(applied.Count == 0
                ? "Database is up to date."
                : $"Applied {applied.Count} migration(s): {string.Join(", ", applied.Select(ShortName))}");

            if (!string.IsNullOrWhiteSpace(configuration[SettingNames.Storage]))
            {
                var queues = services.GetRequiredService<IQueueClientFactory>();
                foreach (var name in new[] { QueueNames.Events, QueueNames.EventsPoison })
                {
                    await queues.GetQueue(name).CreateIfNotExistsAsync(cancellationToken: ct);
                }

                Console.WriteLine($"Queues ready: {QueueNames.Events}, {QueueNames.EventsPoison}");
            }
        }));
        return command;
    }

    public static Command Seed()
    {
        var shift = new Option<bool>("--shift-dates-to-today")
        {
            Description = "Move every departure by (today - 2026-11-25) days so the demo catalogue looks current.",
        };
        var data = new Option<DirectoryInfo?>("--data")
        {
            Description = "Folder holding catalog/*.csv and scenarios/personas.json (default: the data shipped with the tool).",
        };
        var command = new Command("seed", "Load the trip catalogue and evaluation scenarios (idempotent).") { shift, data };
        command.SetAction((parse, ct) => RunAsync(async services =>
        {
            var seeder = services.GetRequiredService<CatalogSeeder>();
            var shiftDays = parse.GetValue(shift) ? seeder.DaysToToday() : 0;
            var folder = parse.GetValue(data)?.FullName ?? Path.Combine(AppContext.BaseDirectory, "data");
            var tables = await seeder.SeedAsync(folder, shiftDays, ct);
            foreach (var t in tables)
            {
                Console.WriteLine($"{t.Table,-24} {t.Rows,5} rows  {t.Inserted,5} inserted  {t.Updated,5} updated");
            }

            if (shiftDays != 0)
            {
                Console.WriteLine($"Departure dates shifted by {shiftDays} day(s).");
            }
        }));
        return command;
    }

    public static Command Serve()
    {
        var urls = new Option<string?>("--urls")
        {
            Description = $"Address to listen on (default {DevHostApplication.DefaultUrl}, or ASPNETCORE_URLS).",
        };
        var command = new Command("serve", "Run the development host: the HTTP functions on Kestrel.") { urls };
        command.SetAction(async (parse, ct) =>
        {
            var args = parse.GetValue(urls) is { Length: > 0 } value ? new[] { "--urls", value } : [];
            try
            {
                var app = DevHostApplication.Build(args);
                await app.StartAsync(ct);
                Console.WriteLine($"SmartTrip API listening on {string.Join(", ", app.Urls)} (routes under /{app.Services.GetRequiredService<HostJson>().RoutePrefix})");
                await app.WaitForShutdownAsync(ct);
                return 0;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return Fail(ex);
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(Func<IServiceProvider, Task> action)
    {
        try
        {
            var configuration = new ConfigurationBuilder()
                .AddLocalSettings(LocalSettings.Find())
                .AddEnvironmentVariables()
                .Build();
            var services = new ServiceCollection()
                .AddSingleton<IConfiguration>(configuration)
                .AddLogging(logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning))
                .AddSmartTrip(configuration);
            await using var provider = services.BuildServiceProvider();
            await action(provider);
            return 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Fail(ex);
        }
    }

    private static int Fail(Exception ex)
    {
        var message = ex switch
        {
            RequestFailedException storage => $"Storage request failed ({storage.Status}): {storage.ErrorCode ?? storage.Message}",
            _ when DatabaseErrors.IsUnavailable(ex) => $"cannot reach the database: {ex.InnerException?.Message ?? ex.Message}",
            _ => ex.Message,
        };
        Console.Error.WriteLine("smarttrip: " + message.ReplaceLineEndings(" ").Trim());
        return 1;
    }

    private static string ShortName(string script)
    {
        var parts = script.Split('.');
        return parts.Length >= 2 ? parts[^2] : script;
    }
}
