using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SmartTrip.Core.Recommendations;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Recommendations;

/// <summary>The endpoint over the catalogue data set, "today" pinned to 2026-11-25.</summary>
public sealed class RecommendationApiTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private const string Path = "/api/v2/recommendations";

    private async Task<long> LoggedAsync(string sessionId)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM recommendation_requests WHERE session_id = @sessionId", new { sessionId });
    }

    [Fact]
    public async Task Asia_under_8000_returns_ten_ranked_asian_trips()
    {
        var (status, body) = await api.PostJsonAsync(Path, """{"selected_continents":["Asia"],"budget":8000}""");

        Assert.Equal(200, status);
        var data = body.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(10, data.Count);
        Assert.Equal(462, body.GetProperty("total_trips_in_db").GetInt32());
        Assert.Equal("focused_search", body.GetProperty("search_type").GetString());
        Expect.All(data, 10, item =>
        {
            Assert.Equal("Asia", item.GetProperty("template").GetProperty("primaryCountry").GetProperty("continent").GetString());
            Assert.Contains("Continent Match [+5]", item.GetProperty("match_details").EnumerateArray().Select(d => d.GetString()));
            Assert.True(item.GetProperty("effectivePrice").GetDecimal() <= 8000 * 1.3m);
        });
        var order = data.Select(i => (Score: i.GetProperty("match_score").GetInt32(), Start: i.GetProperty("startDate").GetString()!)).ToList();
        Assert.Equal(order.OrderByDescending(o => o.Score).ThenBy(o => o.Start, StringComparer.Ordinal), order);
    }

    [Fact]
    public async Task Items_are_the_occurrence_objects_of_the_catalogue_without_template_countries()
    {
        var (_, body) = await api.PostJsonAsync(Path, """{"preferred_theme_ids":[1,6],"difficulty":3}""");

        foreach (var item in body.GetProperty("data").EnumerateArray())
        {
            var (_, single) = await api.GetJsonAsync($"/api/v2/occurrences/{item.GetProperty("id").GetInt32()}");
            var expected = JsonNode.Parse(single.GetProperty("data").GetRawText())!.AsObject();
            expected["template"]!.AsObject().Remove("countries");
            var actual = JsonNode.Parse(item.GetRawText())!.AsObject();
            foreach (var key in new[] { "match_score", "match_details", "is_relaxed" })
            {
                Assert.True(actual.Remove(key), key);
            }

            Assert.True(JsonNode.DeepEquals(expected, actual), $"occurrence {item.GetProperty("id")} differs:\n{expected}\n{actual}");
        }
    }

    [Fact]
    public async Task A_text_plain_body_and_an_empty_body_are_accepted()
    {
        using var plain = await api.Client.PostAsync(Path, new StringContent("""{"budget":9000}""", Encoding.UTF8, "text/plain"));
        using var empty = await api.Client.PostAsync(Path, new ByteArrayContent([]));

        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        using var emptyBody = JsonDocument.Parse(await empty.Content.ReadAsStringAsync());
        Assert.Equal(10, emptyBody.RootElement.GetProperty("count").GetInt32());
        Assert.Equal("exploration", emptyBody.RootElement.GetProperty("search_type").GetString());
    }

    [Theory]
    [InlineData("""{"difficulty":"2","session_id":"v1"}""", """[{"field":"difficulty","message":"difficulty must be an integer from 1 to 5, or null"}]""")]
    [InlineData("""{"budget":"9000","session_id":"v2"}""", """[{"field":"budget","message":"budget must be a number greater than 0, or null"}]""")]
    [InlineData("""{"selected_continents":["Narnia"],"session_id":"v3"}""",
        """[{"field":"selected_continents","message":"Invalid continent: Narnia. Valid continents: Africa, Antarctica, Asia, Europe, North & Central America, Oceania, South America"}]""")]
    [InlineData("""{"min_duration":20,"max_duration":10,"session_id":"v4"}""", """[{"field":"min_duration","message":"min_duration must not be greater than max_duration"}]""")]
    [InlineData("""{"month":13,"year":"abc","session_id":"v5"}""",
        """[{"field":"year","message":"year must be an integer from 1 to 9999, a numeric string, or 'all'"},{"field":"month","message":"month must be an integer from 1 to 12, a numeric string, or 'all'"}]""")]
    [InlineData("""{"difficulty":0,"session_id":"v7a"}""", """[{"field":"difficulty","message":"difficulty must be an integer from 1 to 5, or null"}]""")]
    [InlineData("""{"budget":0,"session_id":"v7b"}""", """[{"field":"budget","message":"budget must be a number greater than 0, or null"}]""")]
    public async Task A_bad_body_gets_400_naming_the_field_and_is_not_logged(string request, string errors)
    {
        var (status, body) = await api.PostJsonAsync(Path, request);

        Assert.Equal(400, status);
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Equal("Invalid preferences", body.GetProperty("error").GetString());
        Assert.Equal("v2", body.GetProperty("api_version").GetString());
        Assert.Equal(errors, body.GetProperty("errors").GetRawText());
        Assert.Equal(0, await LoggedAsync(JsonDocument.Parse(request).RootElement.GetProperty("session_id").GetString()!));
    }

    [Fact]
    public async Task A_body_that_is_not_json_gets_400()
    {
        using var response = await api.Client.PostAsync(Path, new StringContent("not json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("""{"success":false,"error":"Request body must be a JSON object","api_version":"v2"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_body_over_one_megabyte_gets_413()
    {
        var padding = new string('x', RequestBodyLimit);
        using var response = await api.Client.PostAsync(Path, new StringContent($$"""{"note":"{{padding}}"}"""));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("""{"success":false,"error":"Request body too large (maximum 1 MB)","api_version":"v2"}""", await response.Content.ReadAsStringAsync());
    }

    private const int RequestBodyLimit = 1_048_576;

    [Fact]
    public async Task The_session_header_wins_over_the_body_and_bad_values_are_ignored()
    {
        await api.PostJsonAsync(Path, """{"session_id":"from-body-1"}""", new Dictionary<string, string> { ["X-Session-ID"] = "from-header-1" });
        await api.PostJsonAsync(Path, """{"session_id":"from-body-2"}""", new Dictionary<string, string> { ["X-Session-ID"] = new string('h', 65) });

        Assert.Equal(1, await LoggedAsync("from-header-1"));
        Assert.Equal(0, await LoggedAsync("from-body-1"));
        Assert.Equal(1, await LoggedAsync("from-body-2"));
    }

    [Fact]
    public async Task The_log_row_keeps_the_preferences_as_read_and_nothing_else_of_the_body()
    {
        // Nearly 1 MB of keys the parser does not read (within the body's 50 000 values): none of it is stored.
        var junk = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"\"junk{i}\":\"{new string('x', 30)}\","));
        var (_, body) = await api.PostJsonAsync(Path,
            "{" + junk + """ "selected_countries":[19,19],"selected_continents":["asia"],"preferred_type_id":0,"budget":12345.675,"year":"2027","month":3,"start_date":"2027-03-01T00:00:00Z","session_id":"as-sent"}""");

        await using var connection = new NpgsqlConnection(api.ConnectionString);
        var row = await connection.QuerySingleAsync<(Guid RequestId, string Preferences, int[] Countries, string[] Continents, int? TypeId, decimal Budget, int Total)>(
            """
            SELECT request_id, preferences::text, selected_countries, selected_continents, preferred_type_id, budget, total_candidates
              FROM recommendation_requests WHERE session_id = 'as-sent'
            """);
        Assert.Equal(Guid.Parse(body.GetProperty("request_id").GetString()!), row.RequestId);
        Assert.Equal(
            """{"year": "2027", "month": "3", "budget": 12345.675, "session_id": "as-sent", "start_date": "2027-03-01", "preferred_type_id": 0, "selected_countries": [19, 19], "selected_continents": ["asia"]}""",
            row.Preferences); // jsonb's own key order
        Assert.True(await connection.ExecuteScalarAsync<int>("SELECT pg_column_size(preferences) FROM recommendation_requests WHERE session_id = 'as-sent'") < 300);
        Assert.Equal([19, 19], row.Countries);
        Assert.Equal(["asia"], row.Continents);
        Assert.Equal(0, row.TypeId);
        Assert.Equal(12345.68m, row.Budget);
        Assert.Equal(body.GetProperty("total_candidates").GetInt32(), row.Total);
    }

    [Fact]
    public async Task A_log_write_that_fails_does_not_change_the_response()
    {
        // A trigger makes the log refuse this session's rows; the search itself is fine.
        await using (var connection = new NpgsqlConnection(api.ConnectionString))
        {
            await connection.ExecuteAsync(
                """
                CREATE OR REPLACE FUNCTION refuse_unloggable() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF NEW.session_id = 'unloggable' THEN RAISE EXCEPTION 'this row cannot be logged'; END IF;
                  RETURN NEW;
                END $$;
                DROP TRIGGER IF EXISTS refuse_unloggable ON recommendation_requests;
                CREATE TRIGGER refuse_unloggable BEFORE INSERT ON recommendation_requests
                  FOR EACH ROW EXECUTE FUNCTION refuse_unloggable();
                """);
        }

        var (status, body) = await api.PostJsonAsync(Path, """{"budget":9000,"session_id":"unloggable"}""");

        Assert.Equal(200, status);
        Assert.Equal(10, body.GetProperty("count").GetInt32());
        Assert.Equal(0, await LoggedAsync("unloggable"));
    }

    [SkippableFact]
    public async Task Invariants_hold_for_a_thousand_random_searches_over_the_catalogue()
    {
        api.SkipOnExternalHost("it compares with the engine inside the host process");
        var engine = api.Services.GetRequiredService<RecommendationEngine>();
        var snapshot = await api.Services.GetRequiredService<RecommendationRepository>().LoadSnapshotAsync(WorkedExamples.Today, CancellationToken.None);
        var random = new Random(20261125);
        var countries = snapshot.ContinentBitByCountry.Keys.Order().ToArray();
        string[] continents = ["Africa", "Asia", "Europe", "North America", "South America", "Oceania", "Antarctica"];

        for (var i = 0; i < 1000; i++)
        {
            var request = new JsonObject();
            if (random.Next(3) == 0)
            {
                request["selected_countries"] = new JsonArray([.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => (JsonNode)countries[random.Next(countries.Length)])]);
            }

            if (random.Next(3) == 0)
            {
                request["selected_continents"] = new JsonArray([.. Enumerable.Range(0, random.Next(1, 3)).Select(_ => (JsonNode)continents[random.Next(continents.Length)])]);
            }

            if (random.Next(3) == 0)
            {
                request["preferred_type_id"] = random.Next(0, 12);
            }

            if (random.Next(2) == 0)
            {
                request["preferred_theme_ids"] = new JsonArray([.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => (JsonNode)random.Next(1, 12))]);
            }

            if (random.Next(2) == 0)
            {
                request["budget"] = random.Next(500, 40000);
            }

            if (random.Next(2) == 0)
            {
                request["difficulty"] = random.Next(1, 6);
            }

            if (random.Next(2) == 0) { var min = random.Next(1, 20); request["min_duration"] = min; request["max_duration"] = min + random.Next(0, 30); }
            if (random.Next(3) == 0)
            {
                request["year"] = random.Next(2026, 2029).ToString();
            }

            if (random.Next(3) == 0)
            {
                request["month"] = random.Next(1, 13);
            }

            var preferences = RecommendationEngineTests.Preferences(request.ToJsonString());
            var context = new SearchContext(preferences, WorkedExamples.Today, snapshot.PrivateTypeId);
            var result = engine.Recommend(context, snapshot.Candidates, snapshot.ContinentBitByCountry);
            var all = result.Primary.Results.Concat(result.Relaxed).ToList();

            Assert.True(all.Count <= 10, request.ToJsonString());
            Assert.All(all, r => Assert.InRange(r.Score, 30, 100));
            Assert.All(all, r => Assert.True(r.Trip.StartDate >= WorkedExamples.Today));
            Assert.Empty(result.Relaxed.Select(r => r.Trip.Id).Intersect(result.Primary.Results.Select(r => r.Trip.Id)));
            Assert.True(result.Relaxed.Count == 0 || result.Primary.Results.Count <= 5);
            Assert.True(result.Primary.Results.Count <= result.Primary.TotalCandidates);
            foreach (var tier in new[] { result.Primary.Results, result.Relaxed })
            {
                var ranked = tier.OrderByDescending(r => r.Score).ThenBy(r => r.Trip.StartDate).ThenBy(r => r.Trip.Id);
                Assert.Equal(ranked.Select(r => r.Trip.Id), tier.Select(r => r.Trip.Id));
            }
        }
    }

    [Theory]
    [InlineData("selected_countries", 201, "selected_countries must have at most 200 items")]
    [InlineData("preferred_theme_ids", 201, "preferred_theme_ids must have at most 200 items")]
    public async Task Lists_beyond_their_limit_are_refused_and_not_logged(string field, int count, string message)
    {
        var session = $"long-{field}";
        var items = string.Join(",", Enumerable.Repeat("1", count));
        var atLimit = string.Join(",", Enumerable.Repeat("1", count - 1));

        var (status, body) = await api.PostJsonAsync(Path, $$"""{"{{field}}":[{{items}}],"session_id":"{{session}}"}""");
        var (okStatus, _) = await api.PostJsonAsync(Path, $$"""{"{{field}}":[{{atLimit}}],"session_id":"{{session}}-ok"}""");

        Assert.Equal(400, status);
        Assert.Equal($$"""{"success":false,"error":"Invalid preferences","errors":[{"field":"{{field}}","message":"{{message}}"}],"api_version":"v2"}""", body.GetRawText());
        Assert.Equal(200, okStatus);
        Assert.Equal(0, await LoggedAsync(session));
        Assert.Equal(1, await LoggedAsync(session + "-ok"));
    }

    [Fact]
    public async Task Continents_and_numeric_texts_beyond_their_limit_are_refused()
    {
        var continents = string.Join(",", Enumerable.Repeat("\"Asia\"", 21));
        var (manyContinents, continentsBody) = await api.PostJsonAsync(Path, $$"""{"selected_continents":[{{continents}}]}""");
        var (longYear, yearBody) = await api.PostJsonAsync(Path, """{"year":"000000002027"}""");

        Assert.Equal(400, manyContinents);
        Assert.Equal("selected_continents must have at most 20 items", continentsBody.GetProperty("errors")[0].GetProperty("message").GetString());
        Assert.Equal(400, longYear);
        Assert.Equal("year", yearBody.GetProperty("errors")[0].GetProperty("field").GetString());
    }
}
