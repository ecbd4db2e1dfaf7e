using System.Text.Json;
using Dapper;
using Npgsql;
using SmartTrip.Core.Experiments;
using SmartTrip.Core.Recommendations;
using SmartTrip.Tests.Analytics;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Experiments;

/// <summary>
/// Experiments end to end on the host (the development host, or the real one with SMARTTRIP_TEST_FUNCTIONS_HOST): a
/// running experiment ranks each browser's searches by its variant, says so in the response and the log, and stops.
/// </summary>
public sealed class ExperimentApiTests(ApiFixture api) : IClassFixture<ApiFixture>, IAsyncLifetime
{
    private const string Search = """{"selected_continents":["Europe"]}""";

    /// <summary>
    /// The variant "few" keeps three results (and relaxes from one), so its searches are visibly its own, and raises the
    /// score thresholds, which its responses must report (the configured 70/50 would: the variant's engine ranked them).
    /// </summary>
    private static readonly Variant[] Variants =
    [
        new() { Name = "control", Share = 50 },
        new() { Name = "few", Share = 50, Overrides = new Dictionary<string, double> { ["MaxResults"] = 3, ["MinResultsThreshold"] = 1, ["ScoreThresholdHigh"] = 101, ["ScoreThresholdMid"] = 90 } },
    ];

    private NpgsqlDataSource _dataSource = null!;

    private ExperimentStore Store => new(_dataSource, new RecommendationOptions(), TimeProvider.System);

    public async Task InitializeAsync()
    {
        _dataSource = NpgsqlDataSource.Create(api.ConnectionString);
        await using var db = await _dataSource.OpenConnectionAsync();
        await db.ExecuteAsync("DELETE FROM experiments");
    }

    public async Task DisposeAsync() => await _dataSource.DisposeAsync();

    private static Guid BrowserIn(Experiment experiment, string variant)
    {
        while (true)
        {
            var browser = Guid.NewGuid();
            if (ExperimentAssignment.Assign(experiment, browser).Name == variant)
            {
                return browser;
            }
        }
    }

    private static string WithBrowser(Guid browser) => $$"""{"selected_continents":["Europe"],"anonymous_id":"{{browser}}"}""";

