using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Time.Testing;
using Moq;
using SmartTrip.Core.Hosting;
using SmartTrip.Core.Tracking;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Tracking;

/// <summary>
/// A batch packed into several queue messages whose later send fails: what reached the queue is accepted, and every
/// event that did not is reported by index, so the client resends exactly those and nothing is counted twice, with or
/// without client event ids. The queue is the Azure SDK's client, mocked (the unit under test does not own it).
/// </summary>
[Trait("Category", "Unit")]
public sealed class PartialEnqueueTests
{
    private static JsonElement Batch(int count, bool withEventIds)
    {
        var session = Guid.NewGuid();
        var anonymous = Guid.NewGuid();
        var padding = new string('p', 1500); // about 1.6 KB an event: a 100-event batch needs four messages
        var events = Enumerable.Range(0, count).Select(i => new Dictionary<string, object?>
        {
            ["event_type"] = "impression",
            ["session_id"] = session,
            ["anonymous_id"] = anonymous,
            ["trip_id"] = i + 1,
            ["event_id"] = withEventIds ? Guid.NewGuid() : null,
            ["metadata"] = new { padding },
        });
        return JsonSerializer.SerializeToElement(events);
    }

    private static (EventIngestion Ingestion, List<EventEnvelope> Sent, Mock<QueueClient> Queue) Ingestion(
        int failOnSend, Func<Exception>? failure = null)
    {
        var sent = new List<EventEnvelope>();
        var calls = 0;
        var queue = new Mock<QueueClient>();
        queue.Setup(q => q.SendMessageAsync(It.IsAny<BinaryData>(), It.IsAny<TimeSpan?>(), It.IsAny<TimeSpan?>(), It.IsAny<CancellationToken>()))
            .Returns((BinaryData message, TimeSpan? _, TimeSpan? _, CancellationToken _) =>
            {
                if (++calls == failOnSend)
                {
                    throw failure?.Invoke() ?? new RequestFailedException(503, "Server busy");
                }

                sent.Add(EventEnvelope.TryRead(Encoding.UTF8.GetString(message.ToArray()))!);
                return Task.FromResult(Response.FromValue(QueuesModelFactory.SendReceipt("id", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, "pop", DateTimeOffset.UtcNow), Mock.Of<Response>()));
            });
        var factory = new Mock<IQueueClientFactory>();
        factory.Setup(f => f.GetQueue(QueueNames.Events)).Returns(queue.Object);
        return (new EventIngestion(factory.Object, new FakeTimeProvider(DateTimeOffset.UnixEpoch)), sent, queue);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_events_of_the_sent_messages_are_accepted_and_every_other_one_is_reported_for_resending(bool withEventIds)
    {
        var (ingestion, sent, queue) = Ingestion(failOnSend: 2);
        var batch = Batch(100, withEventIds);

        var outcome = await ingestion.AcceptBatchAsync(batch, null, CancellationToken.None);

        var first = Assert.Single(sent).Events;
        Assert.InRange(first.Count, 1, 99);
        Assert.Equal(Enumerable.Range(0, first.Count), first.Select(e => e.Index));
        Assert.Equal((first.Count, 100), (outcome.Processed, outcome.Total));
        Assert.Equal(Enumerable.Range(first.Count, 100 - first.Count), outcome.Errors.Select(e => e.Index));
        Expect.All(outcome.Errors, 75, e => Assert.Equal(EventIngestion.NotQueued, e.Error));
        queue.Verify(q => q.SendMessageAsync(It.IsAny<BinaryData>(), It.IsAny<TimeSpan?>(), It.IsAny<TimeSpan?>(), It.IsAny<CancellationToken>()), Times.Exactly(2));

        // The client resends exactly the reported events: together the two sends hold every event once.
        var (retry, resent, _) = Ingestion(failOnSend: 0);
        var again = JsonSerializer.SerializeToElement(outcome.Errors.Select(e => batch[e.Index]));
        var second = await retry.AcceptBatchAsync(again, null, CancellationToken.None);
        Assert.Equal(100 - first.Count, second.Processed);
        var trips = first.Concat(resent.SelectMany(m => m.Events)).Select(e => e.TripId!.Value).Order();
        Assert.Equal(Enumerable.Range(1, 100), trips);
    }

    [Fact]
    public async Task When_the_first_send_fails_nothing_is_accepted_and_the_caller_gets_the_503()
    {
        var (ingestion, sent, _) = Ingestion(failOnSend: 1);

        var failure = await Assert.ThrowsAsync<EventQueueUnavailableException>(
            () => ingestion.AcceptBatchAsync(Batch(100, true), null, CancellationToken.None));

        Assert.Equal(0, failure.Sent);
        Assert.Empty(sent);
    }

    public static TheoryData<Exception> QueueFailures => new()
    {
        new RequestFailedException(503, "Server busy"),
        new HttpRequestException("connection refused"),
        new AggregateException(new HttpRequestException("retries exhausted")),
        new TaskCanceledException("the client's timeout"),
    };

    [Theory]
    [MemberData(nameof(QueueFailures))]
    public async Task Every_way_the_queue_fails_is_an_unavailable_queue(Exception exception)
    {
        var (ingestion, _, _) = Ingestion(failOnSend: 1, () => exception);

        var failure = await Assert.ThrowsAsync<EventQueueUnavailableException>(
            () => ingestion.AcceptBatchAsync(Batch(3, true), null, CancellationToken.None));

        Assert.Same(exception, failure.InnerException);
    }

    [Fact]
    public async Task A_cancelled_request_is_a_cancellation_not_an_unavailable_queue()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var (ingestion, _, _) = Ingestion(failOnSend: 1, () => new TaskCanceledException());

        await Assert.ThrowsAsync<TaskCanceledException>(() => ingestion.AcceptBatchAsync(Batch(3, true), null, cancelled.Token));
    }

    [Fact]
    public async Task Refused_and_unsent_events_are_reported_together_in_index_order()
    {
        var (ingestion, sent, _) = Ingestion(failOnSend: 2);
        var events = Batch(100, true).EnumerateArray().Select(e => JsonSerializer.Deserialize<Dictionary<string, object?>>(e)!).ToList();
        events[99]["trip_id"] = 0;

        var outcome = await ingestion.AcceptBatchAsync(JsonSerializer.SerializeToElement(events), null, CancellationToken.None);

        var first = Assert.Single(sent).Events.Count;
        Assert.Equal(Enumerable.Range(first, 100 - first), outcome.Errors.Select(e => e.Index));
        Assert.Equal("Invalid trip_id: must be positive integer", outcome.Errors[^1].Error);
    }

    [Fact]
    public void A_batch_holds_1_to_100_events()
    {
        string? Error(string body) => EventIngestion.BatchEvents(JsonDocument.Parse(body).RootElement).Error;
        var events = (int n) => $$"""{"events":[{{string.Join(",", Enumerable.Repeat("{}", n))}}]}""";

        Assert.Null(Error(events(1)));
        Assert.Null(Error(events(100)));
        Assert.Equal("Maximum 100 events per batch", Error(events(101)));
        foreach (var body in new[] { "{}", """{"events":[]}""", """{"events":{}}""", """{"events":"x"}""", """{"events":null}""" })
        {
            Assert.Equal("No events provided", Error(body));
        }
    }
}
