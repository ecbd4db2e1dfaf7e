using System.Text.Json;
using SmartTrip.Core.Tracking;

namespace SmartTrip.Tests.Tracking;

/// <summary>
/// The rules of events.md §2.2 one by one, each at its boundary: the last accepted value and the first refused one,
/// with the field and message the client is given.
/// </summary>
[Trait("Category", "Unit")]
public sealed class EventValidatorTests
{
    private const string Ids = """
        "session_id":"7d9c3a52-1b7e-4f0a-9a55-2f6c1d0e8b31","anonymous_id":"c2a6f0d4-98e1-4b3a-a7f5-0e4d1c2b3a59"
        """;

    private static (TrackedEvent? Event, EventError? Error) Validate(string json) =>
        EventValidator.Validate(JsonDocument.Parse(json).RootElement, 3);

    private static TrackedEvent Accepted(string fields)
    {
        var (accepted, error) = Validate($$"""{"event_type":"page_view",{{Ids}}{{(fields.Length == 0 ? "" : "," + fields)}}}""");
        Assert.Null(error);
        return accepted!;
    }

    private static EventError Refused(string fields, string eventType = "page_view")
    {
        var (accepted, error) = Validate($$"""{"event_type":"{{eventType}}",{{Ids}},{{fields}}}""");
        Assert.Null(accepted);
        return error!;
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"page_view\"")]
    [InlineData("null")]
    public void An_event_that_is_not_an_object_is_refused_as_the_body(string json)
    {
        Assert.Equal(new EventError("body", "Event must be a JSON object"), Validate(json).Error);
    }

    [Theory]
    // The falsy values of the original service count as missing (null, "", false, 0, [], {}) ...
    [InlineData("null", "Missing required field")]
    [InlineData("\"\"", "Missing required field")]
    [InlineData("false", "Missing required field")]
    [InlineData("0", "Missing required field")]
    [InlineData("[]", "Missing required field")]
    [InlineData("{}", "Missing required field")]
    // ... any other value is present, and then refused for its type.
    [InlineData("true", "Invalid UUID format")]
    [InlineData("1", "Invalid UUID format")]
    [InlineData("[0]", "Invalid UUID format")]
    [InlineData("{\"a\":0}", "Invalid UUID format")]
    [InlineData("\"not-a-uuid\"", "Invalid UUID format")]
    public void A_falsy_id_is_missing_and_any_other_wrong_value_is_invalid(string value, string message)
    {
        var error = Validate($$"""{"event_type":"page_view","session_id":{{value}},"anonymous_id":"c2a6f0d4-98e1-4b3a-a7f5-0e4d1c2b3a59"}""").Error!;

        Assert.Equal("session_id", error.Field);
        Assert.StartsWith(message, error.Message);
    }

    [Theory]
    [InlineData("null", "Missing required field: event_type")]
    [InlineData("false", "Missing required field: event_type")]
    [InlineData("true", "Invalid event type: true. Valid types: ")]
    [InlineData("{\"a\":1}", "Invalid event type: {\"a\":1}. Valid types: ")]
    public void The_event_type_is_missing_when_falsy_and_invalid_otherwise(string value, string message)
    {
        var error = Validate($$"""{"event_type":{{value}},{{Ids}}}""").Error!;

        Assert.Equal("event_type", error.Field);
        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void A_trip_id_must_be_a_positive_integer()
    {
        Assert.Equal(1, Accepted("\"trip_id\":1").TripId);
        Assert.Null(Accepted("\"trip_id\":null").TripId);
        foreach (var value in new[] { "0", "-1", "1.5", "\"7\"" })
        {
            Assert.Equal(new EventError("trip_id", "Invalid trip_id: must be positive integer"), Refused($"\"trip_id\":{value}"));
        }
    }

    [Fact]
    public void Metadata_of_exactly_4096_bytes_is_kept_and_one_byte_more_is_refused()
    {
        // {"n":"…"} is 8 bytes around the text; 'ש' is two bytes in UTF-8 and is not escaped.
        var fits = $$"""{"n":"{{new string('ש', 2044)}}"}""";
        var over = $$"""{"n":"{{new string('ש', 2044)}}x"}""";

        Assert.Equal(fits, Accepted($"\"metadata\":{fits}").Metadata.GetRawText());
        Assert.Equal(new EventError("metadata", "Invalid metadata: must be an object of at most 4 KB"), Refused($"\"metadata\":{over}"));
        Assert.Equal("metadata", Refused("\"metadata\":[1]").Field);
    }

    [Theory]
    [InlineData("999.99", "999.99")]
    [InlineData("-999.99", "-999.99")]
    [InlineData("999.994", "999.99")]
    [InlineData("0.125", "0.13")]
    public void A_score_is_rounded_to_cents_within_999_99(string value, string stored)
    {
        Assert.Equal(decimal.Parse(stored, System.Globalization.CultureInfo.InvariantCulture), Accepted($"\"score\":{value}").Score);
    }

    [Theory]
    [InlineData("999.995")]
    [InlineData("-999.995")]
    [InlineData("1e3")]
    [InlineData("\"5\"")]
    public void A_score_outside_999_99_after_rounding_is_refused(string value)
    {
        Assert.Equal(new EventError("score", "Invalid score: must be a number between -999.99 and 999.99"), Refused($"\"score\":{value}"));
    }

    [Fact]
    public void Page_url_and_referrer_are_kept_apart_up_to_2048_bytes()
    {
        var page = "https://smarttrip.example/" + new string('p', 2048 - 26);
        var accepted = Accepted($"\"referrer\":\"https://r.example/\",\"page_url\":\"{page}\"");

        Assert.Equal((page, "https://r.example/"), (accepted.PageUrl, accepted.Referrer));
        Assert.Equal((null, "https://r.example/"), (Accepted("\"referrer\":\"https://r.example/\"").PageUrl, Accepted("\"referrer\":\"https://r.example/\"").Referrer));
        Assert.Equal(new EventError("page_url", "Invalid page_url: must be a string of at most 2048 bytes (UTF-8)"),
            Refused($"\"page_url\":\"{page}x\""));
        Assert.Equal(new EventError("referrer", "Invalid referrer: must be a string of at most 2048 bytes (UTF-8)"), Refused("\"referrer\":7"));
    }

    /// <summary>
    /// URLs are measured in UTF-8 bytes, however they are written: 1 024 Hebrew letters (2 048 bytes) are kept, raw or as
    /// \u escapes (6 144 bytes of JSON); 1 025 are refused. On the old code, which counted characters, 1 025 letters (2 050
    /// bytes) were accepted.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_url_of_2048_utf8_bytes_is_kept_and_one_more_letter_is_refused(bool escaped)
    {
        string Letters(int count) => escaped ? string.Concat(Enumerable.Repeat("\\u05d0", count)) : new string('\u05d0', count);

        Assert.Equal(new string('\u05d0', 1024), Accepted($"\"page_url\":\"{Letters(1024)}\"").PageUrl);
        Assert.Equal(new string('\u05d0', 1023) + "ab", Accepted($"\"referrer\":\"{Letters(1023)}ab\"").Referrer);
        Assert.Equal("page_url", Refused($"\"page_url\":\"{Letters(1025)}\"").Field);
        Assert.Equal("referrer", Refused($"\"referrer\":\"{Letters(1023)}abc\"").Field);
        Assert.Equal("referrer", Refused($"\"referrer\":\"{Letters(1023)}\\n\\u00e9\"").Field); // 2 046 + 1 + 2 bytes
    }

    [Fact]
    public void An_event_counts_the_bytes_of_its_metadata_and_urls()
    {
        var accepted = Accepted("\"metadata\":{\"note\":\"\u05d0\"},\"page_url\":\"\\u05d0b\",\"referrer\":\"xyz\"");

        Assert.Equal("{\"note\":\"\u05d0\"}".Length + 1 + 3 + 3, accepted.StoredBytes); // metadata 12 bytes, URLs 3 + 3
        Assert.Equal(2, Accepted("").StoredBytes); // {}
        Assert.Equal(EventValidator.MaxMetadataBytes + 2 * EventValidator.MaxUrlBytes, EventValidator.MaxEventBytes);
    }

    /// <summary>
    /// A batch may make the service store at most 256 KiB of event text: exactly the cap is accepted, and each event that
    /// would pass it is refused by index. Without the cap the same batch was accepted whole.
    /// </summary>
    [Fact]
    public void A_batch_stores_at_most_256_KiB_of_event_text_and_refuses_the_rest_by_index()
    {
        // Each event: metadata {"p":"ppp…"} of exactly 4 096 bytes. 64 of them are 262 144 bytes: exactly the cap.
        var padding = new string('p', EventValidator.MaxMetadataBytes - 8);
        string Event(int bytes) => $$$"""{"event_type":"page_view",{{{Ids}}},"metadata":{"p":"{{{padding[..(bytes - 8)]}}}"}}""";
        var events = Enumerable.Repeat(Event(EventValidator.MaxMetadataBytes), 64).Append(Event(9)).Append(Event(8)).ToList();
        var batch = JsonDocument.Parse($"[{string.Join(",", events)}]").RootElement;

        var (accepted, errors) = EventIngestion.ValidateBatch(batch, CancellationToken.None);

        Assert.Equal(64, accepted.Count);
        Assert.Equal(EventIngestion.MaxBatchBytes, accepted.Sum(e => e.StoredBytes));
        Assert.Equal([new BatchItemError(64, EventIngestion.BatchTooLarge), new BatchItemError(65, EventIngestion.BatchTooLarge)], errors);
    }

    [Theory]
    [InlineData("0", true)]
    [InlineData("86400", true)]
    [InlineData("12.5", true)]
    [InlineData("null", true)]
    [InlineData("-0.001", false)]
    [InlineData("86400.001", false)]
    [InlineData("\"60\"", false)]
    public void A_dwell_lasts_from_0_to_86400_seconds(string seconds, bool accepted)
    {
        var (kept, error) = Validate($$$"""{"event_type":"trip_dwell_time",{{{Ids}}},"trip_id":4,"metadata":{"duration_seconds":{{{seconds}}}}}""");

        Assert.Equal(accepted, kept is not null);
        Assert.Equal(accepted ? null : new EventError("metadata.duration_seconds", "Invalid duration_seconds: must be a number from 0 to 86400"), error);
    }

    [Fact]
    public void A_clients_event_id_is_kept_and_anything_else_gets_a_fresh_one()
    {
        var clientId = Guid.NewGuid();

        Assert.Equal(clientId, Accepted($"\"event_id\":\"{clientId}\"").EventId);
        var fresh = new[] { Accepted("\"event_id\":5").EventId, Accepted("\"event_id\":\"nope\"").EventId, Accepted("").EventId };
        Assert.DoesNotContain(Guid.Empty, fresh);
        Assert.Equal(3, fresh.Distinct().Count());
    }

    [Fact]
    public void A_recommendation_request_id_is_kept_when_it_is_a_uuid_string()
    {
        var requestId = Guid.NewGuid();

        Assert.Equal(requestId, Accepted($"\"recommendation_request_id\":\"{requestId}\"").RecommendationRequestId);
        Assert.Null(Accepted("\"recommendation_request_id\":5").RecommendationRequestId);
        Assert.Null(Accepted("\"recommendation_request_id\":\"nope\"").RecommendationRequestId);
    }

    [Theory]
    [InlineData("\"2026-11-25T10:00:00+02:00\"", "2026-11-25T08:00:00Z")]
    [InlineData("\"2026-11-25t10:00:00Z\"", "2026-11-25T10:00:00Z")]
    [InlineData("\"2026-11-25 10:00\"", "2026-11-25T10:00:00Z")]
    [InlineData("\"2026-11-25\"", null)]
    [InlineData("\"2026-11-25X10:00:00\"", null)]
    [InlineData("\"yesterday at noon\"", null)]
    [InlineData("1764064800", null)]
    [InlineData("null", null)]
    public void A_client_timestamp_is_an_iso_instant_stored_in_utc_or_nothing(string value, string? stored)
    {
        var timestamp = Accepted($"\"client_timestamp\":{value}").ClientTimestamp;

        Assert.Equal(stored, timestamp?.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(TimeSpan.Zero, timestamp?.Offset ?? TimeSpan.Zero);
    }

    [Fact]
    public void An_accepted_event_keeps_its_index_ids_and_source()
    {
        var accepted = Validate($$"""{"event_type":"click_trip",{{Ids}},"source":"search_results","trip_id":9,"position":2}""").Event!;

        Assert.Equal((3, "click_trip", "search_results", 9, 2), (accepted.Index, accepted.EventType, accepted.Source, accepted.TripId, accepted.Position));
        Assert.Equal(Guid.Parse("7d9c3a52-1b7e-4f0a-9a55-2f6c1d0e8b31"), accepted.SessionId);
        Assert.Equal(Guid.Parse("c2a6f0d4-98e1-4b3a-a7f5-0e4d1c2b3a59"), accepted.AnonymousId);
        Assert.Equal("{}", Accepted("").Metadata.GetRawText());
    }
}

/// <summary>The accepted types by category (events.md §2.1) and which of them move a trip's interaction counters (§4.4).</summary>
[Trait("Category", "Unit")]
public sealed class EventCatalogTests
{
    [Theory]
    [InlineData("page_view", false)]
    [InlineData("search_submit", false)]
    [InlineData("impression", true)]
    [InlineData("click_trip", true)]
    [InlineData("save_trip", true)]
    [InlineData("booking_start", true)]
    [InlineData("not_a_type", false)]
    public void Engagement_and_conversion_events_touch_trip_interactions(string type, bool touches)
    {
        Assert.Equal(touches, EventCatalog.TouchesTripInteractions(type));
    }
}
