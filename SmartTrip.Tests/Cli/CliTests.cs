using System.Diagnostics;
using Dapper;
using Npgsql;
using SmartTrip.Tests.Integration;

namespace SmartTrip.Tests.Cli;

/// <summary>The built <c>smarttrip</c> tool, run as a separate process with settings from its environment.</summary>
public sealed class CliTests
{
    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(
        IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "smarttrip.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    [Fact]
    public async Task Migrate_then_seed_builds_the_catalogue_from_environment_settings()
    {
        var connectionString = await TestServices.CreateDatabaseAsync("cli");
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__SmartTripDb"] = connectionString,
            ["AzureWebJobsStorage"] = TestServices.StorageConnectionString,
        };

        var migrate = await RunAsync(environment, "migrate");
        var again = await RunAsync(environment, "migrate");
        var seed = await RunAsync(environment, "seed");

        Assert.Equal(0, migrate.ExitCode);
        Assert.Contains("Applied 4 migration(s): 0001_catalog, 0002_tracking, 0003_analytics, 0004_event_reference_rows", migrate.Output);
        Assert.Contains("Queues ready: events, events-poison", migrate.Output);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("Database is up to date.", again.Output);
        Assert.Equal(0, seed.ExitCode);
        Assert.Matches(@"trip_occurrences\s+542 rows\s+542 inserted", seed.Output);

        await using var connection = new NpgsqlConnection(connectionString);
        Assert.Equal(374, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM trip_templates"));
    }

    [Fact]
    public async Task A_missing_connection_string_is_one_line_and_a_non_zero_exit()
    {
        var result = await RunAsync(new Dictionary<string, string> { ["ConnectionStrings__SmartTripDb"] = "" }, "migrate");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            "smarttrip: The setting ConnectionStrings__SmartTripDb (the PostgreSQL connection string) is not set.",
            result.Error.Trim());
    }

    [Fact]
    public async Task An_unreachable_database_is_reported_without_a_stack_trace()
    {
        var result = await RunAsync(
            new Dictionary<string, string> { ["ConnectionStrings__SmartTripDb"] = "Host=127.0.0.1;Port=1;Database=x;Username=x;Timeout=2" },
            "seed");

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Error.Trim().Split('\n'));
        Assert.StartsWith("smarttrip: ", line);
        Assert.DoesNotContain(" at ", line);
    }
}
