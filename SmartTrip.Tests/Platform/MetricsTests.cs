using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using SmartTrip.Core.Platform;
using SmartTrip.Tests.Integration;
using SmartTrip.Tests.Tracking;

namespace SmartTrip.Tests.Platform;

/// <summary>
/// The app's metrics (meter SmartTrip) read by an in-memory listener on the development host: what the pipeline counts
/// equals what was sent and stored.
/// </summary>
[Collection(EventPipelineCollection.Name)]
public sealed class MetricsTests(EventsFixture api)
{
    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _listener = new();

        public Recorder(Meter meter)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument.Name, value, tags));
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument.Name, value, tags));
            _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument.Name, value, tags));
            _listener.Start();
        }

        public ConcurrentQueue<(string Name, double Value, string? Tier)> Measurements { get; } = new();

        public double Sum(string name) => Measurements.Where(m => m.Name == name).Sum(m => m.Value);

        public void Collect() => _listener.RecordObservableInstruments();

        public void Dispose() => _listener.Dispose();

        private void Add(string name, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? tier = null;
            foreach (var tag in tags)
            {
                tier = tag.Key == "tier" ? tag.Value as string : tier;
            }

            Measurements.Enqueue((name, value, tier));
        }
    }

    [SkippableFact]
    public async Task Accepted_refused_stored_and_duplicate_events_and_searches_by_tier_are_counted_as_they_happen()
    {
        api.SkipOnExternalHost("the listener reads the in-process host's meter");
        using var recorder = new Recorder(api.Services.GetRequiredService<SmartTripMetrics>().Meter);
        var (session, browser) = (Guid.NewGuid(), Guid.NewGuid());
        var ids = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToList();
        var events = string.Join(",", ids.Select(id =>
            $$"""{"event_id":"{{id}}","event_type":"page_view","session_id":"{{session}}","anonymous_id":"{{browser}}"}"""));

        var (first, _) = await api.PostJsonAsync("/api/events/batch", $$"""{"events":[{{events}},{"event_type":"bogus","session_id":"{{session}}","anonymous_id":"{{browser}}"}]}""");
        await api.WaitUntilAsync("SELECT count(*) = 5 FROM events WHERE session_id = @session", new { session });
        var (again, _) = await api.PostJsonAsync("/api/events/batch", $$"""{"events":[{{events}}]}""");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (recorder.Sum("smarttrip.events.duplicates") < 5 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100); // the second message is drained in the background: wait for what proves it
        }

        await api.PostJsonAsync("/api/v2/recommendations", """{"selected_continents":["Africa"]}""");
        await api.PostJsonAsync("/api/v2/recommendations", """{"selected_countries":[424242]}""");
        recorder.Collect();

        Assert.Equal((202, 202), (first, again));
        Assert.Equal(10, recorder.Sum("smarttrip.events.accepted"));
        Assert.Equal(1, recorder.Sum("smarttrip.events.refused"));
        Assert.Equal(5, recorder.Sum("smarttrip.events.stored"));
        Assert.Equal(5, recorder.Sum("smarttrip.events.duplicates"));
        Assert.Equal(0, recorder.Sum("smarttrip.events.dead_lettered"));
        var lags = recorder.Measurements.Where(m => m.Name == "smarttrip.drain.lag").ToList();
        Assert.Equal(2, lags.Count);
        Expect.All(lags, 2, lag => Assert.InRange(lag.Value, 0, 60));
        Assert.Equal(
            ["empty", "primary"],
            recorder.Measurements.Where(m => m.Name == "smarttrip.recommendations.duration").Select(m => m.Tier!).Order());
        Assert.Equal(1, recorder.Sum("smarttrip.recommendations.empty"));
        Assert.Contains(recorder.Measurements, m => m.Name == "smarttrip.request_log.buffered" && m.Value == 0);
    }
}
