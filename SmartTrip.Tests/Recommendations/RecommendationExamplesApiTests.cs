using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using SmartTrip.Core.Data;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Recommendations;

/// <summary>
/// A database holding the worked-example fixture's reference rows (recommendation.md §12); each test loads the
/// trips of one example and asks the development host, with "today" pinned to 2026-11-25.
/// </summary>
public sealed class WorkedExampleApiFixture : ApiFixture
{
    protected override string DatabasePrefix => "examples";

    // The worked examples are dated relative to the pinned "today" (recommendation.md §12).
    protected override bool SupportsExternalHost => false;

    protected override async Task<string> CreateDatabaseAsync()
    {
        var connectionString = await TestServices.CreateDatabaseAsync(DatabasePrefix);
        new DatabaseMigrator(NullLogger<DatabaseMigrator>.Instance).Migrate(connectionString);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.ExecuteAsync(
            """
            INSERT INTO countries (id, name, name_he, continent) VALUES (@Id, @Name, @Name, @Continent::continent);
            """,
            WorkedExamples.Countries.Select(c => new { c.Id, c.Name, c.Continent }));
        await connection.ExecuteAsync(
            """
            INSERT INTO trip_types (id, name, name_he) VALUES (1, 'Geographic Depth', 'עומק'), (3, 'African Safari', 'ספארי'), (10, 'Private Groups', 'קבוצות');
            INSERT INTO tags (id, name, name_he) VALUES (1, 'Cultural', 'תרבות'), (2, 'Wildlife', 'חיות'), (6, 'Mountain', 'הרים');
            INSERT INTO companies (id, name, name_he) VALUES (1, 'Example Tours', 'טיולים');
            INSERT INTO guides (id, name, email, gender) VALUES (1, 'Dana', 'dana@example.com', 'FEMALE');
            """);
        return connectionString;
    }

    /// <summary>Replaces the catalogue's trips with the example's and empties the request log.</summary>
    public async Task LoadTripsAsync(WorkedExample example)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("TRUNCATE trip_templates, trip_occurrences, trip_template_tags, recommendation_requests CASCADE", transaction: transaction);
        var rows = example.Trips.Select(t => new
        {
            t.Id, t.Price, t.Days, t.Difficulty, t.Type, t.Country, t.Active, t.Start, t.End, t.Spots, t.Status,
            Title = $"Trip {t.Id}",
        }).ToList();
        await connection.ExecuteAsync(
            """
            INSERT INTO trip_templates (id, title, title_he, description, description_he, base_price, typical_duration_days,
                                        default_max_capacity, difficulty_level, company_id, trip_type_id, primary_country_id, is_active)
            VALUES (@Id, @Title, @Title, @Title, @Title, @Price, @Days, 20, @Difficulty, 1, @Type, @Country, @Active);
            INSERT INTO trip_occurrences (id, trip_template_id, guide_id, start_date, end_date, spots_left, status)
            VALUES (@Id, @Id, 1, @Start, @End, @Spots, @Status);
            """,
            rows,
            transaction);
        await connection.ExecuteAsync(
            "INSERT INTO trip_template_tags (trip_template_id, tag_id) VALUES (@TemplateId, @TagId)",
            example.Trips.SelectMany(t => t.Tags.Select(tag => new { TemplateId = t.Id, TagId = tag })),
            transaction);
        await transaction.CommitAsync();
    }
}

public sealed class RecommendationExamplesApiTests(WorkedExampleApiFixture api) : IClassFixture<WorkedExampleApiFixture>
{
    private const string Path = "/api/v2/recommendations";

    private static string[] Items(JsonElement data, bool relaxed) =>
        data.EnumerateArray()
            .Where(item => item.GetProperty("is_relaxed").GetBoolean() == relaxed)
            .Select(item => RecommendationEngineTests.Format(
                item.GetProperty("id").GetInt32(),
                item.GetProperty("match_score").GetInt32(),
                item.GetProperty("match_details").EnumerateArray().Select(d => d.GetString()!)))
            .ToArray();

