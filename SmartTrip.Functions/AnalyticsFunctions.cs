using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using SmartTrip.Core.Analytics;
using SmartTrip.Core.Json;
using SmartTrip.Core.Validation;
using SmartTrip.Core.Wire;
using SmartTrip.Functions.Http;

namespace SmartTrip.Functions;

/// <summary>Metrics and the evaluation of the personas (api.md §8), behind the function key.</summary>
public sealed class AnalyticsFunctions(
    EvaluationService evaluation, RequestMetrics metrics, EngagementMetricsService engagement, TopLists topLists, TimeProvider clock)
{
    [ApiSummary("Live summary of the request log")]
    [ApiQuery("days", typeof(int), "Days back, 1–90 (default 7)")]
    [ApiResponse(200, typeof(ItemBody<MetricsSummary>), "The summary")]
    [Function(nameof(GetMetrics))]
    public async Task<IActionResult> GetMetrics(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "metrics")] HttpRequest req, CancellationToken ct)
    {
        var days = Lenient(req, "days", 7, 1, 90);
        var now = clock.GetUtcNow();
        var window = await metrics.ComputeWindowAsync(now.AddDays(-days), now.AddYears(100), ct);
        return Respond.Item(MetricsSummary.From(days, window));
    }

    [ApiSummary("Request metrics per day")]
    [ApiQuery("start", typeof(string), "First day, YYYY-MM-DD")]
    [ApiQuery("end", typeof(string), "Last day, YYYY-MM-DD")]
    [ApiResponse(200, typeof(DailyMetricsBody), "One entry per day")]
    [Function(nameof(GetDailyMetrics))]
    public async Task<IActionResult> GetDailyMetrics(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "metrics/daily")] HttpRequest req, CancellationToken ct)
    {
        var (start, end) = DayRange(req);
        return Respond.Ok(new DailyMetricsBody(start, end, await metrics.DaysAsync(start, end, ct)));
    }

    /// <summary>Engagement per day of [start, end] and over the whole range (docs/engagement.md §2), with the days' rules of §8.2.</summary>
    [ApiSummary("Engagement per day and for the range (docs/engagement.md)")]
    [ApiQuery("start", typeof(string), "First day, YYYY-MM-DD")]
    [ApiQuery("end", typeof(string), "Last day, YYYY-MM-DD")]
    [ApiResponse(200, typeof(EngagementMetricsBody), "One entry per day and the range total")]
    [Function(nameof(GetEngagementMetrics))]
    public async Task<IActionResult> GetEngagementMetrics(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "metrics/engagement")] HttpRequest req, CancellationToken ct)
    {
        var (start, end) = DayRange(req);
        var days = await engagement.DaysAsync(start, end, ct);
        // The range's end day may be the last day timestamptz holds: the total stops there rather than a day later.
        var to = end == DateOnly.MaxValue ? DateTimeOffset.MaxValue : new MetricsDay(end).To;
        var total = await engagement.ComputeWindowAsync(new MetricsDay(start).From, to, ct, end);
        return Respond.Ok(new EngagementMetricsBody(start, end, days, total));
    }

    /// <summary>
    /// The range of <c>start</c> and <c>end</c> (api.md §8.2): YYYY-MM-DD, anything else takes the default (end today,
    /// start 7 days before end); a range longer than 90 days keeps its end.
    /// </summary>
    private (DateOnly Start, DateOnly End) DayRange(HttpRequest req)
    {
        DateOnly? Day(string name) =>
            DateOnly.TryParseExact(req.Query[name].FirstOrDefault(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
                ? day : null;
        // Day arithmetic stays within DateOnly's range: 0001-01-01 has no day before it.
        static DateOnly DaysBefore(DateOnly day, int days) => DateOnly.FromDayNumber(Math.Max(0, day.DayNumber - days));
        var end = Day("end") ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var start = Day("start") ?? DaysBefore(end, 7);
        if (end.DayNumber - start.DayNumber > 90)
        {
            start = DaysBefore(end, 90);
        }

        return (start, end);
    }

    [ApiSummary("Most searched continents and trip types")]
    [ApiQuery("days", typeof(int), "Days back, 1–90 (default 7)")]
    [ApiQuery("limit", typeof(int), "Entries per list, 1–50 (default 10)")]
    [ApiResponse(200, typeof(ItemBody<TopSearches>), "The lists")]
    [Function(nameof(GetTopSearches))]
    public async Task<IActionResult> GetTopSearches(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "metrics/top-searches")] HttpRequest req, CancellationToken ct) =>
        Respond.Item(await topLists.TopSearchesAsync(Lenient(req, "days", 7, 1, 90), Lenient(req, "limit", 10, 1, 50), ct));

    /// <summary>The trips people act on most (docs/engagement.md §3); <c>by</c> is clicks (default), ctr or contacts.</summary>
    [ApiSummary("The trips travellers act on most")]
    [ApiQuery("days", typeof(int), "Days back, 1–90 (default 7)")]
    [ApiQuery("limit", typeof(int), "Trips, 1–50 (default 10)")]
    [ApiQuery("by", typeof(string), "clicks (default), ctr or contacts")]
    [ApiResponse(200, typeof(ItemBody<TopTrips>), "The ranked trips")]
    [ApiResponse(400, typeof(ErrorBody), "An unknown by")]
    [Function(nameof(GetTopTrips))]
    public async Task<IActionResult> GetTopTrips(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "metrics/top-trips")] HttpRequest req, CancellationToken ct)
    {
        var by = req.Query["by"].FirstOrDefault();
        TopTripsOrder order;
        if (string.IsNullOrEmpty(by))
        {
            order = TopTripsOrder.Clicks;
        }
        else if (!TopTripsOrders.TryGetValue(by, out order))
        {
            return Respond.BadRequest($"Invalid by: {by}. Valid values: {string.Join(", ", TopTripsOrders.Keys.Order(StringComparer.Ordinal))}");
        }

        return Respond.Item(await topLists.TopTripsAsync(Lenient(req, "days", 7, 1, 90), Lenient(req, "limit", 10, 1, 50), order, ct));
    }

    private static readonly Dictionary<string, TopTripsOrder> TopTripsOrders = new(StringComparer.Ordinal)
    {
        ["clicks"] = TopTripsOrder.Clicks,
        ["ctr"] = TopTripsOrder.Ctr,
        ["contacts"] = TopTripsOrder.Contacts,
    };

    /// <summary>An integer parameter that falls back to its default when unparseable, then is clamped (api.md §8).</summary>
    private static int Lenient(HttpRequest req, string name, int fallback, int min, int max) =>
        Math.Clamp(int.TryParse(req.Query[name].FirstOrDefault(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : fallback, min, max);

    [ApiSummary("Evaluation personas")]
    [ApiQuery("category", typeof(string), "Only this category")]
    [ApiResponse(200, typeof(ListBody<ScenarioSummary>), "The personas")]
    [ApiResponse(400, typeof(ErrorBody), "A bad parameter")]
    [Function(nameof(GetEvaluationScenarios))]
    public async Task<IActionResult> GetEvaluationScenarios(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "evaluation/scenarios")] HttpRequest req, CancellationToken ct)
    {
        var q = new QueryReader(req.Query);
        var category = q.String("category");
        return q.IsValid ? Respond.List(await evaluation.ListAsync(category, ct)) : Respond.BadRequest(q.Error!);
    }

    [ApiSummary("Run the evaluation personas through the engine")]
    [ApiRequestBody(typeof(EvaluationRunBody), "Optional filters")]
    [ApiResponse(200, typeof(EvaluationReport), "The report")]
    [ApiResponse(400, typeof(ErrorBody), "scenario_ids must contain integers")]
    [Function(nameof(RunEvaluation))]
    public async Task<IActionResult> RunEvaluation(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "evaluation/run")] HttpRequest req, CancellationToken ct)
    {
        if (await RequestBody.ReadAsync(req, ct) is not { } bytes)
        {
            return ApiErrors.TooLarge(ErrorShape.Standard);
        }

        // api.md §8.4: a body that is not a JSON object is no filter.
        var (root, error) = JsonBody.Parse(bytes, ct);
        if (error == ErrorMessages.TooManyValues)
        {
            return Respond.BadRequest(error);
        }

        JsonElement? body = error is null ? root : null;
        if (body is { } parsed && RequestBody.RefuseUnstorableText(parsed, ct) is { } refused)
        {
            return refused;
        }

        var category = body is { } b && b.TryGetProperty("category", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        if (!TryScenarioIds(body, out var ids))
        {
            return Respond.BadRequest("scenario_ids must contain integers");
        }

        return Respond.Ok(await evaluation.RunAsync(category, ids, ct));
    }

    /// <summary>
    /// <c>scenario_ids</c>: not an array → ignored; integers and digit strings are used, other non-strings ignored,
    /// a non-numeric string is an error.
    /// </summary>
    private static bool TryScenarioIds(JsonElement? body, out List<int> ids)
    {
        ids = [];
        if (body is not { } b || !b.TryGetProperty("scenario_ids", out var value) || value.ValueKind != JsonValueKind.Array)
        {
            return true;
        }

        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Number && Core.Json.JsonIntegers.TryGet(item, out var id))
            {
                ids.Add(id);
            }
            else if (item.ValueKind == JsonValueKind.String)
            {
                if (!int.TryParse(item.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                {
                    return false;
                }

                ids.Add(parsed);
            }
        }

        return true;
    }
}
