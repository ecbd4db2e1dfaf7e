using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartTrip.Core.Analytics;
using SmartTrip.Core.Data;
using SmartTrip.Core.Hosting;
using SmartTrip.Core.Json;
using SmartTrip.Core.Recommendations;
using SmartTrip.Core.Tracking;
using SmartTrip.Core.Wire;
using SmartTrip.DevHost;
using SmartTrip.Functions.Http;

namespace SmartTrip.Cli;

/// <summary>
/// The verbs of the <c>smarttrip</c> tool. Settings come from the environment exactly as the function app reads
/// them, plus local.settings.json when present. Failures print one line and exit non-zero.
/// </summary>
internal static class Commands
{
    public static Command Migrate()
    {
        var appLogin = new Option<string?>("--app-login")
        {
            Description = "Also create (or update) this login for the application, with the password in SMARTTRIP_APP_DB_PASSWORD: " +
                          "a member of the data-only role smarttrip_app, no DDL.",
        };
        var command = new Command("migrate", "Apply pending database migrations, keep the month partitions ahead and create the Storage queues.") { appLogin };
        command.SetAction((parse, ct) => RunAsync(async services =>
        {
            var configuration = services.GetRequiredService<IConfiguration>();
            var connectionString = SmartTripServiceCollectionExtensions.RequiredConnectionString(configuration);
            var login = parse.GetValue(appLogin);
            var password = Environment.GetEnvironmentVariable("SMARTTRIP_APP_DB_PASSWORD");
            if (login is not null && string.IsNullOrEmpty(password))
            {
                throw new InvalidOperationException("--app-login needs the login's password in SMARTTRIP_APP_DB_PASSWORD.");
            }

            var applied = services.GetRequiredService<DatabaseMigrator>().Migrate(connectionString).AppliedScripts;
            Console.WriteLine(applied.Count == 0
                ? "Database is up to date."
                : $"Applied {applied.Count} migration(s): {string.Join(", ", applied.Select(ShortName))}");
            var archiveAge = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<LifecycleOptions>>().Value.ArchiveAfterMonths;
            await DatabaseMigrator.SetArchiveAgeAsync(connectionString, archiveAge, ct);
            var partitions = await services.GetRequiredService<PartitionMaintenance>().RunAsync(ct);
            Console.WriteLine($"Partitions ready ({partitions.PartitionsCreated} created); {partitions.EventIdsPruned} event ids past the dedupe window forgotten; months older than {archiveAge} may be archived.");
            if (login is not null)
            {
                await DatabaseMigrator.EnsureAppLoginAsync(connectionString, login, password!, ct);
                Console.WriteLine($"Login {login} ready (role {DatabaseMigrator.AppRole}: data only).");
            }

            var queues = services.GetRequiredService<IQueueClientFactory>();
            if (queues.IsConfigured)
            {
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

    /// <summary>
    /// <c>smarttrip dead-letters list|show|replay|purge</c>: the events set aside in <c>event_dead_letters</c> and the
    /// messages of <c>events-poison</c>.
    /// </summary>
    public static Command DeadLetters()
    {
        var limit = new Option<int>("--limit") { Description = "Most rows to list (poison messages: at most 32).", DefaultValueFactory = _ => 50 };
        var list = new Command("list", "Counts, then each waiting item: store, id, event types, SQLSTATE, age and reason.") { limit };
        list.SetAction((parse, ct) => RunAsync(async services =>
        {
            var letters = services.GetRequiredService<DeadLetterService>();
            var counts = await letters.CountAsync(ct);
            Console.WriteLine($"event_dead_letters: {counts.Table} waiting; {QueueNames.EventsPoison}: {counts.Poison} message(s)");
            var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
            foreach (var item in await letters.ListAsync(parse.GetValue(limit), ct))
            {
                var age = item.SetAsideAt is { } at ? Age(now - at) : "?";
                Console.WriteLine($"{(item.Store == DeadLetterStore.Table ? "table" : "poison"),-7} {item.Id,-36} {item.EventType ?? "-",-16} {item.SqlState ?? "-",-6} {age,-8} {item.Reason}");
            }
        }));

        var id = new Argument<string>("id") { Description = "A dead-letter row id or event id, or a poison message id." };
        var show = new Command("show", "Print one item with its envelope (JSON).") { id };
        show.SetAction((parse, ct) => RunAsync(async services =>
        {
            var item = await services.GetRequiredService<DeadLetterService>().ShowAsync(parse.GetValue(id)!, ct)
                       ?? throw new InvalidOperationException($"No dead letter or poison message '{parse.GetValue(id)}'.");
            var options = new JsonSerializerOptions(SmartTripJson.Options) { WriteIndented = true };
            options.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
            Console.WriteLine(JsonSerializer.Serialize(item, options));
        }));

        var replay = new Command("replay", "Put every waiting item back on the events queue (events are keyed by event_id: nothing is counted twice).");
        replay.SetAction((_, ct) => RunAsync(async services =>
        {
            var moved = await services.GetRequiredService<DeadLetterService>().ReplayAsync(ct);
            Console.WriteLine($"Replayed {moved.Table} dead-lettered event(s) and {moved.Poison} poison message(s) onto {QueueNames.Events}.");
        }));

        var yes = new Option<bool>("--yes") { Description = "Confirm: the items are deleted for good." };
        var purge = new Command("purge", "Delete every waiting item (with --yes).") { yes };
        purge.SetAction(async (parse, ct) =>
        {
            if (!parse.GetValue(yes))
            {
                Console.Error.WriteLine("smarttrip: purge deletes every waiting dead letter and poison message for good; add --yes to confirm.");
                return ExitCodes.Refused;
            }

            return await RunAsync(async services =>
            {
                var purged = await services.GetRequiredService<DeadLetterService>().PurgeAsync(ct);
                Console.WriteLine($"Purged {purged.Table} dead-lettered event(s) and {purged.Poison} poison message(s).");
            });
        });

        return new Command("dead-letters", "See, replay or purge the events set aside by the drain and the poison queue.") { list, show, replay, purge };
    }

    private static string Age(TimeSpan age) =>
        age.TotalDays >= 1 ? $"{(int)age.TotalDays}d" : age.TotalHours >= 1 ? $"{(int)age.TotalHours}h" : $"{Math.Max(0, (int)age.TotalMinutes)}m";

    public static Command Recommend()
    {
        var asOf = new Option<string>("--as-of")
        {
            Description = "The day to search as (YYYY-MM-DD): trips before it are in the past.",
            Required = true,
        };
        var noLog = new Option<bool>("--no-log") { Description = "Do not write the searches to recommendation_requests." };
        var jsonl = new Option<bool>("--jsonl")
        {
            Description = "Read one preferences object per line and print one response per line; rejected bodies do not stop the run.",
        };
        var command = new Command(
            "recommend",
            "Read preferences JSON from standard input and print the exact response of POST /api/v2/recommendations.")
        {
            asOf, noLog, jsonl,
        };
        command.SetAction(async (parse, ct) =>
        {
            var text = parse.GetValue(asOf);
            if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                Console.Error.WriteLine($"smarttrip: --as-of must be a date written YYYY-MM-DD, not '{text}'.");
                return ExitCodes.Refused;
            }

            var exitCode = 0;
            var result = await RunAsync(
                async services =>
                {
                    var recommendations = services.GetRequiredService<RecommendationService>();
                    var lines = parse.GetValue(jsonl)
                        ? ReadLines(Console.In).Where(line => line.Trim().Length > 0)
                        : [await Console.In.ReadToEndAsync(ct)];
                    foreach (var line in lines)
                    {
                        object body;
                        try
                        {
                            var outcome = await recommendations.RecommendAsync(
                                new RecommendationRequest(Encoding.UTF8.GetBytes(line), Log: !parse.GetValue(noLog)), ct);
                            body = outcome.Body;
                            if (outcome.Refusal is not null && !parse.GetValue(jsonl))
                            {
                                exitCode = ExitCodes.Refused;
                            }
                        }
                        catch (Exception exception) when (exception is not OperationCanceledException)
                        {
                            // The endpoint's error path, with the endpoint's body: the run stops at the first failure.
                            var answer = ApiErrors.FromException(exception, 0, ErrorShape.Recommendations, out var errorId);
                            Console.Out.WriteLine(JsonSerializer.Serialize(answer.Body, answer.Body!.GetType(), SmartTripJson.Options));
                            Console.Error.WriteLine($"smarttrip: the search failed{(errorId is null ? "" : $" (error id {errorId})")}: {Describe(exception)}");
                            exitCode = ExitCodes.Of(exception);
                            return;
                        }

                        Console.Out.WriteLine(JsonSerializer.Serialize(body, body.GetType(), SmartTripJson.Options));
                    }
                },
                services => services.AddSingleton<TimeProvider>(new PinnedDateTimeProvider(day)));
            return result != 0 ? result : exitCode;
        });
        return command;
    }

    public static Command Evaluate()
    {
        var asOf = new Option<string?>("--as-of") { Description = "The day to search as (YYYY-MM-DD); default today (UTC)." };
        var category = new Option<string?>("--category") { Description = "Only the scenarios of this category (exact)." };
        var command = new Command(
            "evaluate",
            "Run the evaluation personas through the engine and print the report of POST /api/evaluation/run; exit 1 when any fails.")
        {
            asOf, category,
        };
        command.SetAction(async (parse, ct) =>
        {
            TimeProvider clock = TimeProvider.System;
            if (parse.GetValue(asOf) is { } text)
            {
                if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                {
                    Console.Error.WriteLine($"smarttrip: --as-of must be a date written YYYY-MM-DD, not '{text}'.");
                    return ExitCodes.Refused;
                }

                clock = new PinnedDateTimeProvider(day);
            }

            var failed = 0;
            var result = await RunAsync(
                async services =>
                {
                    var report = await services.GetRequiredService<EvaluationService>().RunAsync(parse.GetValue(category), [], ct);
                    Console.Out.WriteLine(JsonSerializer.Serialize(report, SmartTripJson.Options));
                    failed = report.Failed;
                },
                services => services.AddSingleton(clock));
            return result != 0 ? result : failed > 0 ? 1 : 0;
        });
        return command;
    }

    public static Command AggregateMetrics()
    {
        var date = new Option<string?>("--date") { Description = "One UTC day (YYYY-MM-DD)." };
        var from = new Option<string?>("--from") { Description = "First day of a backfill (YYYY-MM-DD)." };
        var to = new Option<string?>("--to") { Description = "Last day of a backfill (YYYY-MM-DD)." };
        var command = new Command(
            "aggregate-metrics",
            "Compute and store daily metrics like the DailyMetrics timer: without options, exactly one timer run; " +
            "with --date or --from/--to, those days.")
        {
            date, from, to,
        };
        command.SetAction(async (parse, ct) =>
        {
            static DateOnly? Day(string? text) =>
                DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
            var (single, first, last) = (parse.GetValue(date), parse.GetValue(from), parse.GetValue(to));
            List<DateOnly>? days = null;
            if (single is not null || first is not null || last is not null)
            {
                var start = Day(single ?? first);
                var end = Day(single ?? last);
                if (start is null || end is null || end < start || (single is not null && (first is not null || last is not null)))
                {
                    Console.Error.WriteLine("smarttrip: give --date D, or --from D --to D with D written YYYY-MM-DD and --from not after --to.");
                    return ExitCodes.Refused;
                }

                days = Enumerable.Range(0, end.Value.DayNumber - start.Value.DayNumber + 1).Select(start.Value.AddDays).ToList();
            }

            return await RunAsync(async services =>
            {
                var run = services.GetRequiredService<DailyMetricsRun>();
                var metrics = services.GetRequiredService<RequestMetrics>();
                if (days is null)
                {
                    var stored = await run.RunAsync(ct);
                    Console.WriteLine($"Stored {string.Join(", ", stored.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)))}; trip interactions recomputed.");
                    return;
                }

                foreach (var day in days)
                {
                    await run.StoreDayAsync(day, ct);
                    var stored = (await metrics.DaysAsync(day, day, ct))[0];
                    Console.WriteLine($"{day:yyyy-MM-dd}  {stored.TotalRequests,7} requests stored");
                }
            });
        });
        return command;
    }

    public static Command OpenApi()
    {
        var output = new Option<string?>("--output") { Description = "Write the document to this file instead of standard output." };
        var command = new Command("openapi", "Print the API's OpenAPI 3.1 document (what GET /api/openapi.json serves), for client generators.") { output };
        command.SetAction(async (parse, ct) =>
        {
            var json = System.Text.Json.Nodes.JsonNode.Parse(SmartTrip.Functions.Http.OpenApiDocumentBuilder.Json)!
                .ToJsonString(new JsonSerializerOptions { WriteIndented = true });
            if (parse.GetValue(output) is { Length: > 0 } path)
            {
                await File.WriteAllTextAsync(path, json + "\n", ct);
            }
            else
            {
                Console.WriteLine(json);
            }

            return 0;
        });
        return command;
    }

    private static IEnumerable<string> ReadLines(TextReader reader)
    {
        while (reader.ReadLine() is { } line)
        {
            yield return line;
        }
    }

    internal static async Task<int> RunAsync(Func<IServiceProvider, Task> action, Action<IServiceCollection>? configure = null)
    {
        try
        {
            var configuration = new ConfigurationBuilder()
                .AddLocalSettings(LocalSettings.Find())
                .AddEnvironmentVariables()
                .Build();
            var services = new ServiceCollection()
                .AddSingleton<IConfiguration>(configuration)
                .AddLogging(logging => logging
                    .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace) // standard output carries results only
                    .AddSimpleConsole(o => o.SingleLine = true)
                    .SetMinimumLevel(LogLevel.Warning));
            configure?.Invoke(services);
            services.AddSmartTrip(configuration);
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
        Console.Error.WriteLine("smarttrip: " + Describe(ex));
        return Failures.Classify(ex) == FailureKind.Unavailable || ex is RequestFailedException { Status: 0 or >= 500 }
            ? ExitCodes.Unavailable
            : ExitCodes.Refused;
    }

    /// <summary>A failure in one line, without a stack trace.</summary>
    private static string Describe(Exception ex)
    {
        var message = ex switch
        {
            RequestFailedException storage => $"Storage request failed ({storage.Status}): {storage.ErrorCode ?? storage.Message}",
            _ when DatabaseErrors.IsUnavailable(ex) => $"cannot reach the database: {ex.InnerException?.Message ?? ex.Message}",
            _ => ex.Message,
        };
        return message.ReplaceLineEndings(" ").Trim();
    }

    private static string ShortName(string script)
    {
        var parts = script.Split('.');
        return parts.Length >= 2 ? parts[^2] : script;
    }
}