    [Theory]
    [MemberData(nameof(WorkedExamples.Names), MemberType = typeof(WorkedExamples))]
    public async Task Worked_example_answers_exactly_through_the_api(string name)
    {
        var example = WorkedExamples.Get(name);
        await api.LoadTripsAsync(example);

        var (status, body) = await api.PostJsonAsync(Path, example.Request);

        Assert.Equal(200, status);
        var data = body.GetProperty("data");
        var primary = example.Primary.Length;
        var relaxed = example.Relaxed.Length;
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.Equal("v2", body.GetProperty("api_version").GetString());
        Assert.Equal(RecommendationEngineTests.Format(example.Primary), Items(data, relaxed: false));
        Assert.Equal(RecommendationEngineTests.Format(example.Relaxed), Items(data, relaxed: true));
        Assert.Equal(
            example.Primary.Concat(example.Relaxed).Select(e => e.Id),
            data.EnumerateArray().Select(item => item.GetProperty("id").GetInt32()));
        Assert.Equal(primary + relaxed, body.GetProperty("count").GetInt32());
        Assert.Equal(primary, body.GetProperty("primary_count").GetInt32());
        Assert.Equal(relaxed, body.GetProperty("relaxed_count").GetInt32());
        Assert.Equal(example.TotalCandidates, body.GetProperty("total_candidates").GetInt32());
        Assert.Equal(example.TotalCandidates, body.GetProperty("total_trips").GetInt32());
        if (example.TotalTripsInDb is { } bookable)
        {
            Assert.Equal(bookable, body.GetProperty("total_trips_in_db").GetInt32());
        }

        Assert.Equal(relaxed > 0, body.GetProperty("has_relaxed_results").GetBoolean());
        Assert.Equal("""{"HIGH":70,"MID":50}""", body.GetProperty("score_thresholds").GetRawText());
        var first = example.Primary.Concat(example.Relaxed).FirstOrDefault();
        Assert.Equal(first is null || first.Score < 70, body.GetProperty("show_refinement_message").GetBoolean());
        Assert.Equal(example.SearchType, body.GetProperty("search_type").GetString());
        var expectedMessage = example.Message ?? (primary + relaxed == 0
            ? "No trips match your criteria. Try adjusting your preferences."
            : relaxed > 0 ? $"Found {primary} recommended trips + {relaxed} expanded results" : $"Found {primary} recommended trips");
        Assert.Equal(expectedMessage, body.GetProperty("message").GetString());
        var requestId = Guid.Parse(body.GetProperty("request_id").GetString()!);

        foreach (var item in data.EnumerateArray())
        {
            var template = item.GetProperty("template");
            Assert.False(template.TryGetProperty("countries", out _));
            Assert.Equal(item.GetProperty("id").GetInt32(), template.GetProperty("id").GetInt32());
            Assert.Equal(1, template.GetProperty("company").GetProperty("id").GetInt32());
            Assert.Equal("Dana", item.GetProperty("guide").GetProperty("name").GetString());
            var trip = example.Trips.Single(t => t.Id == item.GetProperty("id").GetInt32());
            Assert.Equal(trip.Tags.Order(), template.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("id").GetInt32()));
            Assert.Equal(trip.Days, item.GetProperty("durationDays").GetInt32());
        }

