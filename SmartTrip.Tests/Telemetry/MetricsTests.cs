using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;
using Npgsql;
using SmartTrip.Core.Hosting;
using SmartTrip.Core.Telemetry;
using SmartTrip.Core.Tracking;
using SmartTrip.Functions;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Telemetry;

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

        public ConcurrentQueue<(string Name, double Value, string? Tag)> Measurements { get; } = new();

        public double Sum(string name) => Measurements.Where(m => m.Name == name).Sum(m => m.Value);

        public void Collect() => _listener.RecordObservableInstruments();

        public void Dispose() => _listener.Dispose();

        private void Add(string name, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? tagValue = null; // the instrument's one tag: tier or reason
            foreach (var tag in tags)
            {
                tagValue = tag.Key is "tier" or "reason" ? tag.Value as string : tagValue;
            }

            Measurements.Enqueue((name, value, tagValue));
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
            recorder.Measurements.Where(m => m.Name == "smarttrip.recommendations.duration").Select(m => m.Tag!).Order());
        Assert.Equal(1, recorder.Sum("smarttrip.recommendations.empty"));
        Assert.Contains(recorder.Measurements, m => m.Name == "smarttrip.request_log.buffered" && m.Value == 0);
    }

    [SkippableFact]
    public async Task A_message_that_is_not_an_envelope_is_counted_as_poisoned()
    {
        api.SkipOnExternalHost("the listener reads the in-process host's meter");
        await EventsFixture.ClearQueuesAsync();
        using var recorder = new Recorder(api.Services.GetRequiredService<SmartTripMetrics>().Meter);

        await api.Queue(QueueNames.Events).SendMessageAsync("not an envelope");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (recorder.Sum("smarttrip.queue.messages_poisoned") < 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(("not_envelope", 1d), recorder.Measurements.Where(m => m.Name == "smarttrip.queue.messages_poisoned")
            .Select(m => (m.Tag, m.Value)).Single());
        await EventsFixture.ClearQueuesAsync();
    }

    [Theory]
    [InlineData(4, 0)]
    [InlineData(5, 1)]
    public async Task A_message_that_fails_its_last_delivery_is_counted_as_poisoned_and_earlier_failures_are_not(long delivery, int poisoned)
    {
        using var metrics = new SmartTripMetrics();
        using var recorder = new Recorder(metrics.Meter);
        // A database nobody listens on: the drain fails as it does during an outage.
        await using var unreachable = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none;Timeout=2");
        var processor = new EventsQueueProcessor(
            new EventsDrainService(unreachable, TimeProvider.System), Mock.Of<IQueueClientFactory>(), metrics, TimeProvider.System,
            Options.Create(new TrackingOptions()), NullLogger<EventsQueueProcessor>.Instance);
        var message = System.Text.Encoding.UTF8.GetString(EventEnvelope.Pack(DateTimeOffset.UtcNow, null,
        [
            EventValidator.Validate(System.Text.Json.JsonDocument.Parse(
                """{"event_type":"page_view","session_id":"7d9c3a52-1b7e-4f0a-9a55-2f6c1d0e8b31","anonymous_id":"c2a6f0d4-98e1-4b3a-a7f5-0e4d1c2b3a59"}""").RootElement, 0).Event!,
        ]).Single());

        await Assert.ThrowsAnyAsync<NpgsqlException>(() => processor.EventsDrain(message, "m-1", delivery, CancellationToken.None));

        Assert.Equal(poisoned, recorder.Sum("smarttrip.queue.messages_poisoned"));
        Assert.All(recorder.Measurements.Where(m => m.Name == "smarttrip.queue.messages_poisoned"), m => Assert.Equal("failed_every_try", m.Tag));
    }

    [Fact]
    public void The_last_delivery_is_host_json_s_max_dequeue_count_unless_an_app_setting_overrides_it()
    {
        using var hostJson = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(TestServices.RepositoryRoot, "host.json")));
        var configured = hostJson.RootElement.GetProperty("extensions").GetProperty("queues").GetProperty("maxDequeueCount").GetInt32();
        TrackingOptions Resolve(params (string Key, string Value)[] settings) => new ServiceCollection().AddLogging()
            .AddSmartTrip(new ConfigurationBuilder()
                .AddInMemoryCollection(settings.ToDictionary(s => s.Key, s => (string?)s.Value)).Build())
            .BuildServiceProvider().GetRequiredService<IOptions<TrackingOptions>>().Value;

        Assert.Equal(configured, new TrackingOptions().MaxDequeueCount);
        Assert.Equal(configured, Resolve().MaxDequeueCount);
        Assert.Equal(8, Resolve((TrackingOptions.MaxDequeueCountKey, "8")).MaxDequeueCount);
    }
}
