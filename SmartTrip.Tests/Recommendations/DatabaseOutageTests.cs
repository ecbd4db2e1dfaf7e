using System.Text.Json;
using Dapper;
using Npgsql;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Recommendations;

/// <summary>The development host with its database reached through a relay the test can cut.</summary>
public sealed class OutageFixture : ApiFixture
{
    public OutageProxy Proxy { get; private set; } = null!;

    /// <summary>The database itself, for the test's own checks while the host's way to it is cut.</summary>
    public string DirectConnectionString { get; private set; } = "";

    protected override string DatabasePrefix => "outage";

    protected override bool SupportsExternalHost => false;

    protected override async Task<string> CreateDatabaseAsync()
    {
        DirectConnectionString = await TestServices.CreateSeededDatabaseAsync(DatabasePrefix);
        var direct = new NpgsqlConnectionStringBuilder(DirectConnectionString);
        Proxy = new OutageProxy(direct.Host!, direct.Port);
        return Proxy.Through(DirectConnectionString);
    }
}

/// <summary>
/// While PostgreSQL cannot be reached, recommendations are answered from the catalogue already in memory (including
/// trips no search had returned before) and their request-log rows wait in the host; once it is back, every row is written.
/// </summary>
public sealed class DatabaseOutageTests(OutageFixture api) : IClassFixture<OutageFixture>
{
    private static readonly string[] Bodies =
    [
        """{"selected_continents":["Asia"],"budget":8000}""",
        """{"selected_continents":["Africa"],"preferred_type_id":3}""",
    ];

    /// <summary>Searched for the first time during the outage: its winners were never returned before it.</summary>
    private const string FirstSeenInOutage = """{"selected_continents":["Europe"],"preferred_theme_ids":[1]}""";

    private async Task<long> LoggedAsync(string session)
    {
        await using var connection = new NpgsqlConnection(api.DirectConnectionString);
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM recommendation_requests WHERE session_id = @session", new { session });
    }