    private static IEnumerable<int> Ids(JsonElement body) => body.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("id").GetInt32());

    private async Task<(int? Experiment, string? Variant, Guid? Browser)> LoggedAsync(JsonElement body)
    {
        await using var db = await _dataSource.OpenConnectionAsync();
        return await db.QuerySingleAsync<(int?, string?, Guid?)>(
            "SELECT experiment_id, variant, anonymous_id FROM recommendation_requests WHERE request_id = @id",
            new { id = body.GetProperty("request_id").GetGuid() });
    }

    [Fact]
    public async Task A_running_experiment_ranks_each_browser_by_its_variant_says_so_and_logs_it_until_it_stops()
    {
        var (_, before) = await api.PostJsonAsync("/api/v2/recommendations", Search);
        var created = await Store.CreateAsync("fewer results", "three results instead of ten", Variants, CancellationToken.None);
        var experiment = await Store.StartAsync(created.Id, CancellationToken.None);
        var (few, control) = (BrowserIn(experiment, "few"), BrowserIn(experiment, "control"));
        var session = Guid.NewGuid();
        await api.PostJsonAsync("/api/session/start", $$"""{"session_id":"{{session}}","anonymous_id":"{{few}}"}""");

        var (status, inFew) = await api.PostJsonAsync("/api/v2/recommendations", WithBrowser(few));
        var (_, inControl) = await api.PostJsonAsync("/api/v2/recommendations", WithBrowser(control));
        var (_, bySession) = await api.PostJsonAsync("/api/v2/recommendations", Search, new Dictionary<string, string> { ["X-Session-ID"] = session.ToString() });
        var (_, anonymous) = await api.PostJsonAsync("/api/v2/recommendations", Search);
        var second = await Store.CreateAsync("another", null, Variants, CancellationToken.None);
        var refused = await Assert.ThrowsAsync<ExperimentException>(() => Store.StartAsync(second.Id, CancellationToken.None));
        await Store.StopAsync(experiment.Id, CancellationToken.None);
        var (_, after) = await api.PostJsonAsync("/api/v2/recommendations", WithBrowser(few));

        Assert.Equal(200, status);
        Assert.True(Ids(before).Count() > 3, "the search has more than three results outside the experiment");
        Assert.Equal(
            $$"""{"id":{{experiment.Id}},"variant":"few"}""", inFew.GetProperty("experiment").GetRawText()); // never the name
        Assert.Equal(Ids(before).Take(3), Ids(inFew));
        // Reading the thresholds from the configured options instead of the variant's engine fails these two.
        Assert.Equal("""{"HIGH":101,"MID":90}""", inFew.GetProperty("score_thresholds").GetRawText());
        Assert.True(inFew.GetProperty("show_refinement_message").GetBoolean(), "no score reaches the variant's HIGH of 101");
        Assert.Equal("""{"HIGH":70,"MID":50}""", inControl.GetProperty("score_thresholds").GetRawText());
        Assert.Equal("control", inControl.GetProperty("experiment").GetProperty("variant").GetString());
        Assert.Equal(Ids(before), Ids(inControl));
        Assert.Equal(("few", 3), (bySession.GetProperty("experiment").GetProperty("variant").GetString(), Ids(bySession).Count()));
        Assert.Equal("control", anonymous.GetProperty("experiment").GetProperty("variant").GetString());
        Assert.False(after.TryGetProperty("experiment", out _));
        Assert.Equal(Ids(before), Ids(after));
        Assert.Equal($"Experiment {experiment.Id} (fewer results) is running: stop it first.", refused.Message);

        Assert.Equal((experiment.Id, "few", few), await LoggedAsync(inFew));
        Assert.Equal((experiment.Id, "control", control), await LoggedAsync(inControl));
        Assert.Equal((experiment.Id, "few", few), await LoggedAsync(bySession));
        Assert.Equal((experiment.Id, "control", (Guid?)null), await LoggedAsync(anonymous));
        Assert.Equal((null, null, null), await LoggedAsync(after));
        // Outside the randomised slice the shown list had probability 1; the variant's share is its allocation probability.
        Assert.Equal((0.5f, 1.0, null), await PolicyLoggedAsync(inFew));
        Assert.Equal(((float?)null, 1.0, null), await PolicyLoggedAsync(after));
    }

    private async Task<(float? Allocation, double? List, string? Exploration)> PolicyLoggedAsync(JsonElement body)
    {
        await using var db = await _dataSource.OpenConnectionAsync();
        return await db.QuerySingleAsync<(float?, double?, string?)>(
            "SELECT allocation_probability, list_propensity, exploration FROM recommendation_requests WHERE request_id = @id",
            new { id = body.GetProperty("request_id").GetGuid() });
    }

    /// <summary>
    /// An interleaving experiment (docs/experiments.md §10) merges the control's and the candidate's rankings in every
    /// search by team draft, logs the team of each position and the coin's probability, and credits clicks and contacts
    /// to the team that gave the trip. The candidate keeps the control's top three, so the merged list is the control's
    /// own order whoever picks, and the teams alone decide the credit: a click on the first result is a win exactly when
    /// the candidate picked first.
    /// </summary>
    [Fact]
    public async Task An_interleaving_experiment_merges_both_rankings_logs_the_teams_and_credits_each_click_to_its_team()
    {
        var (_, before) = await api.PostJsonAsync("/api/v2/recommendations", Search);
        var created = await Store.CreateAsync("interleaved", null, Variants, CancellationToken.None, Experiment.Interleaving);
        var experiment = await Store.StartAsync(created.Id, CancellationToken.None);
        await using var db = await _dataSource.OpenConnectionAsync();
        var firstFromCandidate = 0;
        const int searches = 40;
        for (var i = 0; i < searches; i++)
        {
            var (status, body) = await api.PostJsonAsync("/api/v2/recommendations", i % 2 == 0 ? Search : WithBrowser(Guid.NewGuid()));
            Assert.Equal(200, status);
            Assert.Equal($$"""{"id":{{experiment.Id}},"variant":"interleaved"}""", body.GetProperty("experiment").GetRawText());
            Assert.Equal(Ids(before), Ids(body));
            var request = body.GetProperty("request_id").GetGuid();
            var (teams, propensity, variant, at) = await db.QuerySingleAsync<(string, double, string, DateTime)>(
                "SELECT teams, list_propensity, variant, created_at FROM recommendation_requests WHERE request_id = @request", new { request });
            Assert.Equal(Ids(before).Count(), teams.Length);
            Assert.Equal("interleaved", variant);
            // Two coins: the first pick, and the third (the candidate still has its third trip then); the logged probability
            // halves with each. Afterwards the candidate has nothing left, and the control fills the list without a coin.
            Assert.Equal(0.25, propensity);
            Assert.Equal(teams[0] == 'B' ? "BA" : "AB", teams[..2]);
            Assert.Equal(new string('A', teams.Length - 4), teams[4..]);
            firstFromCandidate += teams[0] == 'B' ? 1 : 0;
            var session = Guid.NewGuid();
            var trips = Ids(body).ToList();
            await RequestLogRows.EventAsync(db, "click_trip", at.AddSeconds(5), session, request, trips[0], "search_results", 1);
            if (i % 4 == 0)
            {
                // Both teams' trips contacted: a tie.
                await RequestLogRows.EventAsync(db, "contact_phone", at.AddSeconds(9), session, request, trips[0]);
                await RequestLogRows.EventAsync(db, "contact_phone", at.AddSeconds(9), session, request, trips[1]);
            }
        }

        await Store.StopAsync(experiment.Id, CancellationToken.None);
        // The host's clock may be pinned: the experiment's window is set around the searches it logged.
        await db.ExecuteAsync(
            """
            UPDATE experiments SET started_at = w.first - interval '1 minute', stopped_at = w.last + interval '1 minute'
              FROM (SELECT min(created_at) AS first, max(created_at) AS last FROM recommendation_requests WHERE experiment_id = @id) w
             WHERE id = @id
            """, new { id = experiment.Id });
        var (_, results) = await api.SendWithKeyAsync(HttpMethod.Get, $"/api/experiments/{experiment.Id}/results");

        var interleaving = results.GetProperty("data").GetProperty("interleaving");
        Assert.Equal(searches, interleaving.GetProperty("searches").GetInt32());
        var clicks = interleaving.GetProperty("clicks");
        Assert.Equal((firstFromCandidate, searches - firstFromCandidate, 0),
            (clicks.GetProperty("wins").GetInt32(), clicks.GetProperty("losses").GetInt32(), clicks.GetProperty("ties").GetInt32()));
        Assert.Equal(InterleavingStatistics.SignTest(firstFromCandidate, searches - firstFromCandidate), clicks.GetProperty("p_value").GetDouble(), 12);
        var contacts = interleaving.GetProperty("contacts");
        Assert.Equal((0, 0, searches / 4),
            (contacts.GetProperty("wins").GetInt32(), contacts.GetProperty("losses").GetInt32(), contacts.GetProperty("ties").GetInt32()));
        var balance = interleaving.GetProperty("team_balance");
        Assert.Equal((searches - firstFromCandidate, firstFromCandidate),
            (balance.GetProperty("first_from_control").GetInt32(), balance.GetProperty("first_from_candidate").GetInt32()));
        Assert.Equal("interleaving", results.GetProperty("data").GetProperty("experiment").GetProperty("kind").GetString());
        Assert.InRange(firstFromCandidate, 1, searches - 1); // a fair coin: all 40 one way is a 1 in 10^12 chance
    }

    [Fact]
    public async Task The_store_refuses_what_cannot_be_and_says_why()
    {
        var ct = CancellationToken.None;

        var bad = await Assert.ThrowsAsync<ExperimentException>(() => Store.CreateAsync("bad", null, [Variants[0]], ct));
        var created = await Store.CreateAsync("twice", null, Variants, ct);
        var twice = await Assert.ThrowsAsync<ExperimentException>(() => Store.CreateAsync("twice", null, Variants, ct));
        await Store.StartAsync(created.Id, ct);
        var startedAgain = await Assert.ThrowsAsync<ExperimentException>(() => Store.StartAsync(created.Id, ct));
        await Store.StopAsync(created.Id, ct);
        var stoppedAgain = await Assert.ThrowsAsync<ExperimentException>(() => Store.StopAsync(created.Id, ct));
        var missing = await Assert.ThrowsAsync<ExperimentException>(() => Store.StartAsync(999_999, ct));

        Assert.Equal("The experiment cannot be created: an experiment has 2 to 10 variants.", bad.Message);
        Assert.Equal("An experiment named twice exists already.", twice.Message);
        Assert.Equal($"Experiment {created.Id} is running, not a draft.", startedAgain.Message);
        Assert.Equal($"Experiment {created.Id} is stopped, not running.", stoppedAgain.Message);
        Assert.Equal("There is no experiment 999999.", missing.Message);
    }

    [Fact]
    public async Task Results_count_each_variant_and_find_the_variant_that_truly_clicks_more()
    {
        var experiment = await Store.CreateAsync("clicks", null, [Variants[0], Variants[1] with { Name = "better" }], CancellationToken.None);
        var broken = await Store.CreateAsync("broken split", null, Variants, CancellationToken.None);
        var (from, to) = (new DateTime(2026, 11, 10, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 11, 14, 0, 0, 0, DateTimeKind.Utc));
        await using var db = await _dataSource.OpenConnectionAsync();
        await db.ExecuteAsync(
            "UPDATE experiments SET status = 'stopped', started_at = @from, stopped_at = @to WHERE id IN (@a, @b)",
            new { from, to, a = experiment.Id, b = broken.Id });

        // 1 000 browsers, one search each, five impressions per search; a search is clicked with probability 10 % in the
        // control and 20 % in "better", contacted with 3 % in both. "broken split" labels 60 % of its browsers control.
        var random = new Random(42);
        var expected = new Dictionary<string, (int Browsers, int Clicked, int Contacted)>();
        for (var i = 0; i < 1_000; i++)
        {
            var browser = Guid.NewGuid();
            var variant = ExperimentAssignment.Assign(experiment, browser).Name;
            var request = Guid.NewGuid();
            var at = from.AddMinutes(i * 5);
            var session = Guid.NewGuid();
            await InsertSearchAsync(db, request, experiment.Id, variant, browser, at);
            for (var position = 1; position <= 5; position++)
            {
                await RequestLogRows.EventAsync(db, "impression", at.AddSeconds(1), session, request, position, "search_results", position);
            }

            var clicked = random.NextDouble() < (variant == "control" ? 0.10 : 0.20);
            var contacted = random.NextDouble() < 0.03;
            if (clicked)
            {
                await RequestLogRows.EventAsync(db, "click_trip", at.AddSeconds(30), session, request, 1, "search_results", 1);
            }

            if (contacted)
            {
                await RequestLogRows.EventAsync(db, "contact_whatsapp", at.AddMinutes(2), session, request, 1);
            }

            var (b, c, k) = expected.GetValueOrDefault(variant);
            expected[variant] = (b + 1, c + (clicked ? 1 : 0), k + (contacted ? 1 : 0));
            await InsertSearchAsync(db, Guid.NewGuid(), broken.Id, i % 10 < 6 ? "control" : "few", Guid.NewGuid(), at);
        }

        for (var i = 0; i < 5; i++)
        {
            await InsertSearchAsync(db, Guid.NewGuid(), experiment.Id, "control", null, from.AddHours(1));
        }

        // Logged after the experiment stopped: outside its window, so counted nowhere.
        await InsertSearchAsync(db, Guid.NewGuid(), experiment.Id, "control", Guid.NewGuid(), to.AddHours(1));

        var (status, body) = await api.SendWithKeyAsync(HttpMethod.Get, $"/api/experiments/{experiment.Id}/results");
        var (_, brokenBody) = await api.SendWithKeyAsync(HttpMethod.Get, $"/api/experiments/{broken.Id}/results");
        var (missing, missingBody) = await api.SendWithKeyAsync(HttpMethod.Get, "/api/experiments/999999/results");
        var (_, list) = await api.SendWithKeyAsync(HttpMethod.Get, "/api/experiments");
        var (noKey, _) = await api.SendWithKeyAsync(HttpMethod.Get, "/api/experiments", functionKey: null);

        Assert.Equal(200, status);
        var results = body.GetProperty("data");
        Assert.Equal(5, results.GetProperty("unassigned_searches").GetInt32());
        var variants = results.GetProperty("variants").EnumerateArray().ToDictionary(v => v.GetProperty("name").GetString()!);
        foreach (var (name, (browsers, clicked, contacted)) in expected)
        {
            var v = variants[name];
            Assert.Equal(
                (browsers, browsers, browsers * 5, clicked, clicked, contacted),
                (v.GetProperty("browsers").GetInt32(), v.GetProperty("searches").GetInt32(), v.GetProperty("impressions").GetInt32(),
                 v.GetProperty("clicks").GetInt32(), v.GetProperty("search_click_rate").GetProperty("successes").GetInt32(),
                 v.GetProperty("contact_rate").GetProperty("successes").GetInt32()));
        }

        var better = variants["better"].GetProperty("search_click_rate").GetProperty("vs_control");
        Assert.True(better.GetProperty("significant").GetBoolean(), better.GetRawText());
        Assert.True(better.GetProperty("value").GetDouble() > 0 && better.GetProperty("ci_low").GetDouble() > 0);
        // The control is the baseline: its rates carry no comparison; every other variant's rates do.
        Assert.Equal((true, false), (variants["control"].GetProperty("is_control").GetBoolean(), variants["better"].GetProperty("is_control").GetBoolean()));
        foreach (var rate in new[] { "click_through_rate", "search_click_rate", "contact_rate" })
        {
            Assert.False(variants["control"].GetProperty(rate).TryGetProperty("vs_control", out _), rate);
            Assert.True(variants["better"].GetProperty(rate).TryGetProperty("vs_control", out _), rate);
        }
        Assert.False(results.GetProperty("sample_ratio").GetProperty("mismatch").GetBoolean());
        Assert.True(brokenBody.GetProperty("data").GetProperty("sample_ratio").GetProperty("mismatch").GetBoolean());
        Assert.Equal((404, "Experiment not found"), (missing, missingBody.GetProperty("error").GetString()));
        Assert.Equal(["clicks", "broken split"], list.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        Assert.Equal(401, noKey);
    }

    private static Task InsertSearchAsync(NpgsqlConnection db, Guid request, int experiment, string variant, Guid? browser, DateTime at) =>
        db.ExecuteAsync(
            """
            INSERT INTO recommendation_requests (request_id, session_id, created_at, preferences, response_time_ms, total_candidates,
                primary_count, final_count, result_trip_ids, result_scores, search_type, experiment_id, variant, anonymous_id)
            VALUES (@request, NULL, @at, '{}', 5, 10, 10, 10, '{}', '{}', 'exploration', @experiment, @variant, @browser)
            """, new { request, at, experiment, variant, browser });
}
