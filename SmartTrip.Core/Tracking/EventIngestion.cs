using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using SmartTrip.Core.Hosting;

namespace SmartTrip.Core.Tracking;

/// <summary>
/// The queue could not take the events. <see cref="Sent"/> of them (the first ones, in order) were already on the queue
/// when it failed; the others were not.
/// </summary>
public sealed class EventQueueUnavailableException(Exception inner, int sent = 0) : Exception("The events queue is unavailable.", inner)
{
    public int Sent { get; } = sent;
}

public sealed record BatchItemError(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("error")] string Error);

/// <summary>The outcome of a batch: how many events were accepted and why the others were not.</summary>
public sealed record BatchOutcome(int Processed, int Total, IReadOnlyList<BatchItemError> Errors);

/// <summary>
/// The synchronous half of event tracking: validate, normalise and enqueue accepted events as versioned envelopes
/// (D16), many events per message.
/// </summary>
public sealed class EventIngestion(IQueueClientFactory queues, TimeProvider clock, Telemetry.SmartTripMetrics? metrics = null)
{
    public const int MaxBatch = 100;

    /// <summary>
    /// The most bytes of event text (metadata and URLs, UTF-8) one batch may make the service store; the events past it
    /// are refused by index, to be sent again. Browsers cap a beacon or keep-alive request at 64 KiB, so the frontend's
    /// batches stay far below; a fetch client may send four times that.
    /// </summary>
    public const int MaxBatchBytes = 256 * 1024;

    /// <summary>The per-index error of an event past <see cref="MaxBatchBytes"/>.</summary>
    public const string BatchTooLarge = "Batch over 262144 bytes of event text: this event was not accepted. Send it again in another batch.";

    /// <summary>The per-index error of an event whose browser differs from the batch's first accepted event's.</summary>
    public const string OtherBrowser = "Invalid anonymous_id: every event of a batch must carry the anonymous_id of its first event";

    /// <summary>
    /// The shape of an <c>events/batch</c> body (events.md §2.3): its <c>events</c> array, or the 400 message when it is
    /// missing, empty or longer than <see cref="MaxBatch"/>.
    /// </summary>
    public static (JsonElement Events, string? Error) BatchEvents(JsonElement body)
    {
        if (!body.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Array || events.GetArrayLength() == 0)
        {
            return (default, "No events provided");
        }

        return events.GetArrayLength() > MaxBatch ? (default, $"Maximum {MaxBatch} events per batch") : (events, null);
    }

    /// <summary>
    /// Every item of a batch checked in order: the accepted events, and the others by index. Linear in the batch's bytes;
    /// stops with <see cref="OperationCanceledException"/> when the caller goes away.
    /// </summary>
    public static (List<TrackedEvent> Accepted, List<BatchItemError> Errors) ValidateBatch(JsonElement events, CancellationToken ct)
    {
        var accepted = new List<TrackedEvent>();
        var errors = new List<BatchItemError>();
        var index = 0;
        var bytes = 0;
        foreach (var item in events.EnumerateArray())
        {
            var (tracked, error) = EventValidator.Validate(item, index, ct);
            if (tracked is not null && accepted.Count > 0 && tracked.AnonymousId != accepted[0].AnonymousId)
            {
                // One browser sends a batch: a batch cannot create a user row per event (decision 0009).
                errors.Add(new BatchItemError(index, OtherBrowser));
            }
            else if (tracked is not null && bytes + tracked.StoredBytes > MaxBatchBytes)
            {
                errors.Add(new BatchItemError(index, BatchTooLarge));
            }
            else if (tracked is not null)
            {
                bytes += tracked.StoredBytes;
                accepted.Add(tracked);
            }
            else
            {
                errors.Add(new BatchItemError(index, error!.Message));
            }

            index++;
        }

        return (accepted, errors);
    }

    /// <summary>Validates every item; enqueues the accepted ones (in order) and reports the others by index.</summary>
    public async Task<BatchOutcome> AcceptBatchAsync(JsonElement events, VerifiedIdentity? identity, CancellationToken ct)
    {
        var (accepted, errors) = ValidateBatch(events, ct);
        var total = accepted.Count + errors.Count;
        metrics?.EventsRefused(errors.Count);
        try
        {
            await EnqueueAsync(accepted, identity, ct);
        }
        catch (EventQueueUnavailableException unavailable) when (unavailable.Sent > 0)
        {
            // Part of the batch is on the queue and will be stored: accept it, and report each event that is not, so
            // that the client resends those only (a whole-batch retry would count the sent ones again when they carry
            // no event_id).
            errors.AddRange(accepted.Skip(unavailable.Sent).Select(e => new BatchItemError(e.Index, NotQueued)));
            errors.Sort((a, b) => a.Index.CompareTo(b.Index));
            return new BatchOutcome(unavailable.Sent, total, errors);
        }

        return new BatchOutcome(accepted.Count, total, errors);
    }

    public const string NotQueued = "Event queue unavailable: this event was not accepted. Please send it again later.";

    /// <summary>Packs the events into messages of at most 48 000 bytes and sends them to the <c>events</c> queue.</summary>
    public async Task EnqueueAsync(IReadOnlyList<TrackedEvent> events, VerifiedIdentity? identity, CancellationToken ct)
    {
        if (events.Count == 0)
        {
            return;
        }

        var queue = queues.GetQueue(QueueNames.Events);
        var sent = 0;
        var trace = System.Diagnostics.Activity.Current is { IdFormat: System.Diagnostics.ActivityIdFormat.W3C } current ? current.Id : null;
        foreach (var (message, count) in EventEnvelope.PackCounted(clock.GetUtcNow(), identity, events, trace))
        {
            try
            {
                await queue.SendMessageAsync(new BinaryData(message), cancellationToken: ct);
                sent += count;
                metrics?.EventsAccepted(count);
            }
            catch (Exception exception) when (exception is RequestFailedException or HttpRequestException or AggregateException
                                                  or TaskCanceledException && !ct.IsCancellationRequested)
            {
                throw new EventQueueUnavailableException(exception, sent);
            }
        }
    }
}
