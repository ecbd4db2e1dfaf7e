using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using SmartTrip.Core.Analytics;
using SmartTrip.Core.Validation;
using SmartTrip.Core.Wire;
using SmartTrip.Functions.Http;

namespace SmartTrip.Functions;

/// <summary>Metrics and the evaluation of the personas (api.md §8), behind the function key.</summary>
public sealed class AnalyticsFunctions(
    EvaluationService evaluation, RequestMetrics metrics, EngagementMetricsService engagement, TopLists topLists, TimeProvider clock)
{
    [ApiSummary("Live summary of the request log")]
    [ApiQuery("days", QueryShape.Clamped, "Days back, 1-90; unreadable is 7", Minimum = 1, Maximum = 90, Default = 7)]
    [ApiResponse(200, typeof(ItemBody<MetricsSummary>), "The summary")]
    [Function(nameof(GetMetrics))]
    public async Task<IActionResult> GetMetrics(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "metrics")] HttpRequest req, CancellationToken ct)
    {
        var days = QueryReader.Of(req).Clamped("days");
        var now = clock.GetUtcNow();
        var window = await metrics.ComputeWindowAsync(now.AddDays(-days), now.AddYears(100), ct);
        return Respond.Item(MetricsSummary.From(days, window));
    }

    [ApiSummary("Request metrics per day")]
    [ApiQuery("start", QueryShape.Day, "First day, YYYY-MM-DD (default: 7 days before the end; at most 90 days before it)")]
    [ApiQuery("end", QueryShape.Day, "Last day, YYYY-MM-DD (default: today, UTC)")]
    [ApiResponse(200, typeof(DailyMetricsBody), "One entry per day")]
    [Function(nameof(GetDailyMetrics))]
    public async Task<IActionResult> GetDailyMetrics(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "metrics/daily")] HttpRequest req, CancellationToken ct)
    {
        var (start, end) = DayRange(QueryReader.Of(req));
        return Respond.Ok(new DailyMetricsBody(start, end, await metrics.DaysAsync(start, end, ct)));
    }

    /// <summary>Engagement per day of [start, end] and over the whole range (docs/engagement.md §2), with the days' rules of §8.2.</summary>
    [ApiSummary("Engagement per day and for the range (docs/engagement.md)")]
    [ApiQuery("start", QueryShape.Day, "First day, YYYY-MM-DD (default: 7 days before the end; at most 90 days before it)")]
    [ApiQuery("end", QueryShape.Day, "Last day, YYYY-MM-DD (default: today, UTC)")]
    [ApiResponse(200, typeof(EngagementMetricsBody), "One entry per day and the range total")]
    [Function(nameof(GetEngagementMetrics))]
    public async Task<IActionResult> GetEngagementMetrics(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "metrics/engagement")] HttpRequest req, CancellationToken ct)
    {
        var (start, end) = DayRange(QueryReader.Of(req));
        var days = await engagement.DaysAsync(start, end, ct);
        // The range's end day may be the last day timestamptz holds: the total stops there rather than a day later.
        var to = end == DateOnly.MaxValue ? DateTimeOffset.MaxValue : new MetricsDay(end).To;
        var total = await engagement.ComputeWindowAsync(new MetricsDay(start).From, to, ct, end);
        return Respond.Ok(new EngagementMetricsBody(start, end, days, total));
    }

    /// <summary>The days of <c>start</c> and <c>end</c> (api.md §8.2).</summary>
    private (DateOnly Start, DateOnly End) DayRange(QueryReader q) =>
        q.DayRange("start", "end", DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), defaultDays: 7, maxDays: 90);

    [ApiSummary("Most searched continents and trip types")]
    [ApiQuery("days", QueryShape.Clamped, "Days back, 1-90; unreadable is 7", Minimum = 1, Maximum = 90, Default = 7)]
    [ApiQuery("limit", QueryShape.Clamped, "Entries per list, 1-50; unreadable is 10", Minimum = 1, Maximum = 50, Default = 10)]
    [ApiResponse(200, typeof(ItemBody<TopSearches>), "The lists")]
    [Function(nameof(GetTopSearches))]
    public async Task<IActionResult> GetTopSearches(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "metrics/top-searches")] HttpRequest req, CancellationToken ct)
    {
        var q = QueryReader.Of(req);
        return Respond.Item(await topLists.TopSearchesAsync(q.Clamped("days"), q.Clamped("limit"), ct));
    }

    /// <summary>The trips people act on most (docs/engagement.md §3); <c>by</c> is clicks (default), ctr or contacts.</summary>
    [ApiSummary("The trips travellers act on most")]
    [ApiQuery("days", QueryShape.Clamped, "Days back, 1-90; unreadable is 7", Minimum = 1, Maximum = 90, Default = 7)]
    [ApiQuery("limit", QueryShape.Clamped, "Trips, 1-50; unreadable is 10", Minimum = 1, Maximum = 50, Default = 10)]
    [ApiQuery("by", QueryShape.Choice, "The order: clicks, ctr or contacts", Values = ["clicks", "ctr", "contacts"], Default = "clicks")]
    [ApiResponse(200, typeof(ItemBody<TopTrips>), "The ranked trips")]
    [ApiResponse(400, typeof(ErrorBody), "An unknown by")]
    [Function(nameof(GetTopTrips))]
    public async Task<IActionResult> GetTopTrips(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "metrics/top-trips")] HttpRequest req, CancellationToken ct)
    {
        var q = QueryReader.Of(req);
        var by = q.Choice("by");
        return q.IsValid
            ? Respond.Item(await topLists.TopTripsAsync(q.Clamped("days"), q.Clamped("limit"), TopTripsOrders[by!], ct))
            : Respond.BadRequest(q.Error!);
    }

    private static readonly Dictionary<string, TopTripsOrder> TopTripsOrders = new(StringComparer.Ordinal)
    {
        ["clicks"] = TopTripsOrder.Clicks,
        ["ctr"] = TopTripsOrder.Ctr,
        ["contacts"] = TopTripsOrder.Contacts,
    };

    [ApiSummary("Evaluation personas")]
    [ApiQuery("category", QueryShape.Text, "Only this category")]
    [ApiResponse(200, typeof(ListBody<ScenarioSummary>), "The personas")]
    [ApiResponse(400, typeof(ErrorBody), "A bad parameter")]
    [Function(nameof(GetEvaluationScenarios))]
    public async Task<IActionResult> GetEvaluationScenarios(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "evaluation/scenarios")] HttpRequest req, CancellationToken ct)
    {
        var q = QueryReader.Of(req);
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
