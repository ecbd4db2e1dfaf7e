using System.Diagnostics.Metrics;

namespace SmartTrip.Core.Telemetry;

/// <summary>
/// The app's own metrics (System.Diagnostics.Metrics, meter <c>SmartTrip</c>; names under <c>smarttrip.</c>, listed in
/// docs/observability.md). One instance per host: exporters (OpenTelemetry) and tests (a <see cref="MeterListener"/>) read them.
/// </summary>
public sealed class SmartTripMetrics : IDisposable
{
    public const string MeterName = "SmartTrip";

    private readonly Counter<long> _accepted;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _stored;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _poisoned;
    private readonly Histogram<double> _drainLag;
    private readonly Histogram<double> _recommendationDuration;
    private readonly Counter<long> _emptyResults;
    private readonly Counter<long> _catalogReloads;

    public SmartTripMetrics()
    {
        Meter = new Meter(MeterName);
        _accepted = Meter.CreateCounter<long>("smarttrip.events.accepted", "{event}", "Events accepted by the HTTP functions and put on the queue.");
        _refused = Meter.CreateCounter<long>("smarttrip.events.refused", "{event}", "Events refused by validation (400 or a batch's per-index error).");
        _stored = Meter.CreateCounter<long>("smarttrip.events.stored", "{event}", "Events the drain stored for the first time.");
        _duplicates = Meter.CreateCounter<long>("smarttrip.events.duplicates", "{event}", "Events the drain found stored already (a redelivery or a client retry).");
        _deadLettered = Meter.CreateCounter<long>("smarttrip.events.dead_lettered", "{event}", "Events the database refused for their data, kept in event_dead_letters.");
        _retried = Meter.CreateCounter<long>("smarttrip.queue.messages_retried", "{message}", "Queue messages delivered more than once.");
        _poisoned = Meter.CreateCounter<long>("smarttrip.queue.messages_poisoned", "{message}", "Event messages set aside on the poison queue, by reason (not_envelope, failed_every_try).");
        _drainLag = Meter.CreateHistogram<double>("smarttrip.drain.lag", "s", "From the events' acceptance to their message being drained.");
        _recommendationDuration = Meter.CreateHistogram<double>("smarttrip.recommendations.duration", "ms", "Time to answer a search, by tier (primary, relaxed, empty).");
        _emptyResults = Meter.CreateCounter<long>("smarttrip.recommendations.empty", "{search}", "Searches that found nothing.");
        _catalogReloads = Meter.CreateCounter<long>("smarttrip.catalog.reloads", "{reload}", "Times the in-memory catalogue was loaded from the database.");
    }

    public Meter Meter { get; }

    public void EventsAccepted(int count) => _accepted.Add(count);

    public void EventsRefused(int count) => _refused.Add(count);

    /// <summary>What the drain did with one message.</summary>
    public void Drained(int events, int stored, int deadLettered, TimeSpan lag, long dequeueCount)
    {
        _stored.Add(stored);
        _deadLettered.Add(deadLettered);
        _duplicates.Add(events - stored - deadLettered);
        _drainLag.Record(Math.Max(0, lag.TotalSeconds));
        if (dequeueCount > 1)
        {
            _retried.Add(1);
        }
    }

    /// <summary>An event message that goes to the poison queue: not an envelope, or failed on its last delivery.</summary>
    public void MessagePoisoned(string reason) => _poisoned.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Searched(double milliseconds, int primary, int relaxed)
    {
        var tier = primary + relaxed == 0 ? "empty" : relaxed > 0 ? "relaxed" : "primary";
        _recommendationDuration.Record(milliseconds, new KeyValuePair<string, object?>("tier", tier));
        if (tier == "empty")
        {
            _emptyResults.Add(1);
        }
    }

    public void CatalogReloaded() => _catalogReloads.Add(1);

    /// <summary>The request log's rows waiting for the database, read when a listener collects.</summary>
    public void ObserveRequestLogDepth(Func<int> depth) =>
        Meter.CreateObservableGauge("smarttrip.request_log.buffered", depth, "{row}", "Search-log rows waiting for the database.");

    public void Dispose() => Meter.Dispose();
}