    /// <summary>Waits until the session has this many log rows (written once the database answers again).</summary>
    private async Task WaitUntilLoggedAsync(string session, long rows, int seconds)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (await LoggedAsync(session) < rows)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the session's log rows did not reach {rows} within {seconds} s of the database coming back");
            await Task.Delay(200);
        }
    }

    private async Task<JsonElement> RecommendAsync(string body, string session)
    {
        var withSession = body.Insert(1, $"\"session_id\":\"{session}\",");
        var (status, answer) = await api.PostJsonAsync("/api/v2/recommendations", withSession);
        Assert.Equal(200, status);
        return answer;
    }

    [Fact]
    public async Task Searches_are_answered_from_memory_during_an_outage_and_their_log_rows_are_written_afterwards()
    {
        var session = Guid.NewGuid().ToString("N");
        var before = new List<string>();
        foreach (var body in Bodies)
        {
            before.Add(Ids(await RecommendAsync(body, session))); // loads the catalogue and the winners into memory
        }

        Assert.Equal(2, await LoggedAsync(session));
        var held = await WaitForCatalogHeldInFullAsync();

        api.Proxy.Cut();
        string firstSeen;
        try
        {
            for (var round = 0; round < 5; round++)
            {
                for (var i = 0; i < Bodies.Length; i++)
                {
                    Assert.Equal(before[i], Ids(await RecommendAsync(Bodies[i], session)));
                }
            }

            // Mutation: without the background warming the catalogue is never held in full (and this search answers 503).
            firstSeen = Ids(await RecommendAsync(FirstSeenInOutage, session));
            Assert.NotEqual("", firstSeen);

            var (status, health) = await api.SendWithKeyAsync(HttpMethod.Get, "/api/health/details");
            Assert.Equal(503, status);
            Assert.Equal(11, health.GetProperty("request_log").GetProperty("buffered").GetInt32());
            Assert.Equal(held, health.GetProperty("catalog_in_memory").GetProperty("held_in_full").GetInt32());
            Assert.Equal(2, await LoggedAsync(session));
        }
        finally
        {
            api.Proxy.Restore();
        }

        await WaitUntilLoggedAsync(session, 13, seconds: 30);

        var (_, after) = await api.SendWithKeyAsync(HttpMethod.Get, "/api/health/details");
        Assert.Equal(0, after.GetProperty("request_log").GetProperty("buffered").GetInt32());
        Assert.Equal(0, after.GetProperty("request_log").GetProperty("dropped").GetInt64());
        Assert.Equal(13, await LoggedAsync(session));
        Assert.Equal(firstSeen, Ids(await RecommendAsync(FirstSeenInOutage, Guid.NewGuid().ToString("N")))); // what the database gives
    }

    /// <summary>
    /// Anonymous health is reused for HealthCacheSeconds (5), so a flood of it cannot multiply the database's work: an
    /// outage shows there once the answer ages, while the detailed report (function key) sees it at once.
    /// </summary>
    [Fact]
    public async Task Anonymous_health_is_reused_for_a_few_seconds_and_the_details_are_not()
    {
        Assert.Equal(200, (await api.GetJsonAsync("/api/health")).Status);
        api.Proxy.Cut();
        try
        {
            Assert.Equal(200, (await api.GetJsonAsync("/api/health")).Status); // without the reuse: 503
            Assert.Equal(503, (await api.SendWithKeyAsync(HttpMethod.Get, "/api/health/details")).Status);
            api.Clock.Advance(TimeSpan.FromSeconds(4));
            Assert.Equal(200, (await api.GetJsonAsync("/api/health")).Status);
            api.Clock.Advance(TimeSpan.FromSeconds(1.5));
            Assert.Equal(503, (await api.GetJsonAsync("/api/health")).Status);
        }
        finally
        {
            api.Proxy.Restore();
        }
    }

    /// <summary>
    /// A database whose connections hang (black-holed, not refused): searches are answered from memory after at most the
    /// check's timeout (2 s for the catalogue's version, 2 s for the log row), not after the driver's 15 s connect timeout
    /// with every other search queued behind it; their log rows are written once the database answers again. On the old
    /// code the eight searches took over 15 s.
    /// </summary>
    [Fact]
    public async Task A_database_that_hangs_holds_searches_up_for_the_checks_timeout_only()
    {
        var session = Guid.NewGuid().ToString("N");
        foreach (var body in Bodies)
        {
            await RecommendAsync(body, session);
        }

        await WaitForCatalogHeldInFullAsync();
        api.Proxy.Hang();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => RecommendAsync(Bodies[i % 2], session)));
            Assert.Equal(8, answers.Length); // each answered 200 (RecommendAsync checks)
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"eight searches took {clock.Elapsed.TotalSeconds:F1} s with the database hanging");
        }
        finally
        {
            api.Proxy.Restore();
        }

        await WaitUntilLoggedAsync(session, 10, seconds: 45);
    }

    /// <summary>
    /// The catalogue in memory serves searches for at most CatalogMaxStaleSeconds (900) without the database confirming
    /// it; past that, searches answer 503 rather than offer seats nobody has checked. Before, it served them for ever.
    /// </summary>
    [Fact]
    public async Task Past_its_maximum_staleness_the_catalogue_in_memory_serves_no_more_searches()
    {
        var session = Guid.NewGuid().ToString("N");
        await RecommendAsync(Bodies[0], session);
        await WaitForCatalogHeldInFullAsync();
        api.Proxy.Cut();
        try
        {
            await RecommendAsync(Bodies[0], session); // from memory
            api.Clock.Advance(TimeSpan.FromSeconds(901));
            var (status, _) = await api.PostJsonAsync("/api/v2/recommendations", Bodies[0]);
            Assert.Equal(503, status);
        }
        finally
        {
            api.Proxy.Restore();
        }

        await RecommendAsync(Bodies[0], session); // confirmed again once the database answers
        await WaitUntilLoggedAsync(session, 3, seconds: 30); // the search served during the cut, from the buffer
    }

    /// <summary>Waits until health reports every recommendable occurrence held in full; returns how many that is.</summary>
    private async Task<int> WaitForCatalogHeldInFullAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var (_, health) = await api.SendWithKeyAsync(HttpMethod.Get, "/api/health/details");
            var inMemory = health.GetProperty("catalog_in_memory");
            var recommendable = inMemory.GetProperty("recommendable").GetInt32();
            if (inMemory.GetProperty("held_in_full").GetInt32() == recommendable)
            {
                Assert.True(recommendable > Bodies.Length * 10, $"only {recommendable} recommendable occurrences");
                return recommendable;
            }

            Assert.True(DateTime.UtcNow < deadline, "the catalogue was not held in full within 30 s of the first search");
            await Task.Delay(100);
        }
    }

    private static string Ids(JsonElement answer) =>
        string.Join(",", answer.GetProperty("data").EnumerateArray().Select(item => item.GetProperty("id").GetInt32()));
}
