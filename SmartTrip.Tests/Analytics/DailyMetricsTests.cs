using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SmartTrip.Core.Analytics;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Analytics;

/// <summary>Daily metrics over a request log of known content, "today" pinned to 2026-11-25 (analytics.md §2, §5).</summary>
public sealed class DailyMetricsTests(InProcessApiFixture api) : IClassFixture<InProcessApiFixture>
{
    private static readonly DateOnly Yesterday = new(2026, 11, 24);

    private RequestMetrics Metrics => api.Services.GetRequiredService<RequestMetrics>();

    private DailyMetricsRun Run => api.Services.GetRequiredService<DailyMetricsRun>();

    /// <summary>Stores every part of a day, then reads back the request metrics as stored.</summary>
    private async Task<DailyMetrics> StoreDayAsync(DateOnly day)
    {
        await Run.StoreDayAsync(day, CancellationToken.None);
        return (await Metrics.DaysAsync(day, day, CancellationToken.None))[0];
    }

    [Fact]
    public async Task A_day_of_known_requests_gives_the_hand_computed_metrics_and_is_stored()
    {
        await using var db = new NpgsqlConnection(api.ConnectionString);
        await db.ExecuteAsync("DELETE FROM recommendation_requests; DELETE FROM recommendation_metrics_daily;");
        var day = Yesterday.ToDateTime(TimeOnly.MinValue);
        await RequestLogRows.InsertAsync(db, day.AddHours(1), 100, 80, 10, "s1", countries: [1, 1], continents: ["Asia", "asia"], type: 3, themes: [2], budget: 9000, year: "2027");
        await RequestLogRows.InsertAsync(db, day.AddHours(2), 200, 45, 6, "s1", relaxed: true, continents: ["Asia"], type: 3, month: "all");
        await RequestLogRows.InsertAsync(db, day.AddHours(3), 300, null, 0, "s2", year: "all", month: "3");
        await RequestLogRows.InsertAsync(db, day.AddHours(23).AddMinutes(59), 400, 57.5m, 10, null, countries: [999], type: 1, themes: [2, 6],
            continents: ["north america", "NORTH_AND_CENTRAL_AMERICA", "North & Central America"]);
        await RequestLogRows.InsertAsync(db, day.AddDays(1), 5000, 99, 10, "next-day");
        await RequestLogRows.InsertAsync(db, day.AddSeconds(-1), 5000, 99, 10, "day-before");

        var stored = await StoreDayAsync(Yesterday);

        // n = 4: response times 100..400 (p50 250, p95 385, p99 397), top scores 80, 45, 57.5 (mean 60.833 -> 60.83),
        // result counts 10, 6, 0, 10 (6.5), one relaxed, one empty, one below 50 (45).
        Assert.Equal(
            new DailyMetrics
            {
                Date = Yesterday, TotalRequests = 4, UniqueSessions = 2, AvgResponseTimeMs = 250.00m, P50ResponseTimeMs = 250,
                P95ResponseTimeMs = 385, P99ResponseTimeMs = 397, MaxResponseTimeMs = 400, AvgTopScore = 60.83m, AvgResultCount = 6.50m,
                RelaxedTriggerRate = 0.25m, NoResultsRate = 0.25m, LowScoreRate = 0.25m, SearchesWithCountry = 2, SearchesWithContinent = 3,
                SearchesWithType = 3, SearchesWithThemes = 2, SearchesWithBudget = 1, SearchesWithDates = 2,
            },
            stored);
        var row = await db.QuerySingleAsync<(int Total, decimal Avg, decimal Rate, string Countries, string Continents, string Types, string Themes)>(
            """
            SELECT total_requests, avg_top_score, low_score_rate, top_countries::text, top_continents::text, top_types::text, top_themes::text
              FROM recommendation_metrics_daily WHERE date = @Yesterday
            """, new { Yesterday });
        Assert.Equal((4, 60.83m, 0.2500m), (row.Total, row.Avg, row.Rate));
        Assert.Equal("""[{"id": 1, "name": "Japan", "count": 2}]""".Replace("Japan", await db.ExecuteScalarAsync<string>("SELECT name FROM countries WHERE id = 1")), row.Countries);
        // Continents are counted by their canonical name, however they were sent.
        Assert.Equal("""[{"name": "Asia", "count": 3}, {"name": "North & Central America", "count": 3}]""", row.Continents);
        var names = (await db.QueryAsync<(string Kind, int Id, string Name)>(
            "SELECT 'type', id, name FROM trip_types WHERE id IN (1, 3) UNION ALL SELECT 'tag', id, name FROM tags WHERE id IN (2, 6)"))
            .ToDictionary(n => (n.Kind, n.Id), n => n.Name);
        Assert.Equal($$"""[{"id": 3, "name": "{{names[("type", 3)]}}", "count": 2}, {"id": 1, "name": "{{names[("type", 1)]}}", "count": 1}]""", row.Types);
        Assert.Equal($$"""[{"id": 2, "name": "{{names[("tag", 2)]}}", "count": 2}, {"id": 6, "name": "{{names[("tag", 6)]}}", "count": 1}]""", row.Themes);
    }

