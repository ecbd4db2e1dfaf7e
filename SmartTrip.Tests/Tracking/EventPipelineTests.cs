using System.Text.Json;
using Dapper;
using Npgsql;
using SmartTrip.Core.Hosting;
using SmartTrip.Core.Tracking;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Tracking;

/// <summary>HTTP → queue → drain → PostgreSQL on the real Azurite and PostgreSQL (events.md §7 and the fault cases).</summary>
[Collection(EventPipelineCollection.Name)]
public sealed partial class EventPipelineTests(EventsFixture api)
{
    private sealed record Counters
    {
        public int ImpressionCount { get; init; }
        public int ClickCount { get; init; }
        public int SaveCount { get; init; }
        public int WhatsappContactCount { get; init; }
        public int PhoneContactCount { get; init; }
        public int BookingStartCount { get; init; }
        public int TotalDwellTimeSeconds { get; init; }
        public int AvgDwellTimeSeconds { get; init; }
        public decimal? ClickThroughRate { get; init; }
        public decimal? SaveRate { get; init; }
        public decimal? ContactRate { get; init; }
        public DateTime? LastClickedAt { get; init; }
    }

    private async Task<(int Status, JsonElement Body)> PostAsync(string path, object body, string? token = null)
    {
        var headers = token is null ? null : new Dictionary<string, string> { ["Authorization"] = "Bearer " + token };
        return await api.PostJsonAsync(path, JsonSerializer.Serialize(body), headers);
    }

    private static Dictionary<string, object?> Event(string type, Guid session, Guid anonymous, object? extra = null)
    {
        var item = new Dictionary<string, object?> { ["event_type"] = type, ["session_id"] = session, ["anonymous_id"] = anonymous };
        foreach (var property in extra?.GetType().GetProperties() ?? [])
        {
            item[property.Name] = property.GetValue(extra);
        }

        return item;
    }

    private async Task<int> StartSessionAsync(Guid session, Guid anonymous)
    {
        var (status, body) = await PostAsync("/api/session/start", new { session_id = session, anonymous_id = anonymous });
        Assert.Equal(200, status);
        return body.GetProperty("user_id").GetInt32();
    }

    [Fact]
    public async Task The_worked_batch_example_lands_with_every_counter_right()
    {
        var (session, anonymous, trip) = (Guid.NewGuid(), Guid.NewGuid(), 5005);
        var userId = await StartSessionAsync(session, anonymous);
        object[] events =
        [
            Event("search_submit", session, anonymous, new { metadata = new { preferences = new { budget = 9000 }, search_type = "focused_search" } }),
            Event("impression", session, anonymous, new { trip_id = trip, source = "search_results", position = 1, score = 87 }),
            Event("impression", session, anonymous, new { trip_id = trip }),
            Event("trip_dwell_time", session, anonymous, new { trip_id = trip, metadata = new { duration_seconds = 45 } }),
            Event("save_trip", session, anonymous, new { trip_id = trip }),
            Event("contact_phone", session, anonymous, new { trip_id = trip }),
            Event("contact_whatsapp", session, anonymous, new { trip_id = trip }),
            Event("booking_start", session, anonymous, new { trip_id = trip }),
            Event("results_view", session, anonymous, new { recommendation_request_id = "bad" }),
            Event("bogus", session, anonymous),
            new Dictionary<string, object?> { ["event_type"] = "page_view", ["anonymous_id"] = anonymous },
        ];

        var (status, body) = await PostAsync("/api/events/batch", new { events });

        Assert.Equal(202, status);
        Assert.Equal(
            """{"success":true,"processed":9,"total":11,"errors":[{"index":9,"error":"Invalid event type: bogus. Valid types: booking_start, click_trip, contact_phone, contact_whatsapp, filter_change, filter_removed, impression, page_view, results_view, save_trip, scroll_depth, search_submit, share_trip, sort_change, trip_dwell_time, trip_view, unsave_trip"},{"index":10,"error":"Missing required field: session_id"}]}""",
            body.GetRawText());

        await api.WaitUntilAsync("SELECT count(*) = 9 FROM events WHERE session_id = @session", new { session });
        await using var db = api.Database();
        var rows = (await db.QueryAsync<(int UserId, int TypeId, string? Source, int? Position, decimal? Score, Guid? RequestId)>(
            """
            SELECT user_id, event_type_id, source, position_in_results, score_at_time, recommendation_request_id
              FROM events WHERE session_id = @session ORDER BY id
            """, new { session })).ToList();
        Expect.All(rows, 9, r => Assert.Equal(userId, r.UserId));
        Assert.Equal([21, 13, 13, 9, 10, 16, 15, 18, 22], rows.Select(r => r.TypeId));
        Assert.Equal(("search_results", 1, 87.00m), (rows[1].Source, rows[1].Position, rows[1].Score));
        Assert.Null(rows[8].RequestId);
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("SELECT count(DISTINCT \"timestamp\") FROM events WHERE session_id = @session", new { session }));

