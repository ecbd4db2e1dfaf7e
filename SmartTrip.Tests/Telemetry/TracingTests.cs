using System.Collections.Concurrent;
using System.Diagnostics;
using SmartTrip.Core.Telemetry;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Telemetry;

/// <summary>
/// The drain's span is linked to the HTTP request that accepted the events, through the envelope; each timer run is a
/// span with its figures and its database work under it.
/// </summary>
[Collection(EventPipelineCollection.Name)]
public sealed class TracingTests(EventsFixture api)
{
    [SkippableFact]
    public async Task The_drain_span_of_an_accepted_event_links_to_the_request_that_accepted_it()
    {
        api.SkipOnExternalHost("the listener sees the in-process host's activities");
        var finished = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true, // the host's request activities too, so the request joins the caller's trace
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = finished.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var trace = ActivityTraceId.CreateRandom();
        var caller = $"00-{trace}-{ActivitySpanId.CreateRandom()}-01";
        var session = Guid.NewGuid();

        var (status, _) = await api.PostJsonAsync("/api/events",
            $$"""{"event_type":"page_view","session_id":"{{session}}","anonymous_id":"{{Guid.NewGuid()}}"}""",
            new Dictionary<string, string> { ["traceparent"] = caller });
        await api.WaitUntilAsync("SELECT count(*) = 1 FROM events WHERE session_id = @session", new { session });
        Activity? drained = null;
        var deadline = DateTime.UtcNow.AddSeconds(30); // wide: a loaded CI machine
        while (drained is null && DateTime.UtcNow < deadline)
        {
            drained = finished.FirstOrDefault(a => a.Source.Name == SmartTripTracing.SourceName && a.Links.Any(l => l.Context.TraceId == trace));
            await Task.Delay(50); // the span ends just after the transaction that stored the event
        }

        Assert.Equal(202, status);
        Assert.NotNull(drained);
        Assert.Equal(("EventsDrain", ActivityKind.Consumer), (drained.OperationName, drained.Kind));
        Assert.Equal(1, drained.GetTagItem("smarttrip.events"));
        Assert.Equal(1, drained.GetTagItem("smarttrip.events.stored"));
        Assert.InRange(Assert.IsType<double>(drained.GetTagItem("smarttrip.drain.lag")), 0, 60); // the drain-lag alert reads it
        // The link points at the request's own span inside the caller's trace, not at the caller's span.
        var link = Assert.Single(drained.Links);
        Assert.NotEqual(caller.Split('-')[2], link.Context.SpanId.ToString());
    }

    [SkippableFact]
    public async Task Each_timer_run_is_a_span_with_its_figures_and_its_database_work_under_it()
    {
        api.SkipOnExternalHost("the listener sees the in-process host's activities");
        var finished = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is SmartTripTracing.SourceName or "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = finished.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        foreach (var timer in new[] { "CloseIdleSessions", "DailyMetrics" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/admin/functions/{timer}")
            {
                Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("x-functions-key", SmartTrip.DevHost.FunctionKeyPolicy.DefaultMasterKey);
            using var response = await api.Client.SendAsync(request);
            Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        }

        Activity? Run(string name) => finished.FirstOrDefault(a => a.Source.Name == SmartTripTracing.SourceName && a.OperationName == name);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((Run("CloseIdleSessions") is null || Run("DailyMetrics") is null) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var sessions = Assert.IsType<Activity>(Run("CloseIdleSessions"));
        var metrics = Assert.IsType<Activity>(Run("DailyMetrics"));
        Assert.IsType<int>(sessions.GetTagItem("smarttrip.sessions.closed"));
        Assert.InRange(Assert.IsType<int>(metrics.GetTagItem("smarttrip.metrics.days")), 1, 400);
        Assert.Equal((ActivityStatusCode.Unset, ActivityStatusCode.Unset), (sessions.Status, metrics.Status));
        Assert.Contains(finished, a => a.Source.Name == "Npgsql" && a.TraceId == metrics.TraceId && a.ParentSpanId != default);
    }
}