    [Fact]
    public async Task A_day_without_requests_is_all_zeros()
    {
        var metrics = await Metrics.ComputeDayAsync(new DateOnly(2020, 1, 1), CancellationToken.None);

        Assert.Equal(new DailyMetrics { Date = new DateOnly(2020, 1, 1) }, metrics);
    }

    [Fact]
    public async Task A_run_catches_up_the_missing_days_of_the_week_and_running_again_changes_nothing()
    {
        await using var db = new NpgsqlConnection(api.ConnectionString);
        await db.ExecuteAsync(
            """
            DELETE FROM recommendation_metrics_daily WHERE date BETWEEN '2026-11-17' AND '2026-11-24';
            DELETE FROM engagement_metrics_daily WHERE date BETWEEN '2026-11-17' AND '2026-11-24';
            INSERT INTO recommendation_metrics_daily (date, total_requests) VALUES ('2026-11-20', 77);
            INSERT INTO engagement_metrics_daily (date, metrics) VALUES ('2026-11-21', '{"date": "2026-11-21", "clicks": 5}');
            """);
        const string Stored = """
            SELECT 'requests' AS part, date, total_requests AS value FROM recommendation_metrics_daily
            UNION ALL SELECT 'engagement', date, (metrics ->> 'clicks')::int FROM engagement_metrics_daily
            ORDER BY 1, 2
            """;

        var first = await Run.RunAsync(CancellationToken.None);
        var rows = (await db.QueryAsync<(string Part, DateTime Date, int Value)>(Stored)).ToList();
        var second = await Run.RunAsync(CancellationToken.None);
        var again = (await db.QueryAsync<(string Part, DateTime Date, int Value)>(Stored)).ToList();

        // The request metrics miss 18, 19, 21, 22 and 23; the engagement misses all but 21 and always stores the last
        // two days (a search's events count for 24 hours).
        Assert.Equal(Enumerable.Range(18, 7).Select(d => new DateOnly(2026, 11, d)), first);
        Assert.Equal([new DateOnly(2026, 11, 23), Yesterday], second);
        Assert.Contains(("requests", new DateTime(2026, 11, 20), 77), rows);
        Assert.Contains(("engagement", new DateTime(2026, 11, 21), 5), rows);
        Assert.Equal(
            Enumerable.Range(18, 7).Select(d => new DateTime(2026, 11, d)),
            rows.Where(r => r.Part == "engagement" && r.Date >= new DateTime(2026, 11, 18)).Select(r => r.Date));
        Assert.Equal(rows, again);
    }

    [Fact]
    public async Task A_run_recounts_the_seven_day_counts_of_every_trip_and_leaves_the_unique_audience_to_the_drain()
    {
        await using var db = new NpgsqlConnection(api.ConnectionString);
        await db.ExecuteAsync(
            """
            DELETE FROM events; DELETE FROM trip_interactions;
            INSERT INTO trip_interactions (trip_id, impression_count, click_count, unique_viewers, impressions_7d, clicks_7d, save_count)
            VALUES (101, 50, 5, 9, 9, 9, 3), (102, 7, 1, 0, 0, 0, 0), (103, 4, 4, 4, 4, 4, 4);
            """);
        var now = api.Clock.GetUtcNow();
        var browsers = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };
        async Task EventAsync(string type, int? trip, Guid browser, TimeSpan age) => await db.ExecuteAsync(
            """
            INSERT INTO events (event_id, session_id, anonymous_id, event_type_id, trip_id, "timestamp")
            SELECT gen_random_uuid(), gen_random_uuid(), @browser, id, @trip, @at FROM event_types WHERE name = @type
            """, new { type, trip, browser, at = now - age });

        // Trip 101: impressions from browsers 0, 0, 1 (one 8 days old) and clicks from 0 and 2 (one 7 days and a second old).
        await EventAsync("impression", 101, browsers[0], TimeSpan.FromHours(1));
        await EventAsync("impression", 101, browsers[0], TimeSpan.FromDays(3));
        await EventAsync("impression", 101, browsers[1], TimeSpan.FromDays(8));
        await EventAsync("click_trip", 101, browsers[0], TimeSpan.FromDays(1));
        await EventAsync("click_trip", 101, browsers[2], TimeSpan.FromDays(7).Add(TimeSpan.FromSeconds(1)));
        // Trip 102: one impression exactly 7 days old (inside the window); other event types and trip-less events count for nothing.
        await EventAsync("impression", 102, browsers[2], TimeSpan.FromDays(7));
        await EventAsync("save_trip", 102, browsers[0], TimeSpan.FromHours(2));
        await EventAsync("impression", null, browsers[0], TimeSpan.FromHours(2));

