using System.Text.Json;
using Dapper;
using Npgsql;
using SmartTrip.Core.Analytics;
using SmartTrip.Core.Recommendations;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Analytics;

/// <summary>The 100 personas on the catalogue data set with "today" pinned to 2026-11-25 (analytics.md §6).</summary>
public sealed class EvaluationTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Scenarios_are_listed_by_id_and_filtered_by_category()
    {
        var (status, all) = await api.SendWithKeyAsync(HttpMethod.Get, "/api/evaluation/scenarios");
        var (_, edge) = await api.SendWithKeyAsync(HttpMethod.Get, "/api/evaluation/scenarios?category=edge_case");

        Assert.Equal(200, status);
        Assert.Equal(100, all.GetProperty("count").GetInt32());
        Assert.Equal(Enumerable.Range(1, 100), all.GetProperty("data").EnumerateArray().Select(s => s.GetProperty("id").GetInt32()));
        Assert.Equal(
            ["category", "description", "expected_min_results", "id", "name"],
            all.GetProperty("data")[0].EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(8, edge.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Evaluation_endpoints_need_the_function_key()
    {
        Assert.Equal(401, (await api.SendWithKeyAsync(HttpMethod.Get, "/api/evaluation/scenarios", functionKey: null)).Status);
        Assert.Equal(401, (await api.SendWithKeyAsync(HttpMethod.Post, "/api/evaluation/run", "{}", functionKey: null)).Status);
    }

    [Fact]
    public async Task Running_every_persona_gives_the_report_and_writes_no_request_log()
    {
        var (status, report) = await api.SendWithKeyAsync(HttpMethod.Post, "/api/evaluation/run");

        Assert.Equal(200, status);
        Assert.Equal((100, 63, 37, 63.0m), (report.GetProperty("total_scenarios").GetInt32(), report.GetProperty("passed").GetInt32(),
            report.GetProperty("failed").GetInt32(), report.GetProperty("pass_rate").GetDecimal()));
        Assert.Equal("63.0", report.GetProperty("pass_rate").GetRawText());
        var results = report.GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("scenario_id").GetInt32());
        Assert.Equal(Enumerable.Range(1, 100), results.Keys);
        // The families ask for April 2026, before "today": nothing can be recommended.
        Assert.Equal("Too few results: 0 < 3", results[23].GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, results[23].GetProperty("top_score").ValueKind);
        Assert.Equal("Top score too low: 47 < 55", results[3].GetProperty("reason").GetString());
        Assert.True(results[2].GetProperty("passed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, results[2].GetProperty("reason").ValueKind);
        Assert.Equal(
            ["expected_min_results", "expected_min_top_score", "name", "passed", "reason", "response_time_ms", "result_count", "scenario_id", "top_score"],
            results[1].EnumerateObject().Select(p => p.Name).Order());

        await using var connection = new NpgsqlConnection(api.ConnectionString);
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM recommendation_requests"));
    }

    [Fact]
    public async Task Scenario_ids_and_category_select_the_scenarios()
    {
        var (_, some) = await api.SendWithKeyAsync(HttpMethod.Post, "/api/evaluation/run", """{"scenario_ids":[3,"1",true,2.0]}""");
        var (_, none) = await api.SendWithKeyAsync(HttpMethod.Post, "/api/evaluation/run", """{"category":"no_such_category"}""");
        var (bad, error) = await api.SendWithKeyAsync(HttpMethod.Post, "/api/evaluation/run", """{"scenario_ids":["abc"]}""");

        Assert.Equal([1, 2, 3], some.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("scenario_id").GetInt32()));
        Assert.Equal("""{"success":true,"total_scenarios":0,"passed":0,"failed":0,"results":[],"message":"No scenarios found"}""", none.GetRawText());
        Assert.Equal((400, "scenario_ids must contain integers"), (bad, error.GetProperty("error").GetString()));
    }

    [Fact]
    public async Task A_scenario_whose_preferences_do_not_parse_fails_with_the_first_problem_and_the_others_run()
    {
        await using var db = new Npgsql.NpgsqlConnection(api.ConnectionString);
        var ids = (await db.QueryAsync<int>(
            """
            INSERT INTO evaluation_scenarios (name, category, preferences, expected_min_results)
            VALUES ('broken budget', 'broken', '{"budget": "lots"}', 1), ('broken body', 'broken', '[1, 2]', 1)
            RETURNING id
            """)).ToList();
        try
        {
            var (status, report) = await api.SendWithKeyAsync(HttpMethod.Post, "/api/evaluation/run", $$"""{"scenario_ids":[1,{{ids[0]}},{{ids[1]}}]}""");

            Assert.Equal(200, status);
            var results = report.GetProperty("results").EnumerateArray().ToList();
            Assert.Equal([1, ids[0], ids[1]], results.Select(r => r.GetProperty("scenario_id").GetInt32()));
            Assert.StartsWith("Invalid preferences: ", results[1].GetProperty("reason").GetString());
            Assert.Contains("budget", results[1].GetProperty("reason").GetString(), StringComparison.OrdinalIgnoreCase);
            Assert.StartsWith("Invalid preferences: ", results[2].GetProperty("reason").GetString());
            Assert.NotEqual("Invalid preferences: ", results[2].GetProperty("reason").GetString());
            Assert.Equal((false, false), (results[1].GetProperty("passed").GetBoolean(), results[2].GetProperty("passed").GetBoolean()));
            // The parsed scenario ran in the engine, and its time is what it took, not a cap.
            Assert.InRange(results[0].GetProperty("response_time_ms").GetInt32(), 0, 10_000);
        }
        finally
        {
            await db.ExecuteAsync("DELETE FROM evaluation_scenarios WHERE id = ANY(@ids)", new { ids = ids.ToArray() });
        }
    }

    private static ScoredTrip Trip(int id, int score, int type, int country) => new(
        new TripCandidate
        {
            Id = id, TemplateId = id, StartDate = new(2027, 3, 1), EndDate = new(2027, 3, 10), EffectivePrice = 1000,
            Status = "Open", SpotsLeft = 5, DifficultyLevel = 2, TripTypeId = type, PrimaryCountryId = country,
        },
        score, [], false);

    [Theory]
    [InlineData(3, null, false, null, null, "Too few results: 2 < 3")]
    [InlineData(3, null, true, null, null, null)]
    [InlineData(2, "57.5", false, null, null, "Top score too low: 50 < 57.5")]
    [InlineData(2, null, false, new[] { 1, 4, 9 }, null, "Expected trip type not found: 4, 9")]
    [InlineData(2, null, false, new[] { 1 }, new[] { 7 }, "Expected country not found: 7")]
    [InlineData(2, null, false, null, new[] { 5, 7, 8 }, "Expected country not found: 7, 8")]
    [InlineData(2, "50", false, new[] { 1, 3 }, new[] { 5, 6 }, null)]
    public void The_rules_judge_in_order(int minResults, string? minTop, bool expectsRelaxed, int[]? types, int[]? countries, string? reason)
    {
        var scenario = new Scenario
        {
            ExpectedMinResults = minResults,
            ExpectedMinTopScore = minTop is null ? null : decimal.Parse(minTop, System.Globalization.CultureInfo.InvariantCulture),
            ExpectsRelaxed = expectsRelaxed,
            ExpectedTripTypes = types,
            ExpectedCountries = countries,
        };

        Assert.Equal(reason, EvaluationService.Judge(scenario, [Trip(1, 50, 1, 5), Trip(2, 40, 3, 6)], 50));
    }

    [Fact]
    public void Expecting_relaxed_results_does_not_excuse_an_empty_answer()
    {
        Assert.Equal("Too few results: 0 < 3", EvaluationService.Judge(new Scenario { ExpectedMinResults = 3, ExpectsRelaxed = true }, [], null));
    }
}