        await using var connection = new NpgsqlConnection(api.ConnectionString);
        var logged = await connection.QuerySingleAsync<(Guid RequestId, int FinalCount, bool HasNoResults, string SearchType, int[] Ids)>(
            "SELECT request_id, final_count, has_no_results, search_type, result_trip_ids FROM recommendation_requests");
        Assert.Equal(requestId, logged.RequestId);
        Assert.Equal(primary + relaxed, logged.FinalCount);
        Assert.Equal(primary + relaxed == 0, logged.HasNoResults);
        Assert.Equal(example.SearchType, logged.SearchType);
        Assert.Equal(example.Primary.Concat(example.Relaxed).Select(e => e.Id), logged.Ids);
    }

    private sealed record LogRow
    {
        public decimal? TopScore { get; init; }
        public decimal? AvgScore { get; init; }
        public decimal? MinScore { get; init; }
        public decimal? ScoreStdDev { get; init; }
        public int[] ResultTripIds { get; init; } = [];
        public decimal[] ResultScores { get; init; } = [];
        public int? MinDuration { get; init; }
        public int? MaxDuration { get; init; }
        public string? Year { get; init; }
        public string? Month { get; init; }
        public int TotalCandidates { get; init; }
        public bool HasNoResults { get; init; }
        public string AlgorithmVersion { get; init; } = "";
    }

    [Theory]
    [InlineData("E1", "42.00", "42.00", "42.00", "0.00", "1", "42")]
    [InlineData("E14", "57.00", "40.33", "32.00", "14.43", "1,2,4", "57,32,32")]
    [InlineData("E23", "42.00", "34.00", "32.00", "4.22", "1,2,3,4,5,6,7,8,9,10", "42,42,32,32,32,32,32,32,32,32")]
    [InlineData("E21", null, null, null, null, "", "")]
    public async Task Logged_score_statistics_match_the_examples(
        string name, string? top, string? avg, string? min, string? std, string ids, string scores)
    {
        var example = WorkedExamples.Get(name);
        await api.LoadTripsAsync(example);

        await api.PostJsonAsync(Path, example.Request);

        await using var connection = new NpgsqlConnection(api.ConnectionString);
        var row = await connection.QuerySingleAsync<LogRow>("SELECT * FROM recommendation_requests");
        Assert.Equal(top, row.TopScore?.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(avg, row.AvgScore?.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(min, row.MinScore?.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(std, row.ScoreStdDev?.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(ids, string.Join(",", row.ResultTripIds));
        Assert.Equal(scores, string.Join(",", row.ResultScores.Select(s => (int)s)));
        Assert.Equal(example.TotalCandidates, row.TotalCandidates);
        Assert.Equal(ids.Length == 0, row.HasNoResults);
        Assert.Equal("v2.0", row.AlgorithmVersion);
    }

    [Fact]
    public async Task Year_and_month_are_logged_as_text_and_durations_as_sent()
    {
        await api.LoadTripsAsync(WorkedExamples.Get("E22a"));

        await api.PostJsonAsync(Path, """{"budget":15000,"difficulty":2,"min_duration":5,"max_duration":30,"year":"all","month":"all"}""");
        await api.PostJsonAsync(Path, """{"year":2027,"month":"03"}""");

        await using var connection = new NpgsqlConnection(api.ConnectionString);
        var rows = (await connection.QueryAsync<LogRow>("SELECT * FROM recommendation_requests ORDER BY id")).ToList();
        Assert.Equal(("all", "all", 5, 30), (rows[0].Year, rows[0].Month, rows[0].MinDuration, rows[0].MaxDuration));
        Assert.Equal(("2027", "03", null, null), (rows[1].Year, rows[1].Month, rows[1].MinDuration, rows[1].MaxDuration));
    }

    [Fact]
    public async Task A_catalogue_change_is_seen_by_the_next_search()
    {
        await api.LoadTripsAsync(WorkedExamples.Get("E6"));
        var (_, before) = await api.PostJsonAsync(Path, "{}");

        await using (var connection = new NpgsqlConnection(api.ConnectionString))
        {
            await connection.ExecuteAsync("UPDATE trip_occurrences SET status = 'Full' WHERE id = 4");
            await connection.ExecuteAsync("UPDATE trip_templates SET title = 'Renamed' WHERE id = 5");
        }

        var (_, after) = await api.PostJsonAsync(Path, "{}");

        Assert.Equal([4, 5], before.GetProperty("data").EnumerateArray().Select(i => i.GetProperty("id").GetInt32()));
        var item = Assert.Single(after.GetProperty("data").EnumerateArray());
        Assert.Equal(5, item.GetProperty("id").GetInt32());
        Assert.Equal("Renamed", item.GetProperty("template").GetProperty("title").GetString());
        Assert.Equal(1, after.GetProperty("total_trips_in_db").GetInt32());
    }
}
