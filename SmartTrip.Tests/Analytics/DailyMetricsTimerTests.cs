using System.Net;
using System.Text;
using System.Text.Json;
using Cronos;
using Dapper;
using SmartTrip.DevHost;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Analytics;

/// <summary>The DailyMetrics timer function as the host runs it (through the admin API), and its schedule.</summary>
[Collection(EventPipelineCollection.Name)]
public sealed class DailyMetricsTimerTests(EventsFixture api)
{
    [Fact]
    public async Task The_timer_function_stores_yesterday_and_catches_up_the_week()
    {
        var today = DateOnly.FromDateTime(api.Clock.GetUtcNow().UtcDateTime);
        var yesterday = today.AddDays(-1).ToDateTime(TimeOnly.MinValue);
        await using var db = api.Database();
        await db.ExecuteAsync("DELETE FROM recommendation_requests; DELETE FROM recommendation_metrics_daily;");
        await RequestLogRows.InsertAsync(db, yesterday.AddHours(9), 120, 90, 8, "timer-a");
        await RequestLogRows.InsertAsync(db, yesterday.AddHours(10), 80, 40, 0, "timer-b", relaxed: true);
        await RequestLogRows.InsertAsync(db, yesterday.AddDays(1).AddMinutes(1), 999, 99, 9, "today"); // not yesterday's

        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/functions/DailyMetrics")
        {
            Content = new StringContent("""{"input":""}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(FunctionKeyPolicy.HeaderName, FunctionKeyPolicy.DefaultMasterKey);
        using var response = await api.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        // The Functions host answers at once and runs the function after; the run stores the oldest missing day first.
        await api.WaitUntilAsync("SELECT count(*) = 7 FROM recommendation_metrics_daily");
        var row = await db.QuerySingleAsync<(int Total, int Sessions, decimal Avg, int P50, decimal Top, decimal Relaxed, decimal Empty)>(
            """
            SELECT total_requests, unique_sessions, avg_response_time_ms, p50_response_time_ms, avg_top_score,
                   relaxed_trigger_rate, no_results_rate
              FROM recommendation_metrics_daily WHERE date = @yesterday
            """, new { yesterday });
        // n = 2: mean and median of 120 and 80 are 100; top scores 90 and 40 average 65; one of two relaxed, one empty.
        Assert.Equal((2, 2, 100.00m, 100, 65.00m, 0.5000m, 0.5000m), row);
        Assert.Equal(
            Enumerable.Range(1, 7).Select(d => today.AddDays(-d).ToDateTime(TimeOnly.MinValue)).Order(),
            (await db.QueryAsync<DateTime>("SELECT date FROM recommendation_metrics_daily")).Order());
    }
}

/// <summary>When the timers run: the sample settings and the Azure parameters give the documented schedules.</summary>
[Trait("Category", "Unit")]
public sealed class TimerScheduleTests
{
    private static string Setting(string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(TestServices.RepositoryRoot, "local.settings.sample.json")))
            .RootElement.GetProperty("Values").GetProperty(name).GetString()!;

    private static string BicepDefault(string parameter)
    {
        var bicep = File.ReadAllText(Path.Combine(TestServices.RepositoryRoot, "infra", "main.bicep"));
        var line = bicep.Split('\n').Single(l => l.StartsWith($"param {parameter} string = ", StringComparison.Ordinal));
        return line[(line.IndexOf('\'', StringComparison.Ordinal) + 1)..line.LastIndexOf('\'')];
    }

    private static IEnumerable<DateTime> Runs(string schedule, DateTime from, int count)
    {
        var cron = CronExpression.Parse(schedule, CronFormat.IncludeSeconds);
        var at = from;
        for (var i = 0; i < count; i++)
        {
            at = cron.GetNextOccurrence(at, TimeZoneInfo.Utc)!.Value;
            yield return at;
        }
    }

    [Theory]
    [InlineData("DailyMetricsSchedule", "dailyMetricsSchedule", "2026-11-24T23:00:00Z", "2026-11-25T00:15:00Z 2026-11-26T00:15:00Z")]
    [InlineData("CloseIdleSessionsSchedule", "closeIdleSessionsSchedule", "2026-11-25T10:07:30Z",
        "2026-11-25T10:15:00Z 2026-11-25T10:30:00Z 2026-11-25T10:45:00Z")]
    [InlineData("PartitionMaintenanceSchedule", "partitionMaintenanceSchedule", "2026-11-24T23:00:00Z", "2026-11-25T00:30:00Z 2026-11-26T00:30:00Z")]
    public void Each_timer_runs_at_its_documented_times_in_the_sample_and_in_azure(string setting, string parameter, string from, string runs)
    {
        var schedule = Setting(setting);
        var expected = runs.Split(' ').Select(r => DateTime.Parse(r, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal)).ToList();

        Assert.Equal(schedule, BicepDefault(parameter));
        Assert.Equal(expected, Runs(schedule, DateTime.Parse(from, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal), expected.Count));
    }
}
