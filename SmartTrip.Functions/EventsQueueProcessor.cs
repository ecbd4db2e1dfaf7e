using System.Diagnostics;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using SmartTrip.Core.Hosting;
using SmartTrip.Core.Telemetry;
using SmartTrip.Core.Tracking;

namespace SmartTrip.Functions;

/// <summary>
/// EventsDrain (events.md §4): one message, one transaction. Events the database refuses for their data are kept in
/// <c>event_dead_letters</c> and the others stored; other failures throw, so the host retries the message and moves it
/// to <c>events-poison</c> after host.json's <c>maxDequeueCount</c>; a message that is not an envelope is moved there at
/// once, since retrying cannot help it.
/// </summary>
public sealed class EventsQueueProcessor(
    EventsDrainService drain, IQueueClientFactory queues, SmartTripMetrics metrics, TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<TrackingOptions> tracking, ILogger<EventsQueueProcessor> logger)
{
    [Function(nameof(EventsDrain))]
    public async Task EventsDrain([QueueTrigger(QueueNames.Events)] string message, string id, long dequeueCount, CancellationToken ct)
    {
        if (EventEnvelope.TryRead(message) is not { } envelope)
        {
            logger.LogError("Message {MessageId} on {Queue} is not an event envelope (delivery {DequeueCount}); moving it to {PoisonQueue}",
                id, QueueNames.Events, dequeueCount, QueueNames.EventsPoison);
            await queues.GetQueue(QueueNames.EventsPoison).SendMessageAsync(message, ct);
            metrics.MessagePoisoned("not_envelope");
            return;
        }

        // One span per message, linked to the request that accepted its events (the trace context the envelope carries).
        ActivityLink[] links = ActivityContext.TryParse(envelope.TraceParent, null, out var origin) ? [new ActivityLink(origin)] : [];
        using var activity = SmartTripTracing.Source.StartActivity("EventsDrain", ActivityKind.Consumer, default(ActivityContext), links: links);
        activity?.SetTag("messaging.message.id", id);
        activity?.SetTag("smarttrip.events", envelope.Events.Count);
        var lag = clock.GetUtcNow() - envelope.ReceivedAt;
        activity?.SetTag("smarttrip.drain.lag", Math.Round(Math.Max(0, lag.TotalSeconds), 3));
        DrainResult result;
        try
        {
            result = await drain.DrainAsync(envelope, ct);
        }
        catch (Exception exception) when (dequeueCount >= tracking.Value.MaxDequeueCount && !ct.IsCancellationRequested)
        {
            // The host moves the message to the poison queue after this delivery: say so where operators look.
            metrics.MessagePoisoned("failed_every_try");
            logger.LogError(exception, "Message {MessageId} failed its last delivery ({DequeueCount}); the host moves it to {PoisonQueue}",
                id, dequeueCount, QueueNames.EventsPoison);
            throw;
        }

        activity?.SetTag("smarttrip.events.stored", result.Inserted);
        activity?.SetTag("smarttrip.events.dead_lettered", result.DeadLettered);
        metrics.Drained(result.Events, result.Inserted, result.DeadLettered, lag, dequeueCount);
        if (result.DeadLettered > 0)
        {
            logger.LogWarning(
                "Drained a message of {EventCount} events: {InsertedCount} stored, {DeadLetteredCount} refused for their data and kept in event_dead_letters",
                result.Events, result.Inserted, result.DeadLettered);
        }
        else
        {
            logger.LogDebug("Drained {EventCount} events, {InsertedCount} new", result.Events, result.Inserted);
        }
    }
}
