using System.Text;
using System.Text.Json;
using CsCheck;
using SmartTrip.Core.Tracking;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Tracking;

[Trait("Category", "Unit")]
public sealed class EventEnvelopeTests
{
    private static TrackedEvent Event(int index, int metadataBytes) => EventValidator.Validate(JsonDocument.Parse($$"""
        {"event_type":"impression","session_id":"7d9c3a52-1b7e-4f0a-9a55-2f6c1d0e8b31","anonymous_id":"c2a6f0d4-98e1-4b3a-a7f5-0e4d1c2b3a59",
         "trip_id":5,"metadata":{"note":"{{new string('ש', metadataBytes / 2)}}"} }
        """).RootElement, index).Event!;

    private static TrackedEvent AsciiEvent(int index, int noteLength) => EventValidator.Validate(JsonDocument.Parse($$"""
        {"event_type":"impression","session_id":"7d9c3a52-1b7e-4f0a-9a55-2f6c1d0e8b31","anonymous_id":"c2a6f0d4-98e1-4b3a-a7f5-0e4d1c2b3a59",
         "trip_id":5,"metadata":{"note":"{{new string('a', noteLength)}}"} }
        """).RootElement, index).Event!;

    [Fact]
    public void Events_are_packed_in_order_into_messages_of_at_most_48000_bytes()
    {
        var events = Enumerable.Range(0, 100).Select(i => Event(i, 4000)).ToList();
        var receivedAt = new DateTimeOffset(2026, 11, 25, 10, 0, 0, 125, TimeSpan.Zero);

        var messages = EventEnvelope.Pack(receivedAt, new VerifiedIdentity("sub-1", null), events);

        Assert.True(messages.Count > 1);
        Expect.All(messages, 10, m => Assert.InRange(m.Length, 1, EventEnvelope.MaxMessageBytes));
        var read = messages.Select(m => EventEnvelope.TryRead(Encoding.UTF8.GetString(m))!).ToList();
        Assert.Equal(Enumerable.Range(0, 100), read.SelectMany(e => e.Events).Select(e => e.Index));
        Expect.All(read, 10, e => Assert.Equal((receivedAt, "sub-1", 1), (e.ReceivedAt, e.Identity!.Sub, e.Version)));
        Assert.Contains("\"received_at\":\"2026-11-25T10:00:00.1250000Z\"", Encoding.UTF8.GetString(messages[0]));
        Assert.Contains("ש", Encoding.UTF8.GetString(messages[0]));
    }

    [Fact]
    public void Small_requests_are_one_message()
    {
        var messages = EventEnvelope.Pack(DateTimeOffset.UnixEpoch, null, Enumerable.Range(0, 100).Select(i => Event(i, 10)).ToList());

        Assert.Single(messages);
    }

    /// <summary>
    /// Greedy and tight for any sizes: every message fits, and the next message's first event would not have fitted
    /// in the one before it (so a message is never split early, nor allowed a byte too many).
    /// </summary>
    [Fact]
    public void Every_message_fits_and_none_could_have_taken_the_next_event()
    {
        Gen.Int[0, EventValidator.MaxMetadataBytes - 20].List[1, 60].Sample(sizes =>
        {
            var events = sizes.Select((size, i) => Event(i, size)).ToList();
            var packed = EventEnvelope.PackCounted(DateTimeOffset.UnixEpoch, null, events);

            Assert.Equal(events.Count, packed.Sum(m => m.Count));
            var first = 0;
            for (var m = 0; m < packed.Count; m++)
            {
                var (message, count) = packed[m];
                Assert.InRange(message.Length, 1, EventEnvelope.MaxMessageBytes);
                Assert.Equal(Enumerable.Range(first, count),
                    EventEnvelope.TryRead(Encoding.UTF8.GetString(message))!.Events.Select(e => e.Index));
                first += count;
                if (m + 1 < packed.Count)
                {
                    var next = JsonSerializer.SerializeToUtf8Bytes(events[first], EventEnvelope.Json).Length;
                    Assert.True(message.Length + 1 + next > EventEnvelope.MaxMessageBytes,
                        $"message {m} ({message.Length} bytes) had room for the next event ({next} bytes)");
                }
            }
        }, iter: 100);
    }

    [Fact]
    public void A_message_of_exactly_the_limit_is_kept_whole_and_one_byte_more_is_split()
    {
        var head = Enumerable.Range(0, 10).Select(i => AsciiEvent(i, 4000)).ToList();
        var headLength = EventEnvelope.Pack(DateTimeOffset.UnixEpoch, null, head).Single().Length;
        var emptyLast = JsonSerializer.SerializeToUtf8Bytes(AsciiEvent(10, 0), EventEnvelope.Json).Length;
        var fill = EventEnvelope.MaxMessageBytes - headLength - 1 - emptyLast;

        var exact = EventEnvelope.Pack(DateTimeOffset.UnixEpoch, null, [.. head, AsciiEvent(10, fill)]);
        var over = EventEnvelope.PackCounted(DateTimeOffset.UnixEpoch, null, [.. head, AsciiEvent(10, fill + 1)]);

        Assert.Equal(EventEnvelope.MaxMessageBytes, Assert.Single(exact).Length);
        Assert.InRange(fill, 1, EventValidator.MaxMetadataBytes - 20);
        Assert.Equal([10, 1], over.Select(m => m.Count));
    }

    [Fact]
    public void No_events_are_no_message()
    {
        Assert.Empty(EventEnvelope.Pack(DateTimeOffset.UnixEpoch, null, []));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"version":2,"received_at":"2026-11-25T10:00:00Z","identity":null,"events":[]}""")]
    [InlineData("""{"version":1,"received_at":"2026-11-25T10:00:00Z","identity":null,"events":[]}""")]
    [InlineData("""{"version":1,"identity":null,"events":[{"index":0}]}""")]
    public void Anything_but_a_version_one_envelope_with_events_is_unreadable(string text)
    {
        Assert.Null(EventEnvelope.TryRead(text));
    }
}
