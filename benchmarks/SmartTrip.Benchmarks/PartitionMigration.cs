using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using SmartTrip.Core.Data;

namespace SmartTrip.Benchmarks;

/// <summary>
/// Times migration 0011 (the logs to monthly partitions) on a populated database: migrates an empty database to 0010,
/// writes <c>events</c> events over 60 days and <c>requests</c> request-log rows over 30 days as the analytics-scale run
/// does, then applies 0011 and reports how long it took and where the rows went.
/// Usage: partition-migration CONNECTION_STRING_OF_AN_EMPTY_DATABASE [events=10000000] [requests=4000000]
/// </summary>
public static class PartitionMigration
{
    public static async Task<int> RunAsync(string[] args)
    {
        var connectionString = args[1];
        var events = args.Length > 2 ? int.Parse(args[2]) : 10_000_000;
        var requests = args.Length > 3 ? int.Parse(args[3]) : 4_000_000;
        var migrator = new DatabaseMigrator(NullLogger<DatabaseMigrator>.Instance);
        migrator.Migrate(connectionString, upTo: "0010_experiments");
        await using (var db = new NpgsqlConnection(connectionString))
        {
            var clock = Stopwatch.StartNew();
            await AnalyticsScale.WriteRequestsAsync(db, DateTimeOffset.UtcNow.AddDays(-30), TimeSpan.FromDays(30), requests);
            await AnalyticsScale.WriteEventsAsync(db, events);
            Console.WriteLine($"before 0011: {events} events over 60 days and {requests} request-log rows over 30 days written in {clock.Elapsed.TotalSeconds:F0} s");
        }

        var timer = Stopwatch.StartNew();
        var applied = migrator.Migrate(connectionString);
        Console.WriteLine($"{string.Join(", ", applied.AppliedScripts)}: {timer.Elapsed.TotalSeconds:F0} s");
        await using (var db = new NpgsqlConnection(connectionString))
        {
            foreach (var (partition, rows) in await db.QueryAsync<(string, long)>(
                         """
                         SELECT tableoid::regclass::text, count(*) FROM events GROUP BY 1
                         UNION ALL SELECT tableoid::regclass::text, count(*) FROM recommendation_requests GROUP BY 1 ORDER BY 1
                         """, commandTimeout: 3600))
            {
                Console.WriteLine($"  {partition}: {rows} rows");
            }
        }

        return 0;
    }
}
