using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SmartTrip.DevHost;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Http;

public sealed class DatabaseUnavailableTests : IAsyncLifetime
{
    private WebApplication _app = null!;

    public async Task InitializeAsync()
    {
        await TestServices.EnsureQueuesAsync();
        _app = DevHostApplication.Build([], builder =>
        {
            builder.WebHost.UseTestServer();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                // Nothing listens on port 1: every connection attempt is refused.
                ["ConnectionStrings:SmartTripDb"] = "Host=127.0.0.1;Port=1;Database=none;Username=none;Password=secret-password;Timeout=2",
                ["AzureWebJobsStorage"] = TestServices.StorageConnectionString,
                ["RetryAfterSeconds"] = "7",
                ["DevHost:BackgroundTriggers"] = "false", // only the event-pipeline tests drain the shared emulator
            });
        });
        await _app.StartAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("/api/countries")]
    [InlineData("/api/v2/occurrences?limit=5")]
    [InlineData("/api/v2/templates/1")]
    public async Task Reads_answer_503_with_retry_after_and_no_internals(string path)
    {
        using var response = await ContractCheckingHandler.Over(_app.GetTestServer()).GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("7", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal(
            """{"success":false,"error":"Database connection unavailable. Please check your configuration or try again later."}""",
            body);
    }

    [Fact]
    public async Task Recommendations_answer_503_in_hebrew_with_the_api_version()
    {
        using var response = await ContractCheckingHandler.Over(_app.GetTestServer()).PostAsync("/api/v2/recommendations", new StringContent("{}"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("7", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal(
            """{"success":false,"error":"שגיאת חיבור למסד הנתונים. אנא נסה שוב מאוחר יותר.","api_version":"v2"}""",
            body);
    }

    [Fact]
    public async Task Health_is_unhealthy_without_the_database()
    {
        using var response = await ContractCheckingHandler.Over(_app.GetTestServer()).GetAsync("/api/health");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("unhealthy", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("""{"database":"unavailable","queue":"ok"}""", body.RootElement.GetProperty("checks").GetRawText());
        Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("database").ValueKind);
        Assert.Equal(Core.Wire.ErrorMessages.DatabaseUnavailable, body.RootElement.GetProperty("error").GetString());
    }
}

public sealed class QueueUnavailableTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Health_is_unhealthy_when_the_events_queue_is_missing()
    {
        await using var app = DevHostApplication.Build([], builder =>
        {
            builder.WebHost.UseTestServer();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:SmartTripDb"] = api.ConnectionString,
                ["AzureWebJobsStorage"] = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=aGVsbG8=;QueueEndpoint=http://127.0.0.1:1/devstoreaccount1;",
                ["DevHost:BackgroundTriggers"] = "false",
            });
        });
        await app.StartAsync();

        using var response = await ContractCheckingHandler.Over(app.GetTestServer()).GetAsync("/api/health");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("""{"database":"ok","queue":"unavailable"}""", body.RootElement.GetProperty("checks").GetRawText());
        Assert.Equal("Event queue unavailable. Please try again later.", body.RootElement.GetProperty("error").GetString());
        Assert.Equal(542, body.RootElement.GetProperty("database").GetProperty("trip_occurrences").GetInt32());

        var single = """{"event_type":"page_view","session_id":"7d9c3a52-1b7e-4f0a-9a55-2f6c1d0e8b31","anonymous_id":"c2a6f0d4-98e1-4b3a-a7f5-0e4d1c2b3a59"}""";
        foreach (var (path, json) in new[] { ("/api/events", single), ("/api/events/batch", $$"""{"events":[{{single}}]}""") })
        {
            using var events = await ContractCheckingHandler.Over(app.GetTestServer()).PostAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "text/plain"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, events.StatusCode);
            Assert.Equal("5", events.Headers.GetValues("Retry-After").Single());
            Assert.Equal("""{"success":false,"error":"Event queue unavailable. Please try again later."}""", await events.Content.ReadAsStringAsync());
        }
    }
}

/// <summary>Listings cost a fixed number of database round trips whatever the page size (no N+1).</summary>
public sealed class RoundTripTests(RoundTripTests.Fixture api) : IClassFixture<RoundTripTests.Fixture>
{
    public sealed class Fixture : ApiFixture
    {
        protected override string DatabasePrefix => "roundtrips";

        // Round trips are counted by listening to Npgsql in this process.
        protected override bool SupportsExternalHost => false;
    }

    private async Task<int> CommandsForAsync(string path)
    {
        var database = new Npgsql.NpgsqlConnectionStringBuilder(api.ConnectionString).Database;
        var count = 0;
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                // Command activities only (they carry the SQL); opening a physical connection is not a round trip we count.
                if (activity.Tags.Any(t => t.Value == database) &&
                    activity.Tags.Any(t => t.Key is "db.statement" or "db.query.text"))
                {
                    Interlocked.Increment(ref count);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var (status, _) = await api.GetJsonAsync(path);
        Assert.Equal(200, status);
        return count;
    }

    [Theory]
    [InlineData("/api/v2/occurrences?limit={0}")]
    [InlineData("/api/v2/trip-occurrences?limit={0}")]
    [InlineData("/api/v2/templates?limit={0}")]
    [InlineData("/api/v2/templates?include_occurrences=true&limit={0}")]
    public async Task Page_size_does_not_change_the_number_of_queries(string template)
    {
        await api.GetJsonAsync(string.Format(template, 1)); // warm the connection pool
        var small = await CommandsForAsync(string.Format(template, 2));
        var large = await CommandsForAsync(string.Format(template, 100));

        Assert.InRange(small, 1, 3);
        Assert.Equal(small, large);
    }
}

/// <summary>A defect inside a search takes the one error path: the endpoint's shape, an error_id, the same id in the log.</summary>
public sealed class SearchDefectTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    /// <summary>A clock that cannot tell the date: the search's first step past the experiments fails, outside the ranking.</summary>
    private sealed class BrokenCalendar : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => throw new InvalidOperationException("secret clock detail");
    }

    [Fact]
    public async Task A_defect_in_a_search_answers_500_in_the_endpoints_shape_with_the_error_id_it_logs()
    {
        var log = new CapturedLog();
        await using var app = DevHostApplication.Build([], builder =>
        {
            builder.WebHost.UseTestServer();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:SmartTripDb"] = api.ConnectionString,
                ["AzureWebJobsStorage"] = TestServices.StorageConnectionString,
                ["DevHost:BackgroundTriggers"] = "false",
            });
            builder.Logging.AddProvider(log);
            builder.Services.AddSingleton<TimeProvider>(new BrokenCalendar());
        });
        await app.StartAsync();

        using var response = await ContractCheckingHandler.Over(app.GetTestServer()).PostAsync("/api/v2/recommendations", new StringContent("""{"budget":9000}"""));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var errorId = body.RootElement.GetProperty("error_id").GetString()!;
        Assert.Matches("^[0-9a-f]{12}$", errorId);
        Assert.Equal(
            $$"""{"success":false,"error":"שגיאה בעיבוד הבקשה. אנא נסה שוב מאוחר יותר.","error_id":"{{errorId}}","api_version":"v2"}""",
            body.RootElement.GetRawText());
        Assert.Contains($"error id {errorId}", log.ToString());
        Assert.DoesNotContain("secret", body.RootElement.GetRawText());
    }
}