        var sessionRow = await db.QuerySingleAsync<(int Search, int Click, int Save, int Contact)>(
            "SELECT search_count, click_count, save_count, contact_count FROM sessions WHERE session_id = @session", new { session });
        Assert.Equal((1, 0, 1, 2), sessionRow);
        var user = await db.QuerySingleAsync<(int Searches, int Clicks, int Sessions, bool LastSeenIsReceived)>(
            """
            SELECT total_searches, total_clicks, total_sessions,
                   last_seen_at = (SELECT max("timestamp") FROM events WHERE session_id = @session)
              FROM users WHERE id = @userId
            """, new { userId, session });
        Assert.Equal((1, 0, 1, true), user);

        var counters = await db.QuerySingleAsync<Counters>("SELECT * FROM trip_interactions WHERE trip_id = @trip", new { trip });
        Assert.Equal(
            new Counters
            {
                ImpressionCount = 2, SaveCount = 1, WhatsappContactCount = 1, PhoneContactCount = 1, BookingStartCount = 1,
                TotalDwellTimeSeconds = 45, AvgDwellTimeSeconds = 0, ClickThroughRate = 0.0000m,
            },
            counters);
    }

    [Fact]
    public async Task A_click_drained_before_the_batch_sets_the_rates_and_the_dwell_average()
    {
        var (session, anonymous, trip) = (Guid.NewGuid(), Guid.NewGuid(), 5006);
        await StartSessionAsync(session, anonymous);
        var (clickStatus, _) = await PostAsync("/api/events", Event("click_trip", session, anonymous, new { trip_id = trip, source = "search_results" }));
        Assert.Equal(202, clickStatus);
        await api.WaitUntilAsync("SELECT count(*) = 1 FROM events WHERE session_id = @session", new { session });

        await PostAsync("/api/events/batch", new
        {
            events = new object[]
            {
                Event("impression", session, anonymous, new { trip_id = trip }),
                Event("impression", session, anonymous, new { trip_id = trip }),
                Event("trip_dwell_time", session, anonymous, new { trip_id = trip, metadata = new { duration_seconds = 45 } }),
                Event("save_trip", session, anonymous, new { trip_id = trip }),
                Event("contact_phone", session, anonymous, new { trip_id = trip }),
                Event("contact_whatsapp", session, anonymous, new { trip_id = trip }),
            },
        });
        await api.WaitUntilAsync("SELECT count(*) = 7 FROM events WHERE session_id = @session", new { session });

        await using var db = api.Database();
        var counters = await db.QuerySingleAsync<Counters>("SELECT * FROM trip_interactions WHERE trip_id = @trip", new { trip });
        Assert.Equal((1, 0.5000m, 1.0000m, 2.0000m, 45), (counters.ClickCount, counters.ClickThroughRate, counters.SaveRate, counters.ContactRate, counters.AvgDwellTimeSeconds));
        Assert.NotNull(counters.LastClickedAt);
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("SELECT click_count FROM sessions WHERE session_id = @session", new { session }));
    }

    [Fact]
    public async Task The_dwell_average_follows_event_order_inside_one_message()
    {
        var (session, anonymous, trip) = (Guid.NewGuid(), Guid.NewGuid(), 5009);
        await StartSessionAsync(session, anonymous);

        await PostAsync("/api/events/batch", new
        {
            events = new object[]
            {
                Event("impression", session, anonymous, new { trip_id = trip }),
                Event("trip_dwell_time", session, anonymous, new { trip_id = trip, metadata = new { duration_seconds = 10 } }),
                Event("click_trip", session, anonymous, new { trip_id = trip, source = "saved" }),
                Event("trip_dwell_time", session, anonymous, new { trip_id = trip, metadata = new { duration_seconds = 20.5 } }),
                Event("click_trip", session, anonymous, new { trip_id = trip, source = "saved" }),
                Event("trip_dwell_time", session, anonymous, new { trip_id = trip, metadata = new { duration_seconds = 0.2 } }),
            },
        });
        await api.WaitUntilAsync("SELECT count(*) = 6 FROM events WHERE session_id = @session", new { session });

        // One by one: the first dwell has no click yet (average stays 0), the second gives (10 + 21) / 1 = 31,
        // the last rounds to 0 seconds and changes nothing.
        await using var db = api.Database();
        var counters = await db.QuerySingleAsync<Counters>("SELECT * FROM trip_interactions WHERE trip_id = @trip", new { trip });
        Assert.Equal((2, 31, 31, 2.0000m), (counters.ClickCount, counters.TotalDwellTimeSeconds, counters.AvgDwellTimeSeconds, counters.ClickThroughRate));
    }

    [Fact]
    public async Task Events_sent_with_a_token_are_stored_for_the_signed_in_user_from_any_browser()
    {
        var (session, laptop, phone, phoneSession) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var sub = $"user-{Guid.NewGuid():N}";
        var email = $"{sub}@example.com";
        var guestId = await StartSessionAsync(session, laptop); // a guest until the first event with a token
        await StartSessionAsync(phoneSession, phone);
        var token = api.HsToken(sub, email);

        var (status, _) = await PostAsync("/api/events/batch", new
        {
            events = new object[]
            {
                Event("search_submit", session, laptop),
                Event("click_trip", session, laptop, new { trip_id = 5013, source = "search_results" }),
            },
        }, token);
        Assert.Equal(202, status);
        await api.WaitUntilAsync("SELECT count(*) = 2 FROM events WHERE session_id = @session", new { session });

        // The same account on another browser: its events go to the same user, not to the phone's guest.
        (status, _) = await PostAsync("/api/events", Event("click_trip", phoneSession, phone, new { trip_id = 5013, source = "saved" }), token);
        Assert.Equal(202, status);
        // A token that does not verify is a guest's event: stored for the phone's own user, linking nothing.
        (status, _) = await PostAsync("/api/events", Event("page_view", phoneSession, phone), api.HsToken(sub, email, audience: "anon"));
        Assert.Equal(202, status);
        await api.WaitUntilAsync("SELECT count(*) = 2 FROM events WHERE session_id = @phoneSession", new { phoneSession });

        await using var db = api.Database();
        var user = await db.QuerySingleAsync<(int Id, string? AuthUserId, string? Email, bool IsRegistered, int Searches, int Clicks)>(
            "SELECT id, auth_user_id, email, is_registered, total_searches, total_clicks FROM users WHERE auth_user_id = @sub", new { sub });
        Assert.Equal((guestId, sub, email, true, 1, 2), user);
        var byType = (await db.QueryAsync<(string Type, int UserId)>(
            """
            SELECT t.name, e.user_id FROM events e JOIN event_types t ON t.id = e.event_type_id
             WHERE e.session_id IN (@session, @phoneSession) ORDER BY t.name, e.user_id
            """, new { session, phoneSession })).ToList(); // the two single events may drain in either order
        var phoneGuest = await db.ExecuteScalarAsync<int>("SELECT id FROM users WHERE anonymous_id = @phone", new { phone });
        Assert.NotEqual(guestId, phoneGuest);
        Assert.Equal(
            [("click_trip", guestId), ("click_trip", guestId), ("page_view", phoneGuest), ("search_submit", guestId)],
            byType);
        Assert.Equal((false, (string?)null), await db.QuerySingleAsync<(bool, string?)>(
            "SELECT is_registered, auth_user_id FROM users WHERE id = @phoneGuest", new { phoneGuest }));
    }

    [Fact]
    public async Task A_batch_carries_one_browsers_events_and_creates_at_most_one_user()
    {
        var (session, browser) = (Guid.NewGuid(), Guid.NewGuid());
        var others = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToList();
        object[] events =
        [
            Event("page_view", session, browser),
            .. others.Select(other => Event("page_view", session, other)),
            Event("search_submit", session, browser),
        ];

        var (status, body) = await PostAsync("/api/events/batch", new { events });

        Assert.Equal(202, status);
        Assert.Equal((2, 7), (body.GetProperty("processed").GetInt32(), body.GetProperty("total").GetInt32()));
        Assert.Equal([1, 2, 3, 4, 5], body.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("index").GetInt32()));
        Expect.All(body.GetProperty("errors").EnumerateArray(), 5, e => Assert.Equal(EventIngestion.OtherBrowser, e.GetProperty("error").GetString()));
        await api.WaitUntilAsync("SELECT count(*) = 2 FROM events WHERE session_id = @session", new { session });
        await using var db = api.Database();
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("SELECT count(*) FROM users WHERE anonymous_id = ANY(@others)", new { others = others.ToArray() }));
    }

    [Fact]
    public async Task The_same_message_delivered_twice_is_counted_once()
    {
        var (session, anonymous, trip) = (Guid.NewGuid(), Guid.NewGuid(), 5007);
        await StartSessionAsync(session, anonymous);
        var message = $$"""
            {"version":1,"received_at":"2026-11-25T10:00:00.125Z","identity":null,"events":[
             {"event_id":"{{Guid.NewGuid()}}","index":0,"event_type":"click_trip","session_id":"{{session}}","anonymous_id":"{{anonymous}}",
              "trip_id":{{trip}},"source":"search_results","recommendation_request_id":null,"metadata":{},"position":null,"score":null,
              "client_timestamp":null,"page_url":null,"referrer":null}]}
            """;

        // The second copy comes after the first is committed, as a redelivery does. Mutation: without the drain's
        // ON CONFLICT (event_id) DO NOTHING the copy breaks the unique key (23505) and is dead-lettered, which this
        // test refuses; the count alone would still be 1.
        var queue = api.Queue(QueueNames.Events);
        await queue.SendMessageAsync(message);
        await api.WaitUntilAsync("SELECT count(*) = 1 FROM events WHERE session_id = @session", new { session });
        await queue.SendMessageAsync(message);
        await WaitUntilQueueIsEmptyAsync(queue); // both copies processed and deleted

        await using var db = api.Database();
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("SELECT count(*) FROM events WHERE session_id = @session", new { session }));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("SELECT click_count FROM trip_interactions WHERE trip_id = @trip", new { trip }));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("SELECT click_count FROM sessions WHERE session_id = @session", new { session }));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("SELECT total_clicks FROM users WHERE anonymous_id = @anonymous", new { anonymous }));
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("SELECT count(*) FROM event_dead_letters WHERE strpos(envelope, @session) > 0", new { session = session.ToString() }));
        Assert.DoesNotContain((await api.Queue(QueueNames.EventsPoison).PeekMessagesAsync(32)).Value,
            m => m.Body.ToString().Contains(session.ToString(), StringComparison.Ordinal));
    }

    /// <summary>The queue's count includes leased messages, so an empty queue means every message was processed and deleted.</summary>
    private static async Task WaitUntilQueueIsEmptyAsync(Azure.Storage.Queues.QueueClient queue)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the queue was not drained within 30 s");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task An_event_the_database_refuses_is_dead_lettered_and_the_rest_of_its_message_is_stored_once()
    {
        var (session, anonymous, trip) = (Guid.NewGuid(), Guid.NewGuid(), 5011);
        await StartSessionAsync(session, anonymous);
        var ids = Enumerable.Range(0, 4).Select(_ => Guid.NewGuid()).ToArray();
        string Item(Guid id, int index, string type, string metadata) => $$"""
            {"event_id":"{{id}}","index":{{index}},"event_type":"{{type}}","session_id":"{{session}}","anonymous_id":"{{anonymous}}",
             "trip_id":{{trip}},"source":"search_results","recommendation_request_id":null,"metadata":{{metadata}},"position":null,
             "score":null,"client_timestamp":null,"page_url":null,"referrer":null}
            """;
        // The third event's metadata holds U+0000, which jsonb refuses (22P05); such a message can only come from a
        // client of an older edge, or a replay, since the edge now refuses it.
        var message = $$"""
            {"version":1,"received_at":"2026-11-25T10:00:00.125Z","identity":null,"events":[
             {{Item(ids[0], 0, "impression", "{}")}}, {{Item(ids[1], 1, "click_trip", "{}")}},
             {{Item(ids[2], 2, "save_trip", "{\"note\":\"a\\u0000b\"}")}}, {{Item(ids[3], 3, "save_trip", "{}")}}]}
            """;

        // Delivered twice: the second copy stores nothing and dead-letters nothing more. The queue's count includes
        // leased messages, so an empty queue means both copies were processed and deleted.
        var queue = api.Queue(QueueNames.Events);
        await queue.SendMessageAsync(message);
        await api.WaitUntilAsync("SELECT count(*) = 1 FROM event_dead_letters WHERE event_id = @id", new { id = ids[2] });
        await queue.SendMessageAsync(message);
        await WaitUntilQueueIsEmptyAsync(queue);

        await using var db = api.Database();

        Assert.Equal(new[] { ids[0], ids[1], ids[3] }.Order(),
            (await db.QueryAsync<Guid>("SELECT event_id FROM events WHERE session_id = @session", new { session })).Order());
        var dead = await db.QuerySingleAsync<(Guid EventId, string EventType, string SqlState, string Envelope)>(
            "SELECT event_id, event_type, sql_state, envelope FROM event_dead_letters WHERE event_id = @id", new { id = ids[2] });
        Assert.Equal((ids[2], "save_trip", "22P05"), (dead.EventId, dead.EventType, dead.SqlState));
        var kept = EventEnvelope.TryRead(dead.Envelope);
        Assert.NotNull(kept);
        Assert.Equal(ids[2], Assert.Single(kept!.Events).EventId);
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("SELECT count(*) FROM event_dead_letters WHERE received_at = '2026-11-25T10:00:00.125Z'"));
        var counters = await db.QuerySingleAsync<(int Impressions, int Clicks, int Saves)>(
            "SELECT impression_count, click_count, save_count FROM trip_interactions WHERE trip_id = @trip", new { trip });
        Assert.Equal((1, 1, 1), counters);
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("SELECT save_count FROM sessions WHERE session_id = @session", new { session }));
        var poison = (await api.Queue(QueueNames.EventsPoison).PeekMessagesAsync(32)).Value;
        Assert.DoesNotContain(poison, m => m.Body.ToString().Contains(session.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_event_for_a_trip_the_catalogue_does_not_know_is_stored_without_a_counters_row()
    {
        var (session, anonymous, made_up) = (Guid.NewGuid(), Guid.NewGuid(), 999_999);
        await StartSessionAsync(session, anonymous);

        var (status, _) = await PostAsync("/api/events/batch", new
        {
            events = new[]
            {
                Event("trip_view", session, anonymous, new { trip_id = made_up }),
                Event("save_trip", session, anonymous, new { trip_id = made_up }),
                Event("save_trip", session, anonymous, new { trip_id = 5012 }),
            },
        });

        Assert.Equal(202, status);
        await api.WaitUntilAsync("SELECT count(*) = 3 FROM events WHERE session_id = @session", new { session });
        await using var db = api.Database();
        Assert.Equal(2, await db.ExecuteScalarAsync<int>("SELECT count(*) FROM events WHERE trip_id = @made_up", new { made_up }));
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("SELECT count(*) FROM trip_interactions WHERE trip_id = @made_up", new { made_up }));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("SELECT save_count FROM trip_interactions WHERE trip_id = 5012"));
        Assert.Equal(2, await db.ExecuteScalarAsync<int>("SELECT save_count FROM sessions WHERE session_id = @session", new { session }));
    }

    [Fact]
    public async Task A_drain_that_fails_after_half_its_work_is_retried_and_counts_once()
    {
        var (session, anonymous, trip) = (Guid.NewGuid(), Guid.NewGuid(), 5008);
        await StartSessionAsync(session, anonymous);
        await using var db = api.Database();
        // The failure comes after the events are inserted: updating this trip's counters raises an error.
        await db.ExecuteAsync($"""
            CREATE SEQUENCE fail_trip_{trip}_tries;
            CREATE FUNCTION fail_trip_{trip}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.trip_id = {trip} THEN PERFORM nextval('fail_trip_{trip}_tries'); RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$;
            CREATE TRIGGER fail_trip_{trip} BEFORE UPDATE ON trip_interactions FOR EACH ROW EXECUTE FUNCTION fail_trip_{trip}();
            """);
        try
        {
            await PostAsync("/api/events/batch", new
            {
                events = new object[]
                {
                    Event("search_submit", session, anonymous),
                    Event("impression", session, anonymous, new { trip_id = trip }),
                    Event("click_trip", session, anonymous, new { trip_id = trip, source = "homepage" }),
                },
            });
            // Two failed attempts, counted by the trigger (nextval survives the rollback), not guessed from a sleep.
            await api.WaitUntilAsync($"SELECT (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM fail_trip_{trip}_tries) >= 2");

            Assert.Equal(0, await db.ExecuteScalarAsync<int>("SELECT count(*) FROM events WHERE session_id = @session", new { session }));
            Assert.Equal(0, await db.ExecuteScalarAsync<int>("SELECT search_count FROM sessions WHERE session_id = @session", new { session }));
        }
        finally
        {
            await db.ExecuteAsync($"DROP TRIGGER fail_trip_{trip} ON trip_interactions; DROP FUNCTION fail_trip_{trip}(); DROP SEQUENCE fail_trip_{trip}_tries;");
        }

        await api.WaitUntilAsync("SELECT count(*) = 3 FROM events WHERE session_id = @session", new { session });
        var counters = await db.QuerySingleAsync<Counters>("SELECT * FROM trip_interactions WHERE trip_id = @trip", new { trip });
        Assert.Equal((1, 1, 1.0000m), (counters.ImpressionCount, counters.ClickCount, counters.ClickThroughRate));
        Assert.Equal((1, 1), await db.QuerySingleAsync<(int, int)>(
            "SELECT search_count, click_count FROM sessions WHERE session_id = @session", new { session }));
    }

    [Fact]
    public async Task With_the_database_unreachable_the_message_waits_and_nothing_is_lost()
    {
        var (session, anonymous) = (Guid.NewGuid(), Guid.NewGuid());
        await StartSessionAsync(session, anonymous);
        var database = new NpgsqlConnectionStringBuilder(api.ConnectionString).Database!;
        await using var admin = new NpgsqlConnection(TestServices.AdminConnectionString);
        await admin.ExecuteAsync($"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS false");
        await admin.ExecuteAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @database", new { database });
        NpgsqlConnection.ClearAllPools();
        try
        {
            var logged = api.HostLog.Length;
            var (status, _) = await PostAsync("/api/events", Event("page_view", session, anonymous));
            Assert.Equal(202, status);
            // The drain fails at least twice while the database is away: counted in the host's log, on either host.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (FailedDrains().Count(api.HostLog[logged..]) < 2)
            {
                Assert.True(DateTime.UtcNow < deadline, $"the drain did not fail twice within 60 s:\n{api.HostLog[logged..]}");
                await Task.Delay(100);
            }
        }
        finally
        {
            await admin.ExecuteAsync($"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS true");
        }

        await api.WaitUntilAsync("SELECT count(*) = 1 FROM events WHERE session_id = @session", new { session });
    }

    [Fact]
    public async Task A_message_that_always_fails_moves_to_the_poison_queue_after_five_tries()
    {
        var (session, anonymous) = (Guid.NewGuid(), Guid.NewGuid());
        await using var db = api.Database();
        // Every try reaches the insert once; a sequence counts the tries, since nextval survives the rollback.
        // Mutation: with host.json's maxDequeueCount at 1 (or 6) the count is 1 (or 6), not 5.
        await db.ExecuteAsync($"""
            CREATE SEQUENCE fail_session_tries;
            CREATE FUNCTION fail_session() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.session_id = '{session}' THEN PERFORM nextval('fail_session_tries'); RAISE EXCEPTION 'always failing'; END IF;
              RETURN NEW;
            END $$;
            CREATE TRIGGER fail_session BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION fail_session();
            """);
        try
        {
            var (status, _) = await PostAsync("/api/events", Event("page_view", session, anonymous));
            Assert.Equal(202, status);
            var poison = api.Queue(QueueNames.EventsPoison);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            string? found = null;
            while (found is null)
            {
                Assert.True(DateTime.UtcNow < deadline, "the message did not reach the poison queue within 30 s");
                var peeked = (await poison.PeekMessagesAsync(32)).Value;
                found = peeked.Select(m => m.Body.ToString()).FirstOrDefault(b => b.Contains(session.ToString(), StringComparison.Ordinal));
                await Task.Delay(100);
            }

            Assert.Equal(1, JsonDocument.Parse(found).RootElement.GetProperty("version").GetInt32());
            Assert.Equal(5, await db.ExecuteScalarAsync<long>("SELECT last_value FROM fail_session_tries"));
            Assert.Equal(0, await db.ExecuteScalarAsync<int>("SELECT count(*) FROM events WHERE session_id = @session", new { session }));
            Assert.Equal(0, await db.ExecuteScalarAsync<int>("SELECT count(*) FROM event_dead_letters WHERE strpos(envelope, @session) > 0", new { session = session.ToString() }));
        }
        finally
        {
            await db.ExecuteAsync("DROP TRIGGER fail_session ON events; DROP FUNCTION fail_session(); DROP SEQUENCE fail_session_tries;");
        }
    }

    [Fact]
    public async Task A_message_that_is_not_an_envelope_goes_straight_to_poison()
    {
        var marker = $"not-an-envelope-{Guid.NewGuid()}";
        var sent = (await api.Queue(QueueNames.Events).SendMessageAsync(marker)).Value;

        var poison = api.Queue(QueueNames.EventsPoison);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await poison.PeekMessagesAsync(32)).Value.Any(m => m.Body.ToString() == marker))
        {
            Assert.True(DateTime.UtcNow < deadline, "the message did not reach the poison queue within 30 s");
            await Task.Delay(100);
        }

        // Straight means on its first delivery, by the function itself. Mutation: throwing instead (so that the host
        // moves it after maxDequeueCount tries) leaves no such line, and going on after the move logs one per try.
        var moved = api.HostLog.Split('\n').Where(line => line.Contains($"Message {sent.MessageId} on events is not an event envelope", StringComparison.Ordinal)).ToList();
        Assert.Equal("delivery 1", Assert.Single(moved).Split('(', ')')[1]);
    }

    /// <summary>A failed run of the drain as each host logs it: the Functions host's "Executed … (Failed" line, the development host's retry line.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"Executed 'Functions\.EventsDrain' \(Failed|Function EventsDrain failed on message")]
    private static partial System.Text.RegularExpressions.Regex FailedDrains();
}
