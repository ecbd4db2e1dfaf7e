using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SmartTrip.Core.Analytics;
using SmartTrip.DevHost;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Analytics;

/// <summary>The development host on a loopback port, for a real browser.</summary>
public sealed class LoopbackApiFixture : ApiFixture
{
    protected override string DatabasePrefix => "dashboard";

    protected override bool ListensOnLoopback => true;

    // The page is checked against a request log written with the pinned clock and the in-process metrics service.
    protected override bool SupportsExternalHost => false;
}

/// <summary>
/// The metrics dashboard in headless Chromium (SmartTrip.Tests/Browser/dashboard-driver.mjs, playwright-core) against the
/// development host over a request log of known content, "today" pinned to 2026-11-25 on both sides.
/// </summary>
public sealed class DashboardBrowserTests(LoopbackApiFixture api) : IClassFixture<LoopbackApiFixture>
{
    private static readonly DateTime Day = new(2026, 11, 19, 0, 0, 0, DateTimeKind.Utc);

    // Trip occurrences of the catalogue (their titles are read in the test).
    private const int TripOne = 1, TripTwo = 2, TripThree = 3;

    /// <summary>
    /// Seven days, 2026-11-19 to 2026-11-25. Per day (requests; p50, p95 ms; relaxed, no-results rate; mean top score):
    /// 19th none; 20th 4 (250, 385; 0.25, 0.25; (80 + 45 + 57.5) / 3 = 60.83); 21st 1 (50, 50; 0, 0; 90);
    /// 22nd a stored row only (7; 15, 40; 0.1429, 0; 66.5); 23rd 3 (20, 20 + 0.9 × 40 = 56; 2/3 = 0.6667, 0; 80);
    /// 24th 2 (30.5 -> 30, 30.95 -> 30; 0, 0; 75), stored by the timer's code; 25th (today, live) 1 (5, 5; 0, 1; 0).
    /// Engagement: the first search of the 20th shows trips 1 and 2 (positions 1, 2), trip 1 is clicked, saved and
    /// contacted on WhatsApp, with two dwell times (45 s, 30 s); the search of the 21st shows trips 2 and 3, trip 3 (a
    /// relaxed result, position 2) is clicked; the first search of the 23rd shows trip 1 and nothing is clicked.
    /// </summary>
    private async Task SeedRequestLogAsync()
    {
        await using var db = new NpgsqlConnection(api.ConnectionString);
        await db.ExecuteAsync(
            "DELETE FROM recommendation_requests; DELETE FROM recommendation_metrics_daily; DELETE FROM engagement_metrics_daily; DELETE FROM events;");
        var (first, second, third) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await RequestLogRows.InsertAsync(db, Day.AddDays(1).AddHours(1), 100, 80, 10, "a", continents: ["Asia", "Europe"], type: 3, requestId: first);
        await RequestLogRows.InsertAsync(db, Day.AddDays(1).AddHours(2), 200, 45, 6, "a", relaxed: true, continents: ["Asia"]);
        await RequestLogRows.InsertAsync(db, Day.AddDays(1).AddHours(3), 300, null, 0, "b", continents: ["asia"]);
        await RequestLogRows.InsertAsync(db, Day.AddDays(1).AddHours(4), 400, 57.5m, 10, "c", type: 5);
        await RequestLogRows.InsertAsync(db, Day.AddDays(2).AddHours(5), 50, 90, 10, "c", continents: ["Europe"], type: 3, requestId: second);
        await db.ExecuteAsync(
            """
            INSERT INTO recommendation_metrics_daily (date, total_requests, p50_response_time_ms, p95_response_time_ms,
                relaxed_trigger_rate, no_results_rate, avg_top_score)
            VALUES ('2026-11-22', 7, 15, 40, 0.1429, 0, 66.5)
            """);
        await RequestLogRows.InsertAsync(db, Day.AddDays(4).AddHours(1), 10, 70, 3, "d", relaxed: true, continents: ["Asia"], requestId: third);
        await RequestLogRows.InsertAsync(db, Day.AddDays(4).AddHours(2), 20, 80, 10, "d");
        await RequestLogRows.InsertAsync(db, Day.AddDays(4).AddHours(3), 60, 90, 4, "e", relaxed: true);
        await RequestLogRows.InsertAsync(db, Day.AddDays(5).AddHours(6), 30, 100, 10, null);
        await RequestLogRows.InsertAsync(db, Day.AddDays(5).AddHours(7), 31, 50, 10, "e");
        await RequestLogRows.InsertAsync(db, Day.AddDays(6).AddHours(9), 5, null, 0, "f");
        var session = Guid.NewGuid();
        async Task At(string type, DateTime at, Guid request, int trip, string? source = null, int? position = null, string metadata = "{}") =>
            await RequestLogRows.EventAsync(db, type, at, session, request, trip, source, position, metadata);
        var (one, two, three) = (Day.AddDays(1).AddHours(1).AddMinutes(1), Day.AddDays(2).AddHours(5).AddMinutes(1), Day.AddDays(4).AddHours(1).AddMinutes(1));
        await At("impression", one, first, TripOne, "search_results", 1);
        await At("impression", one, first, TripTwo, "search_results", 2);
        await At("click_trip", one, first, TripOne, "search_results", 1);
        await At("save_trip", one, first, TripOne);
        await At("contact_whatsapp", one, first, TripOne);
        await At("trip_dwell_time", one, first, TripOne, metadata: """{"duration_seconds": 45}""");
        await At("trip_dwell_time", one, first, TripOne, metadata: """{"duration_seconds": 30}""");
        await At("impression", two, second, TripTwo, "search_results", 1);
        await At("impression", two, second, TripThree, "relaxed_results", 2);
        await At("click_trip", two, second, TripThree, "relaxed_results", 2);
        await At("impression", three, third, TripOne, "search_results", 1);
        await api.Services.GetRequiredService<DailyMetricsRun>().StoreDayAsync(new DateOnly(2026, 11, 24), CancellationToken.None);

        // A running experiment whose searches are older than the period shown (so no metric above moves): the control's
        // 6 browsers search once each, two impressions per search, 2 searches clicked; variant b's 4 browsers, 3 clicked.
        await db.ExecuteAsync("DELETE FROM experiments");
        var experiment = await db.ExecuteScalarAsync<int>(
            """
            INSERT INTO experiments (name, status, variants, started_at)
            VALUES ('theme weight', 'running', '[{"name":"control","share":50},{"name":"b","share":50,"overrides":{"ThemeFull":30}}]', '2026-11-10')
            RETURNING id
            """);
        for (var i = 0; i < 10; i++)
        {
            var (request, at) = (Guid.NewGuid(), new DateTime(2026, 11, 11, 0, 0, 0, DateTimeKind.Utc).AddHours(i));
            var variant = i < 6 ? "control" : "b";
            await db.ExecuteAsync(
                """
                INSERT INTO recommendation_requests (request_id, created_at, preferences, response_time_ms, total_candidates, primary_count,
                    final_count, result_trip_ids, result_scores, search_type, experiment_id, variant, anonymous_id)
                VALUES (@request, @at, '{}', 5, 2, 2, 2, '{}', '{}', 'exploration', @experiment, @variant, gen_random_uuid())
                """, new { request, at, experiment, variant });
            await At("impression", at, request, TripOne, "search_results", 1);
            await At("impression", at, request, TripTwo, "search_results", 2);
            if (i is 0 or 1 or 6 or 7 or 8)
            {
                await At("click_trip", at.AddMinutes(1), request, TripOne, "search_results", 1);
            }
        }
        await db.ExecuteAsync(
            """
            INSERT INTO event_dead_letters (event_id, event_type, envelope, reason, sql_state, received_at, dead_lettered_at)
            VALUES (gen_random_uuid(), 'save_trip', '{}', 'refused', '22P05', now(), now()),
                   (gen_random_uuid(), 'page_view', '{}', 'refused', '22P05', now(), now())
            """);
    }

