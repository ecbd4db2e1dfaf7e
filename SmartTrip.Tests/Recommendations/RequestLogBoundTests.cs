using Dapper;
using Npgsql;
using SmartTrip.Core.Recommendations;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Recommendations;

/// <summary>The request log under a flood it cannot keep up with: what waits is bounded, what it drops is counted.</summary>
public sealed class RequestLogBoundTests
{
    private static RecommendationLogEntry Entry(string session) => new()
    {
        RequestId = Guid.NewGuid(), SessionId = session, CreatedAt = new DateTime(2026, 11, 25, 10, 0, 0, DateTimeKind.Utc),
        Preferences = "{}", SelectedCountries = [], SelectedContinents = [], PreferredThemeIds = [], ResponseTimeMs = 1,
        TotalCandidates = 0, PrimaryCount = 0, RelaxedCount = 0, ResultTripIds = [], ResultScores = [],
        AlgorithmVersion = "v2.0", SearchType = SearchTypes.Exploration,
    };

    /// <summary>
    /// While the database is away the buffer is bounded in bytes too, not only in rows: rows with long preferences
    /// (here about 1 MB each) fill it after 67, and the rest are dropped and counted. Before, all 70 were held (the row
    /// count alone bounded it, at 50 000 rows of any size).
    /// </summary>
    [Fact]
    public async Task The_outage_buffer_is_bounded_in_bytes()
    {
        await using var dataSource = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=nobody;Database=none;Timeout=2");
        await using var log = new RecommendationRequestLog(dataSource);
        var large = Entry("large") with { Preferences = new string('x', 500_000) };
        var each = RecommendationRequestLog.EstimatedBytes(large);
        var fits = (int)(RecommendationRequestLog.MaxBufferedBytes / each);

        for (var i = 0; i < 70; i++)
        {
            await log.WriteAsync(large with { RequestId = Guid.NewGuid() }); // refused connection: buffered or dropped
        }

        Assert.Equal(67, fits);
        Assert.Equal(new RequestLogBacklog(fits, 70 - fits), log.Backlog);
        Assert.True(log.BufferedBytes <= RecommendationRequestLog.MaxBufferedBytes);
    }

    [Fact]
    public async Task Rows_beyond_the_waiting_capacity_are_dropped_and_counted_while_the_writer_is_held()
    {
        var connectionString = await TestServices.CreateSeededDatabaseAsync("logbound");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var log = new RecommendationRequestLog(dataSource);
        var session = $"flood-{Guid.NewGuid():N}";

        // Another transaction holds the table: the writer's INSERT waits, as it would behind a slow database.
        await using var holder = new NpgsqlConnection(connectionString);
        await holder.OpenAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await holder.ExecuteAsync("LOCK TABLE recommendation_requests IN EXCLUSIVE MODE", transaction: hold);

        var first = log.WriteAsync(Entry(session)); // taken by the writer, which then waits on the lock
        await using (var watch = new NpgsqlConnection(connectionString))
        {
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (await watch.ExecuteScalarAsync<int>(
                       "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO recommendation_requests%'") == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the writer did not reach the lock within 15 s");
                await Task.Delay(50);
            }
        }

        var waiting = Enumerable.Range(0, RecommendationRequestLog.PendingCapacity + 7).Select(_ => log.WriteAsync(Entry(session))).ToList();

        Assert.Equal(7, log.Backlog.Dropped);
        Assert.Equal(7, waiting.Count(t => t.IsCompletedSuccessfully)); // the dropped ones do not hold their callers
        await hold.RollbackAsync();
        await first;
        await Task.WhenAll(waiting);
        await using var check = new NpgsqlConnection(connectionString);
        Assert.Equal(RecommendationRequestLog.PendingCapacity + 1,
            await check.ExecuteScalarAsync<int>("SELECT count(*) FROM recommendation_requests WHERE session_id = @session", new { session }));
    }
}
