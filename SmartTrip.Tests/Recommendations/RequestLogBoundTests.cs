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

    /// <summary>A row PostgreSQL refuses for its data: preferences that are not JSON (22P02 at the jsonb cast).</summary>
    private static RecommendationLogEntry Bad(string session) => Entry(session) with { Preferences = "{not json" };

    private static async Task<int> StoredAsync(string connectionString, string session)
    {
        await using var check = new NpgsqlConnection(connectionString);
        return await check.ExecuteScalarAsync<int>("SELECT count(*) FROM recommendation_requests WHERE session_id = @session", new { session });
    }

    /// <summary>
    /// Change that this catches: the writer not retrying a failed batch row by row (remove the
    /// <c>catch (Exception) when (batch.Count > 1)</c> of WriteLoopAsync): the good rows of the batch would be lost with
    /// the bad one, and their callers would wait for ever.
    /// </summary>
    [Fact]
    public async Task A_bad_row_in_a_writer_batch_loses_only_itself()
    {
        var connectionString = await TestServices.CreateSeededDatabaseAsync("logbadrow");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var log = new RecommendationRequestLog(dataSource);
        var session = $"badrow-{Guid.NewGuid():N}";

        // Hold the table so the rows queue up behind the first and reach the writer as one batch.
        await using var holder = new NpgsqlConnection(connectionString);
        await holder.OpenAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await holder.ExecuteAsync("LOCK TABLE recommendation_requests IN EXCLUSIVE MODE", transaction: hold);
        var first = log.WriteAsync(Entry(session));
        var batch = new[] { Entry(session), Entry(session), Bad(session), Entry(session), Entry(session) }.Select(log.WriteAsync).ToList();
        await hold.RollbackAsync();

        await first;
        var outcomes = await Task.WhenAll(batch.Select(async t =>
        {
            try
            {
                await t.WaitAsync(TimeSpan.FromSeconds(30));
                return "stored";
            }
            catch (PostgresException e)
            {
                return e.SqlState;
            }
        }));

        Assert.Equal(["stored", "stored", PostgresErrorCodes.InvalidTextRepresentation, "stored", "stored"], outcomes);
        Assert.Equal(5, await StoredAsync(connectionString, session));
    }

    /// <summary>
    /// Change that this catches: the buffer's flush writing a failed batch as a whole again (remove its row-by-row
    /// retry): after an outage, the rows buffered with a bad one would never be written and the buffer never empties.
    /// </summary>
    [Fact]
    public async Task A_bad_row_buffered_during_an_outage_loses_only_itself_when_the_database_is_back()
    {
        var connectionString = await TestServices.CreateSeededDatabaseAsync("logbadbuffer");
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        await using var proxy = new OutageProxy(target.Host!, target.Port);
        await using var dataSource = NpgsqlDataSource.Create(proxy.Through(connectionString));
        await using var log = new RecommendationRequestLog(dataSource);
        var session = $"badbuffer-{Guid.NewGuid():N}";

        proxy.Cut();
        foreach (var entry in new[] { Entry(session), Bad(session), Entry(session), Entry(session) })
        {
            await log.WriteAsync(entry); // the database is away: kept in the buffer
        }

        Assert.Equal(new RequestLogBacklog(4, 0), log.Backlog);
        proxy.Restore();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (log.Backlog.Buffered > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(new RequestLogBacklog(0, 1), log.Backlog); // the bad row, dropped and counted
        Assert.Equal(3, await StoredAsync(connectionString, session));
    }
}
