using Azure.Storage.Queues;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using SmartTrip.Core.Data;
using SmartTrip.Core.Hosting;

namespace SmartTrip.Tests.Fixtures;

/// <summary>
/// The real PostgreSQL server and Azurite that scripts/test.sh starts (SMARTTRIP_TEST_POSTGRES,
/// SMARTTRIP_TEST_STORAGE). Integration tests fail with a clear message when they are missing.
/// </summary>
public static class TestServices
{
    /// <summary>The reference "today" of the catalogue data set.</summary>
    public static readonly DateTimeOffset Today = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    public static string AdminConnectionString => Required("SMARTTRIP_TEST_POSTGRES");

    public static string StorageConnectionString => Required("SMARTTRIP_TEST_STORAGE");

    /// <summary>
    /// A second account on the same Azurite. Hosts that do not drain the events queue send their events there, so that
    /// the host that drains (the events fixture's) never stores another fixture's events in its database.
    /// </summary>
    public static string SecondStorageConnectionString => Required("SMARTTRIP_TEST_STORAGE_SECOND");

    public static FakeTimeProvider Clock() => new(Today);

    /// <summary>A new empty database on the test server; returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"st_{prefix}_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>A new database with the schema and the catalogue, its departures moved by <paramref name="shiftDays"/>.</summary>
    public static async Task<string> CreateSeededDatabaseAsync(string prefix, int shiftDays = 0)
    {
        var connectionString = await CreateDatabaseAsync(prefix);
        new DatabaseMigrator(NullLogger<DatabaseMigrator>.Instance).Migrate(connectionString);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new CatalogSeeder(dataSource, Clock(), NullLogger<CatalogSeeder>.Instance)
            .SeedAsync(DataDirectory, shiftDays, CancellationToken.None);
        return connectionString;
    }

    /// <summary>Creates the app's queues on the test Azurite, as <c>smarttrip migrate</c> does.</summary>
    public static async Task EnsureQueuesAsync(string? connectionString = null)
    {
        foreach (var name in new[] { QueueNames.Events, QueueNames.EventsPoison })
        {
            await new QueueClient(connectionString ?? StorageConnectionString, name).CreateIfNotExistsAsync();
        }
    }

    /// <summary>The repository's data folder.</summary>
    public static string DataDirectory => Path.Combine(RepositoryRoot, "data");

    /// <summary>The build output of SmartTrip.Functions in the tests' configuration (what the Functions host runs).</summary>
    public static string FunctionsOutput => Path.Combine(RepositoryRoot, "SmartTrip.Functions", "bin",
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? "Release" : "Debug",
        "net10.0");

    public static string RepositoryRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "SmartTrip.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("Repository root (SmartTrip.sln) not found.");
        }
    }

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{name} is not set. Run the tests with ./scripts/test.sh, which starts PostgreSQL and Azurite.");
}
