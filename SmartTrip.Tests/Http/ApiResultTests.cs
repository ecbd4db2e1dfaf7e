using System.Text;
using Microsoft.AspNetCore.Http;
using Npgsql;
using SmartTrip.Core.Catalog;
using SmartTrip.Core.Recommendations;
using SmartTrip.Core.Validation;
using SmartTrip.Core.Wire;
using SmartTrip.Functions;
using SmartTrip.Functions.Http;

namespace SmartTrip.Tests.Http;

[Trait("Category", "Unit")]
public sealed class ApiResultTests
{
    private static async Task<(HttpContext Context, string Body)> ExecuteAsync(ApiResult result)
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        await result.ExecuteAsync(context);
        return (context, Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray()));
    }

    [Fact]
    public async Task Entities_are_camel_case_with_utc_timestamps_and_plain_hebrew()
    {
        var country = new Country
        {
            Id = 83, Name = "Czech Republic", NameHe = "צ'כיה", ContinentLabel = "EUROPE",
            CreatedAt = new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Unspecified),
            UpdatedAt = new DateTime(2026, 10, 1, 12, 30, 15, 999, DateTimeKind.Utc),
        };

        var (context, body) = await ExecuteAsync(Respond.Item(country));

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", context.Response.ContentType);
        Assert.Equal(
            """{"success":true,"data":{"id":83,"name":"Czech Republic","nameHe":"צ'כיה","continent":"Europe","createdAt":"2026-10-01T00:00:00Z","updatedAt":"2026-10-01T12:30:15Z"}}""",
            body);
        Assert.Equal(Encoding.UTF8.GetByteCount(body), context.Response.ContentLength);
    }

    [Fact]
    public async Task Money_stays_a_json_number_and_missing_values_are_null()
    {
        var taxon = new Taxon { Id = 1, Name = "Food & Wine", NameHe = "אוכל ויין", StoredDescription = null };
        var (_, body) = await ExecuteAsync(Respond.List(new[] { taxon }));

        Assert.Contains("\"name\":\"Food & Wine\"", body);
        Assert.Contains("\"description\":\"\"", body);
        Assert.Contains("\"count\":1", body);
    }

    [Fact]
    public async Task Field_errors_are_listed_only_when_present()
    {
        var (_, plain) = await ExecuteAsync(Respond.BadRequest("Bad"));
        var (_, detailed) = await ExecuteAsync(Respond.BadRequest("Bad", [new FieldError("budget", "budget must be a number greater than 0, or null")]));

        Assert.Equal("""{"success":false,"error":"Bad"}""", plain);
        Assert.Equal("""{"success":false,"error":"Bad","errors":[{"field":"budget","message":"budget must be a number greater than 0, or null"}]}""", detailed);
    }

    [Fact]
    public async Task Unreachable_database_becomes_503_without_internals()
    {
        var exception = new NpgsqlException("Failed to connect to 10.0.0.5:5432", new System.Net.Sockets.SocketException(111));

        var (context, body) = await ExecuteAsync(ApiErrors.FromException(exception, 5, ErrorShape.Standard, out _));

        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("5", context.Response.Headers.RetryAfter.ToString());
        Assert.Equal("""{"success":false,"error":"Database connection unavailable. Please check your configuration or try again later."}""", body);
    }

    [Fact]
    public async Task Database_errors_become_503_with_the_generic_message()
    {
        var exception = new PostgresException("relation \"trip_templates\" does not exist", "ERROR", "ERROR", PostgresErrorCodes.UndefinedTable);

        var (context, body) = await ExecuteAsync(ApiErrors.FromException(exception, 9, ErrorShape.Standard, out _));

        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("9", context.Response.Headers.RetryAfter.ToString());
        Assert.Equal("""{"success":false,"error":"Database error occurred. Please try again later."}""", body);
    }

    [Theory]
    [InlineData(PostgresErrorCodes.InvalidPassword)]
    [InlineData(PostgresErrorCodes.InvalidCatalogName)]
    [InlineData(PostgresErrorCodes.TooManyConnections)]
    [InlineData(PostgresErrorCodes.AdminShutdown)]
    public void Server_states_that_mean_unreachable_are_classified_so(string sqlState) =>
        Assert.True(SmartTrip.Core.Data.DatabaseErrors.IsUnavailable(new PostgresException("x", "FATAL", "FATAL", sqlState)));

    [Fact]
    public async Task Defects_become_a_500_with_an_error_id_and_no_internals()
    {
        var (context, body) = await ExecuteAsync(ApiErrors.FromException(new InvalidOperationException("secret detail at line 42"), 5, ErrorShape.Standard, out var errorId));

        Assert.Equal(500, context.Response.StatusCode);
        Assert.Matches("^[0-9a-f]{12}$", errorId);
        Assert.Equal($$"""{"success":false,"error":"Internal server error","error_id":"{{errorId}}"}""", body);
    }

    [Theory]
    [InlineData(PostgresErrorCodes.UntranslatableCharacter)] // 22P05: U+0000 in jsonb
    [InlineData(PostgresErrorCodes.CharacterNotInRepertoire)] // 22021: U+0000 in text
    [InlineData(PostgresErrorCodes.NumericValueOutOfRange)]
    [InlineData(PostgresErrorCodes.UniqueViolation)]
    public void A_data_error_is_never_503(string sqlState)
    {
        var result = ApiErrors.FromException(new PostgresException("refused", "ERROR", "ERROR", sqlState), 5, ErrorShape.Standard, out var errorId);

        Assert.Equal(500, result.StatusCode);
        Assert.NotNull(errorId);
        Assert.False(result.Headers.ContainsKey("Retry-After"));
    }

    [Fact]
    public async Task The_recommendation_endpoint_answers_its_own_shape_in_hebrew_with_the_api_version()
    {
        var unreachable = new NpgsqlException("Failed to connect", new System.Net.Sockets.SocketException(111));
        var failing = new PostgresException("relation missing", "ERROR", "ERROR", PostgresErrorCodes.UndefinedTable);
        var engine = new RecommendationEngineException(new IndexOutOfRangeException("secret"));
        var other = new InvalidOperationException("secret");

        var (down, downBody) = await ExecuteAsync(ApiErrors.FromException(unreachable, 7, ErrorShape.Recommendations, out var downId));
        var (_, failingBody) = await ExecuteAsync(ApiErrors.FromException(failing, 7, ErrorShape.Recommendations, out _));
        var (ranking, rankingBody) = await ExecuteAsync(ApiErrors.FromException(engine, 7, ErrorShape.Recommendations, out var rankingId));
        var (_, otherBody) = await ExecuteAsync(ApiErrors.FromException(other, 7, ErrorShape.Recommendations, out var otherId));
        var (large, largeBody) = await ExecuteAsync(ApiErrors.TooLarge(ErrorShape.Recommendations));

        Assert.Equal((503, "7", null), (down.Response.StatusCode, down.Response.Headers.RetryAfter.ToString(), downId));
        Assert.Equal("""{"success":false,"error":"שגיאת חיבור למסד הנתונים. אנא נסה שוב מאוחר יותר.","api_version":"v2"}""", downBody);
        Assert.Equal("""{"success":false,"error":"שגיאה במסד הנתונים. אנא נסה שוב מאוחר יותר.","api_version":"v2"}""", failingBody);
        Assert.Equal(500, ranking.Response.StatusCode);
        Assert.Equal($$"""{"success":false,"error":"שגיאה בעיבוד ההמלצות. אנא נסה שוב או נסה עם העדפות אחרות.","error_id":"{{rankingId}}","api_version":"v2"}""", rankingBody);
        Assert.Equal($$"""{"success":false,"error":"שגיאה בעיבוד הבקשה. אנא נסה שוב מאוחר יותר.","error_id":"{{otherId}}","api_version":"v2"}""", otherBody);
        Assert.Equal(413, large.Response.StatusCode);
        Assert.Equal("""{"success":false,"error":"Request body too large (maximum 1 MB)","api_version":"v2"}""", largeBody);
    }

    [Fact]
    public void A_function_declares_its_error_shape_once_and_the_error_path_reads_it()
    {
        Assert.Equal(ErrorShape.Recommendations, ApiErrors.ShapeOf(nameof(RecommendationFunctions.GetRecommendations)));
        Assert.Equal(ErrorShape.Standard, ApiErrors.ShapeOf(nameof(TrackingFunctions.TrackEvent)));
        Assert.Equal(typeof(RecommendationErrorBody), ApiErrors.BodyType(ErrorShape.Recommendations));
    }
}