    [Fact]
    public async Task The_dashboard_plots_the_daily_series_and_top_searches_and_shows_its_loading_and_error_states()
    {
        await SeedRequestLogAsync();
        var screenshot = Path.Combine(ArtifactsDirectory, "dashboard.png");
        File.Delete(screenshot);

        var page = await RunDriverAsync(screenshot);

        // Before loading: this origin offered, no key, nothing drawn; while loading: the busy state.
        var initial = page.GetProperty("initial");
        Assert.Equal(api.Address!.GetLeftPart(UriPartial.Authority), initial.GetProperty("baseUrl").GetString());
        Assert.Equal("", initial.GetProperty("functionKey").GetString());
        Assert.True(initial.GetProperty("reportHidden").GetBoolean());
        var loading = page.GetProperty("loading");
        Assert.StartsWith("Loading metrics from http://127.0.0.1:", loading.GetProperty("status").GetString());
        Assert.Equal("true", loading.GetProperty("ariaBusy").GetString());
        Assert.True(loading.GetProperty("buttonDisabled").GetBoolean());

        var ready = page.GetProperty("ready");
        Assert.Equal("Showing 7 days, 2026-11-19 to 2026-11-25 (UTC).", ready.GetProperty("status").GetString());
        Assert.Equal(("false", "2026-11-25"), (ready.GetProperty("ariaBusy").GetString(), ready.GetProperty("endDate").GetString()));

        // Summary of the last 7 × 24 h (live, so the stored-only 22nd is not in it): 11 requests, response times
        // 5..400 ms summing to 1 206 (mean 109.64; p95 = 300 + 0.5 × 100 = 350), 9 top scores summing to 662.5 (73.61),
        // 3 relaxed (27.27 %), 2 empty (18.18 %), 6 sessions.
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["total_requests"] = "11", ["unique_sessions"] = "6", ["avg_response_time_ms"] = "109.64 ms", ["p95_response_time_ms"] = "350 ms",
                ["avg_top_score"] = "73.61", ["relaxed_trigger_rate"] = "27.27 %", ["no_results_rate"] = "18.18 %",
            },
            ready.GetProperty("summary").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetProperty("text").GetString()!));

        // What waits for an operator, from /api/health/details: the two dead letters above as a warning, no search-log backlog.
        // (The poison queue is shared with other tests, so only its presence is checked.)
        var pipeline = ready.GetProperty("pipeline");
        Assert.Equal(("2", true), (pipeline.GetProperty("dead_letters.events").GetProperty("text").GetString(),
            pipeline.GetProperty("dead_letters.events").GetProperty("warning").GetBoolean()));
        Assert.Equal(("0", false), (pipeline.GetProperty("request_log.buffered").GetProperty("text").GetString(),
            pipeline.GetProperty("request_log.buffered").GetProperty("warning").GetBoolean()));
        Assert.Equal("0", pipeline.GetProperty("request_log.dropped").GetProperty("text").GetString());
        Assert.Matches("^[0-9]+$", pipeline.GetProperty("dead_letters.poison_messages").GetProperty("text").GetString());

        var charts = ready.GetProperty("charts");
        string[] days = ["2026-11-19", "2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24", "2026-11-25"];
        var marks = ready.GetProperty("marks");
        Assert.Equal(days.Zip(new[] { "0", "4", "1", "7", "3", "2", "1" }), Series(marks, "total_requests"));
        // A day without searches has no response times, rates or top score: a gap, not a 0. Nor has the 25th, whose only
        // search found nothing, a top score.
        Assert.Equal(days[1..].Zip(new[] { "250", "50", "15", "20", "30", "5" }), Series(marks, "p50_response_time_ms"));
        Assert.Equal(days[1..].Zip(new[] { "385", "50", "40", "56", "30", "5" }), Series(marks, "p95_response_time_ms"));
        Assert.Equal(days[1..].Zip(new[] { "0.25", "0", "0.1429", "0.6667", "0", "0" }), Series(marks, "relaxed_trigger_rate"));
        Assert.Equal(days[1..].Zip(new[] { "0.25", "0", "0", "0", "0", "1" }), Series(marks, "no_results_rate"));
        Assert.Equal(days[1..^1].Zip(new[] { "60.83", "90", "66.5", "80", "75" }), Series(marks, "avg_top_score"));
        Assert.Equal(
            ["2026-11-19", "no data", "no data"],
            charts.GetProperty("chart-latency").GetProperty("rows")[0].EnumerateArray().Select(c => c.GetString()));

        // The hover texts say it in the operator's units, and the marks are drawn to scale.
        Assert.Equal("2026-11-22: 7", Mark(marks, "total_requests", "2026-11-22").GetProperty("title").GetString());
        Assert.Equal("2026-11-20 · p95: 385 ms", Mark(marks, "p95_response_time_ms", "2026-11-20").GetProperty("title").GetString());
        Assert.Equal("2026-11-23 · Relaxed searches: 66.67 %", Mark(marks, "relaxed_trigger_rate", "2026-11-23").GetProperty("title").GetString());
        var tallest = Mark(marks, "total_requests", "2026-11-22").GetProperty("height").GetDouble();
        Assert.True(tallest > 50, $"the busiest day's bar is {tallest} px high");
        Assert.Equal(0, Mark(marks, "total_requests", "2026-11-19").GetProperty("height").GetDouble());
        Assert.Equal(4.0 / 7, Mark(marks, "total_requests", "2026-11-20").GetProperty("height").GetDouble() / tallest, 2);
        Assert.Equal(["0", "2", "4", "6", "8"], Ticks(charts, "chart-requests"));
        Assert.Equal(["0 ms", "100 ms", "200 ms", "300 ms", "400 ms"], Ticks(charts, "chart-latency"));
        Assert.Equal(["0 %", "25 %", "50 %", "75 %", "100 %"], Ticks(charts, "chart-rates"));
        Assert.True(Mark(marks, "p95_response_time_ms", "2026-11-20").GetProperty("y").GetDouble()
                    < Mark(marks, "p50_response_time_ms", "2026-11-20").GetProperty("y").GetDouble());

        // Top searches of the last 7 days: continents by canonical name ("asia" is Asia: 4, Europe 2), types by id with names.
        await using var db = new NpgsqlConnection(api.ConnectionString);
        var names = (await db.QueryAsync<(int Id, string Name)>("SELECT id, name FROM trip_types WHERE id IN (3, 5)")).ToDictionary(t => t.Id, t => t.Name);
        Assert.Equal([("Asia", "4"), ("Europe", "2")], Series(marks, "top_continents"));
        Assert.Equal([("3", "2"), ("5", "1")], Series(marks, "top_types"));
        Assert.Equal([names[3], names[5]], charts.GetProperty("chart-top-types").GetProperty("items").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal(
            ["2026-11-20", "250 ms", "385 ms"],
            charts.GetProperty("chart-latency").GetProperty("rows")[1].EnumerateArray().Select(c => c.GetString()));

        // Engagement over the seven days: 11 searches, 3 with results seen, 2 with a click, 1 with a save or contact;
        // 5 impressions, 2 clicks (40 %); position 1: 3 impressions, 1 click; position 2: 2 and 1.
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["impressions"] = "5", ["clicks"] = "2", ["click_through_rate"] = "40 %", ["search_click_rate"] = "18.18 %", ["saves"] = "1",
                ["whatsapp_contacts"] = "1", ["phone_contacts"] = "0", ["booking_starts"] = "0", ["avg_dwell_seconds"] = "37.5 s",
            },
            ready.GetProperty("engagement").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetProperty("text").GetString()!));
        Assert.Equal(
            [("searches", "11"), ("searches_with_impressions", "3"), ("searches_with_click", "2"), ("searches_with_save_or_contact", "1")],
            Series(marks, "funnel"));
        Assert.Equal(
            ["Clicked a result", "2 (18.18 %)"],
            charts.GetProperty("chart-funnel").GetProperty("rows")[2].EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(
            Enumerable.Range(1, 10).Select(p => (p.ToString(), p switch { 1 => "0.3333", 2 => "0.5", _ => "0" })),
            Series(marks, "ctr_by_position"));
        Assert.Equal("Position 2: 50 %", Mark(marks, "ctr_by_position", "2").GetProperty("title").GetString());
        Assert.Equal(["1", "3", "1", "33.33 %"], charts.GetProperty("chart-position-ctr").GetProperty("rows")[0].EnumerateArray().Select(c => c.GetString()));
        var titles = (await db.QueryAsync<(int Id, string Title, DateTime Start)>(
            "SELECT o.id, t.title, o.start_date FROM trip_occurrences o JOIN trip_templates t ON t.id = o.trip_template_id WHERE o.id IN (1, 3)"))
            .ToDictionary(t => t.Id);
        Assert.Equal([("1", "1"), ("3", "1")], Series(marks, "top_trips"));
        Assert.Equal([titles[1].Title, titles[3].Title], charts.GetProperty("chart-top-trips").GetProperty("items").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal(
            [titles[3].Title, titles[3].Start.ToString("yyyy-MM-dd"), "1", "1", "100 %", "0", "0"],
            charts.GetProperty("chart-top-trips").GetProperty("rows")[1].EnumerateArray().Select(c => c.GetString()));

        // The running experiment: its variants with their counts and rates; 6 against 4 browsers is a fair 50/50 draw.
        var experiment = ready.GetProperty("experiment");
        Assert.Equal("Ranking experiment: theme weight (running)", experiment.GetProperty("heading").GetString());
        var rows = experiment.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().Select(c => c.GetString()!).ToList()).ToList();
        Assert.Equal(["control (control)", "50 %", "6", "6"], rows[0].Take(4));
        Assert.Equal(["b", "50 %", "4", "4"], rows[1].Take(4));
        Assert.StartsWith("16.67 % [", rows[0][4]); // 2 clicks of 12 impressions
        Assert.StartsWith("33.33 % [", rows[0][5]); // 2 of 6 searches clicked
        Assert.StartsWith("75 % [", rows[1][5]); // 3 of 4
        Assert.Matches(@"\] \+41\.67 pt \(p = 0\.\d{3}\)$", rows[1][5]);
        Assert.Equal("Browsers are split as the shares say (sample-ratio p = 0.527).", experiment.GetProperty("ratio").GetString());
        Assert.False(experiment.GetProperty("ratioWarning").GetBoolean());

        // The key is kept for this tab only, survives a reload, and is gone after "Forget key" and in a new context.
        var storage = page.GetProperty("storage");
        Assert.Equal("dev-function-key", storage.GetProperty("smarttrip.dashboard.functionKey").GetString());
        Assert.Equal("dev-function-key", page.GetProperty("afterReload").GetProperty("functionKey").GetString());
        Assert.Equal("", page.GetProperty("afterForget").GetProperty("functionKey").GetString());
        Assert.False(page.GetProperty("afterForget").GetProperty("storage").TryGetProperty("smarttrip.dashboard.functionKey", out _));
        Assert.Equal("", page.GetProperty("otherContextKey").GetString());

        var errors = page.GetProperty("errors");
        Assert.Equal("The function key was refused (HTTP 401).", errors.GetProperty("wrongKey").GetProperty("status").GetString());
        Assert.Equal(
            "Could not reach http://127.0.0.1:9. Check the URL, and that the API allows this page's origin (CORS).",
            errors.GetProperty("unreachable").GetProperty("status").GetString());
        Assert.Equal(
            "The API base URL is not a valid URL (example: https://func-xxxx.azurewebsites.net).",
            errors.GetProperty("notUrl").GetProperty("status").GetString());
        Assert.Equal("Enter a function key: the metrics endpoints require one.", errors.GetProperty("noKey").GetProperty("status").GetString());
        Assert.Equal(
            $"The API is unavailable (HTTP 503): {Core.Wire.ErrorMessages.DatabaseUnavailable} Retry in 45 s.",
            errors.GetProperty("unavailable").GetProperty("status").GetString());
        Assert.Equal(5, errors.EnumerateObject().Count());
        Expect.All(errors.EnumerateObject(), 5, e => Assert.True(e.Value.GetProperty("reportHidden").GetBoolean()));
        Assert.Empty(page.GetProperty("pageErrors").EnumerateArray());

        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot was saved");
    }

    /// <summary>
    /// A running interleaving experiment: 12 searches, the first result the control's in 7 and the candidate's in 5; the
    /// first result clicked in each, so the candidate wins 5 and loses 7 (sign test p = 0.774, delta −2/12); one search's
    /// two first trips contacted, a tie.
    /// </summary>
    [Fact]
    public async Task The_dashboard_shows_an_interleaving_experiments_wins_losses_and_team_balance()
    {
        await using var db = new NpgsqlConnection(api.ConnectionString);
        await db.ExecuteAsync("DELETE FROM experiments");
        var experiment = await db.ExecuteScalarAsync<int>(
            """
            INSERT INTO experiments (name, status, kind, variants, started_at)
            VALUES ('geo weight, interleaved', 'running', 'interleaving',
                    '[{"name":"control","share":50},{"name":"geo","share":50,"overrides":{"GeoDirectCountry":30}}]', '2026-11-10')
            RETURNING id
            """);
        for (var i = 0; i < 12; i++)
        {
            var (request, at) = (Guid.NewGuid(), new DateTime(2026, 11, 12, 0, 0, 0, DateTimeKind.Utc).AddHours(i));
            await db.ExecuteAsync(
                """
                INSERT INTO recommendation_requests (request_id, created_at, preferences, response_time_ms, total_candidates, primary_count,
                    final_count, result_trip_ids, result_scores, search_type, experiment_id, variant, teams, list_propensity)
                VALUES (@request, @at, '{}', 5, 2, 2, 2, '{1,2}', '{90,80}', 'exploration', @experiment, 'interleaved', @teams, 0.5)
                """, new { request, at, experiment, teams = i < 7 ? "AB" : "BA" });
            var session = Guid.NewGuid();
            await RequestLogRows.EventAsync(db, "click_trip", at.AddMinutes(1), session, request, TripOne, "search_results", 1);
            if (i == 0)
            {
                await RequestLogRows.EventAsync(db, "contact_whatsapp", at.AddMinutes(2), session, request, TripOne);
                await RequestLogRows.EventAsync(db, "contact_whatsapp", at.AddMinutes(3), session, request, TripTwo);
            }
        }

        var page = await RunDriverAsync(Path.Combine(ArtifactsDirectory, "dashboard-interleaving.png"));

        var section = page.GetProperty("ready").GetProperty("experiment");
        Assert.Equal("Ranking experiment: geo weight, interleaved (running, interleaving geo against control)", section.GetProperty("heading").GetString());
        var rows = section.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().Select(c => c.GetString()!).ToList()).ToList();
        Assert.Equal(["Clicks", "5", "7", "0", "−0.17", "0.774"], rows[0]);
        Assert.Equal(["Contacts", "0", "0", "1", "+0", "1.000"], rows[1]);
        Assert.Equal("Teams take the first place fairly: control 7, geo 5 (p = 0.774).", section.GetProperty("ratio").GetString());
        Assert.False(section.GetProperty("ratioWarning").GetBoolean());
    }

    [Fact]
    public async Task The_dashboard_is_served_with_a_content_security_policy_and_holds_no_key()
    {
        using var redirect = await api.Client.GetAsync("/dashboard");
        using var page = await api.Client.GetAsync("/dashboard/");
        var html = await page.Content.ReadAsStringAsync();
        var script = await api.Client.GetStringAsync("/dashboard/dashboard.js");

        Assert.Equal("/dashboard/", redirect.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("<script type=\"module\" src=\"dashboard.js\">", html);
        Assert.DoesNotContain("dev-function-key", html + script);
    }

    private static IEnumerable<(string Key, string Value)> Series(JsonElement marks, string series) =>
        marks.GetProperty(series).EnumerateArray().Select(m => (m.GetProperty("key").GetString()!, m.GetProperty("value").GetString()!));

    private static IEnumerable<string> Ticks(JsonElement charts, string chart) =>
        charts.GetProperty(chart).GetProperty("ticks").EnumerateArray().Select(t => t.GetString()!);

    private static JsonElement Mark(JsonElement marks, string series, string key) =>
        marks.GetProperty(series).EnumerateArray().Single(m => m.GetProperty("key").GetString() == key);

    /// <summary>Where the screenshot goes: SMARTTRIP_TEST_ARTIFACTS (the test command sets artifacts/), else the test output.</summary>
    private static string ArtifactsDirectory =>
        Directory.CreateDirectory(Environment.GetEnvironmentVariable("SMARTTRIP_TEST_ARTIFACTS") is { Length: > 0 } path
            ? path
            : Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;

    /// <summary>
    /// A second development host whose database cannot be reached (nothing listens on its port), allowing the first
    /// host's origin: its metrics endpoints give the real 503 with Retry-After that the dashboard shows.
    /// </summary>
    private async Task<WebApplication> StartHostWithoutDatabaseAsync()
    {
        var app = DevHostApplication.Build([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:SmartTripDb"] = "Host=127.0.0.1;Port=9;Database=none;Username=none;Password=none;Timeout=2",
                ["AzureWebJobsStorage"] = TestServices.StorageConnectionString,
                ["DevHost:BackgroundTriggers"] = "false",
                ["Cors:AllowedOrigins"] = api.Address!.GetLeftPart(UriPartial.Authority),
                ["RetryAfterSeconds"] = "45",
            });
        });
        await app.StartAsync();
        return app;
    }

    private async Task<JsonElement> RunDriverAsync(string screenshot)
    {
        await using var unavailable = await StartHostWithoutDatabaseAsync();
        return await BrowserDriver.RunAsync("dashboard-driver.mjs", new Dictionary<string, string>
        {
            ["DASHBOARD_URL"] = new Uri(api.Address!, "/dashboard/").ToString(),
            ["FUNCTION_KEY"] = "dev-function-key",
            ["BROWSER_NOW"] = api.Clock.GetUtcNow().ToString("O"),
            ["SCREENSHOT"] = screenshot,
            ["UNAVAILABLE_URL"] = unavailable.Urls.Single(),
        });
    }
}