        await Run.RunAsync(CancellationToken.None);

        var rows = (await db.QueryAsync<(int Trip, int Viewers, int Clickers, int Impressions, int Clicks, int ImpressionCount, int SaveCount, DateTime Updated)>(
            """
            SELECT trip_id, unique_viewers, unique_clickers, impressions_7d, clicks_7d, impression_count, save_count, updated_at
              FROM trip_interactions ORDER BY trip_id
            """)).ToList();
        Assert.Equal(
            [(101, 9, 0, 2, 1, 50, 3), (102, 0, 0, 1, 0, 7, 0), (103, 4, 0, 0, 0, 4, 4)],
            rows.Select(r => (r.Trip, r.Viewers, r.Clickers, r.Impressions, r.Clicks, r.ImpressionCount, r.SaveCount)));
        Expect.All(rows, 3, r => Assert.Equal(now.UtcDateTime, r.Updated.ToUniversalTime()));
    }

    [Fact]
    public async Task Runs_at_the_same_time_all_succeed_and_store_one_row_per_day()
    {
        await using var db = new NpgsqlConnection(api.ConnectionString);
        await db.ExecuteAsync(
            """
            DELETE FROM recommendation_metrics_daily; DELETE FROM engagement_metrics_daily;
            INSERT INTO trip_interactions (trip_id) SELECT g FROM generate_series(1, 300) AS g ON CONFLICT (trip_id) DO NOTHING;
            """);

        for (var round = 0; round < 3; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Run.RunAsync(CancellationToken.None))));
        }

        var days = (await db.QueryAsync<DateTime>("SELECT date FROM recommendation_metrics_daily ORDER BY date")).ToList();
        var engagementDays = (await db.QueryAsync<DateTime>("SELECT date FROM engagement_metrics_daily ORDER BY date")).ToList();
        Assert.Equal(Enumerable.Range(1, 7).Select(d => new DateTime(2026, 11, 25).AddDays(-d)).Order(), days);
        Assert.Equal(days, engagementDays);
    }

    [Fact]
    public async Task A_day_that_fails_is_left_out_and_reported_after_every_other_day_is_stored()
    {
        await using var db = new NpgsqlConnection(api.ConnectionString);
        await db.ExecuteAsync(
            """
            DELETE FROM recommendation_metrics_daily WHERE date BETWEEN '2026-11-17' AND '2026-11-24';
            DELETE FROM engagement_metrics_daily WHERE date BETWEEN '2026-11-17' AND '2026-11-24';
            CREATE FUNCTION refuse_nov_22() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.date = DATE '2026-11-22' THEN RAISE EXCEPTION 'refused for the test'; END IF; RETURN NEW; END $$;
            CREATE TRIGGER refuse_nov_22 BEFORE INSERT ON recommendation_metrics_daily FOR EACH ROW EXECUTE FUNCTION refuse_nov_22();
            """);
        try
        {
            var failure = await Assert.ThrowsAsync<AggregateException>(() => Run.RunAsync(CancellationToken.None));

            Assert.IsType<PostgresException>(Assert.Single(failure.InnerExceptions));
            var stored = (await db.QueryAsync<DateTime>(
                "SELECT date FROM recommendation_metrics_daily WHERE date BETWEEN '2026-11-17' AND '2026-11-24' ORDER BY date")).ToList();
            var engagement = (await db.QueryAsync<DateTime>(
                "SELECT date FROM engagement_metrics_daily WHERE date BETWEEN '2026-11-17' AND '2026-11-24' ORDER BY date")).ToList();
            // The week but the 22nd, whose parts are stored together or not at all.
            Assert.Equal([18, 19, 20, 21, 23, 24], stored.Select(d => d.Day));
            Assert.Equal(stored, engagement);
        }
        finally
        {
            await db.ExecuteAsync("DROP TRIGGER refuse_nov_22 ON recommendation_metrics_daily; DROP FUNCTION refuse_nov_22();");
        }
    }

    [Fact]
    public async Task Days_after_today_are_listed_empty_with_their_dates_up_to_the_last_day_a_date_holds()
    {
        var engagement = api.Services.GetRequiredService<EngagementMetricsService>();

        var ahead = await Metrics.DaysAsync(new DateOnly(2026, 11, 26), new DateOnly(2026, 11, 27), CancellationToken.None);
        var last = await Metrics.DaysAsync(new DateOnly(9999, 12, 30), DateOnly.MaxValue, CancellationToken.None);
        var lastEngagement = await engagement.DaysAsync(new DateOnly(9999, 12, 30), DateOnly.MaxValue, CancellationToken.None);
        var oneDay = await engagement.DaysAsync(Yesterday, Yesterday, CancellationToken.None);

        Assert.Equal([new DateOnly(2026, 11, 26), new DateOnly(2026, 11, 27)], ahead.Select(d => d.Date));
        Assert.All(ahead, d => Assert.Equal(0, d.TotalRequests));
        Assert.Equal([new DateOnly(9999, 12, 30), DateOnly.MaxValue], last.Select(d => d.Date));
        Assert.Equal([new DateOnly(9999, 12, 30), DateOnly.MaxValue], lastEngagement.Select(d => d.Date));
        Assert.Equal(Yesterday, Assert.Single(oneDay).Date);
    }

    [Fact]
    public async Task The_metrics_endpoints_read_the_log_live_and_the_stored_days()
    {
        await using var db = new NpgsqlConnection(api.ConnectionString);
        await db.ExecuteAsync("DELETE FROM recommendation_requests; DELETE FROM recommendation_metrics_daily;");
        var now = api.Clock.GetUtcNow().UtcDateTime;
        await RequestLogRows.InsertAsync(db, now.AddHours(-1), 120, 90, 10, "a", continents: ["Europe", "asia"], type: 4);
        await RequestLogRows.InsertAsync(db, now.AddDays(-2), 80, 40, 3, "b", relaxed: true, continents: ["Asia"], type: 4);
        await RequestLogRows.InsertAsync(db, now.AddDays(-8), 1000, 70, 10, "c", continents: ["Africa"], type: 2);
        await db.ExecuteAsync("INSERT INTO recommendation_metrics_daily (date, total_requests) VALUES ('2026-11-20', 77)");

        var (status, week) = await api.SendWithKeyAsync(HttpMethod.Get, "/api/metrics?days=abc");
        var (_, quarter) = await api.SendWithKeyAsync(HttpMethod.Get, "/api/metrics?days=999");
        var (_, top) = await api.SendWithKeyAsync(HttpMethod.Get, "/api/metrics/top-searches?limit=0");
        var (_, daily) = await api.SendWithKeyAsync(HttpMethod.Get, "/api/metrics/daily?start=2026-11-19&end=2026-11-25");
        var (_, reversed) = await api.SendWithKeyAsync(HttpMethod.Get, "/api/metrics/daily?start=2026-11-25&end=2026-11-01");

        Assert.Equal(200, status);
        var summary = week.GetProperty("data");
        Assert.Equal("last_7_days", summary.GetProperty("period").GetString());
        Assert.Equal(
            [("total_requests", 2m), ("unique_sessions", 2m), ("avg_response_time_ms", 100m), ("p95_response_time_ms", 118m),
             ("avg_top_score", 65m), ("relaxed_trigger_rate", 0.5m), ("no_results_rate", 0m)],
            summary.EnumerateObject().Where(p => p.Name != "period").Select(p => (p.Name, p.Value.GetDecimal())).ToArray());
        Assert.Equal(("last_90_days", 3), (quarter.GetProperty("data").GetProperty("period").GetString(), quarter.GetProperty("data").GetProperty("total_requests").GetInt32()));
        Assert.Equal("""{"top_continents":[{"name":"Asia","count":2}],"top_types":[{"id":4,"count":2}]}""", top.GetProperty("data").GetRawText());
        Assert.Equal(7, daily.GetProperty("count").GetInt32());
        var totals = daily.GetProperty("data").EnumerateArray().ToDictionary(d => d.GetProperty("date").GetString()!, d => d.GetProperty("total_requests").GetInt32());
        Assert.Equal((77, 1, 1, 0), (totals["2026-11-20"], totals["2026-11-23"], totals["2026-11-25"], totals["2026-11-24"]));
        Assert.Equal(0, reversed.GetProperty("count").GetInt32());
    }

    [Theory]
    [InlineData("/api/metrics")]
    [InlineData("/api/metrics/daily")]
    [InlineData("/api/metrics/top-searches")]
    [InlineData("/api/metrics/engagement")]
    [InlineData("/api/metrics/top-trips")]
    public async Task The_metrics_endpoints_need_the_function_key(string path)
    {
        var (none, noneBody) = await api.SendWithKeyAsync(HttpMethod.Get, path, functionKey: null);
        var (wrong, _) = await api.SendWithKeyAsync(HttpMethod.Get, path, functionKey: "not-the-key");
        var (query, queryBody) = await api.SendWithKeyAsync(HttpMethod.Get, path + "?code=dev-function-key", functionKey: null);

        Assert.Equal((401, System.Text.Json.JsonValueKind.Undefined), (none, noneBody.ValueKind));
        Assert.Equal(401, wrong);
        Assert.Equal(200, query);
        Assert.True(queryBody.GetProperty("success").GetBoolean());
    }
}
