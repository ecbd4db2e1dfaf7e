using System.Net;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using SmartTrip.DevHost;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Tracking;

/// <summary>Sessions, identity, JWTs, validation and the idle-session timer through the development host.</summary>
[Collection(EventPipelineCollection.Name)]
public sealed class TrackingApiTests(EventsFixture api)
{
    private async Task<(int Status, JsonElement Body)> PostAsync(string path, string body, string? token = null) =>
        await api.PostJsonAsync(path, body, token is null ? null : new Dictionary<string, string> { ["Authorization"] = "Bearer " + token });

    private static string Json(object value) => JsonSerializer.Serialize(value);

    [Fact]
    public async Task Session_start_creates_then_resumes_and_an_ended_session_gets_409()
    {
        var (session, anonymous) = (Guid.NewGuid(), Guid.NewGuid());
        var body = Json(new { session_id = session.ToString("N").ToUpperInvariant(), anonymous_id = $"{{{anonymous}}}", device_type = "mobile" });

        var (created, first) = await PostAsync("/api/session/start", body);
        var (resumed, second) = await PostAsync("/api/session/start", body);

        Assert.Equal((200, 200), (created, resumed));
        Assert.True(first.GetProperty("is_new_session").GetBoolean());
        Assert.False(second.GetProperty("is_new_session").GetBoolean());
        Assert.Equal(session.ToString(), first.GetProperty("session_id").GetString());
        Assert.Equal(first.GetProperty("user_id").GetInt32(), second.GetProperty("user_id").GetInt32());
        await using var db = api.Database();
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("SELECT total_sessions FROM users WHERE anonymous_id = @anonymous", new { anonymous }));
        Assert.Equal("mobile", await db.ExecuteScalarAsync<string>("SELECT device_type FROM sessions WHERE session_id = @session", new { session }));

        await db.ExecuteAsync("UPDATE sessions SET ended_at = now() WHERE session_id = @session", new { session });
        var (ended, error) = await PostAsync("/api/session/start", body);
        Assert.Equal(409, ended);
        Assert.Equal("Session has ended. Start a new session with a new session_id.", error.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("""{"anonymous_id":"c2a6f0d4-98e1-4b3a-a7f5-0e4d1c2b3a59"}""", "session_id required")]
    [InlineData("""{"session_id":"","anonymous_id":"c2a6f0d4-98e1-4b3a-a7f5-0e4d1c2b3a59"}""", "session_id required")]
    [InlineData("""{"session_id":"7d9c3a52-1b7e-4f0a-9a55-2f6c1d0e8b31"}""", "anonymous_id required")]
    [InlineData("""{"session_id":"nope","anonymous_id":"c2a6f0d4-98e1-4b3a-a7f5-0e4d1c2b3a59"}""", "Invalid UUID format for session_id or anonymous_id")]
    [InlineData("""{"session_id":"7d9c3a52-1b7e-4f0a-9a55-2f6c1d0e8b31","anonymous_id":"c2a6f0d4-98e1-4b3a-a7f5-0e4d1c2b3a59","device_type":"a-very-long-device-name"}""", "device_type must be a string of at most 20 characters")]
    [InlineData("""{"session_id":"7d9c3a52-1b7e-4f0a-9a55-2f6c1d0e8b31","anonymous_id":"c2a6f0d4-98e1-4b3a-a7f5-0e4d1c2b3a59","referrer":5}""", "referrer must be a string of at most 2048 bytes (UTF-8)")]
    [InlineData("[1]", "Request body must be a JSON object")]
    public async Task Session_start_rejects_bad_bodies(string body, string message)
    {
        var (status, response) = await PostAsync("/api/session/start", body);

        Assert.Equal(400, status);
        Assert.Equal(message, response.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("""{"event_type":"page_view","anonymous_id":"c2a6f0d4-98e1-4b3a-a7f5-0e4d1c2b3a59"}""", "session_id", "Missing required field: session_id")]
    [InlineData("""{"event_type":5,"session_id":"S","anonymous_id":"A"}""", "event_type", "Invalid event type: 5. Valid types: booking_start, click_trip, contact_phone, contact_whatsapp, filter_change, filter_removed, impression, page_view, results_view, save_trip, scroll_depth, search_submit, share_trip, sort_change, trip_dwell_time, trip_view, unsave_trip")]
    [InlineData("""{"event_type":"page_view","session_id":"7d9c3a52-1b7e-4f0a-9a55-2f6c1d0e8b31","anonymous_id":"x"}""", "anonymous_id", "Invalid UUID format for session_id or anonymous_id")]
    [InlineData("""{"event_type":"page_view","session_id":"7d9c3a52-1b7e-4f0a-9a55-2f6c1d0e8b31","anonymous_id":"c2a6f0d4-98e1-4b3a-a7f5-0e4d1c2b3a59","source":"email"}""", "source", "Invalid source: email. Valid sources: homepage, relaxed_results, saved, search_results, similar")]
    [InlineData("""{"event_type":"impression","session_id":"7d9c3a52-1b7e-4f0a-9a55-2f6c1d0e8b31","anonymous_id":"c2a6f0d4-98e1-4b3a-a7f5-0e4d1c2b3a59","trip_id":"5"}""", "trip_id", "Invalid trip_id: must be positive integer")]
    [InlineData("""{"event_type":"click_trip","session_id":"7d9c3a52-1b7e-4f0a-9a55-2f6c1d0e8b31","anonymous_id":"c2a6f0d4-98e1-4b3a-a7f5-0e4d1c2b3a59","trip_id":5}""", "source", "source is required for click_trip events")]
    [InlineData("""{"event_type":"page_view","session_id":"7d9c3a52-1b7e-4f0a-9a55-2f6c1d0e8b31","anonymous_id":"c2a6f0d4-98e1-4b3a-a7f5-0e4d1c2b3a59","metadata":[1]}""", "metadata", "Invalid metadata: must be an object of at most 4 KB")]
    [InlineData("""{"event_type":"page_view","session_id":"7d9c3a52-1b7e-4f0a-9a55-2f6c1d0e8b31","anonymous_id":"c2a6f0d4-98e1-4b3a-a7f5-0e4d1c2b3a59","position":1.5}""", "position", "Invalid position: must be an integer")]
    [InlineData("""{"event_type":"page_view","session_id":"7d9c3a52-1b7e-4f0a-9a55-2f6c1d0e8b31","anonymous_id":"c2a6f0d4-98e1-4b3a-a7f5-0e4d1c2b3a59","score":1000}""", "score", "Invalid score: must be a number between -999.99 and 999.99")]
    [InlineData("""{"event_type":"page_view","session_id":"7d9c3a52-1b7e-4f0a-9a55-2f6c1d0e8b31","anonymous_id":"c2a6f0d4-98e1-4b3a-a7f5-0e4d1c2b3a59","referrer":7}""", "referrer", "Invalid referrer: must be a string of at most 2048 bytes (UTF-8)")]
    [InlineData("""{"event_type":"trip_dwell_time","session_id":"7d9c3a52-1b7e-4f0a-9a55-2f6c1d0e8b31","anonymous_id":"c2a6f0d4-98e1-4b3a-a7f5-0e4d1c2b3a59","metadata":{"duration_seconds":-1}}""", "metadata.duration_seconds", "Invalid duration_seconds: must be a number from 0 to 86400")]
    public async Task A_bad_single_event_gets_400_naming_the_field(string body, string field, string message)
    {
        var (status, response) = await PostAsync("/api/events", body);

        Assert.Equal(400, status);
        Assert.Equal(message, response.GetProperty("error").GetString());
        Assert.Equal(Json(new[] { new { field, message } }), response.GetProperty("errors").GetRawText());
    }

    [Fact]
    public async Task Bad_requests_enqueue_nothing()
    {
        var (session, anonymous) = (Guid.NewGuid(), Guid.NewGuid());
        var good = Json(new { event_type = "page_view", session_id = session, anonymous_id = anonymous });
        var tooMany = Json(new { events = Enumerable.Range(0, 101).Select(_ => JsonDocument.Parse(good).RootElement).ToArray() });

        Assert.Equal(400, (await PostAsync("/api/events/batch", tooMany)).Status);
        Assert.Equal("No events provided", (await PostAsync("/api/events/batch", """{"events":[]}""")).Body.GetProperty("error").GetString());
        Assert.Equal(400, (await PostAsync("/api/events/batch", "not json")).Status);
        Assert.Equal(400, (await PostAsync("/api/events", good.Replace("page_view", "bogus"))).Status);
        using var large = await api.Client.PostAsync("/api/events/batch", new StringContent($$"""{"events":[],"pad":"{{new string('x', 1_048_576)}}"}"""));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
        var (allBad, body) = await PostAsync("/api/events/batch", Json(new { events = new[] { new { event_type = "bogus" } } }));
        Assert.Equal((202, 0), (allBad, body.GetProperty("processed").GetInt32()));

        // A good event sent afterwards is drained; none of the rejected ones ever arrives.
        var marker = Guid.NewGuid();
        await PostAsync("/api/events", Json(new { event_type = "page_view", session_id = marker, anonymous_id = anonymous }));
        await api.WaitUntilAsync("SELECT count(*) = 1 FROM events WHERE session_id = @marker", new { marker });
        await Task.Delay(500);
        await using var db = api.Database();
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("SELECT count(*) FROM events WHERE session_id = @session", new { session }));
    }

    [Fact]
    public async Task Event_types_lists_the_accepted_types_by_category()
    {
        var (status, body) = await api.GetJsonAsync("/api/events/types");

        Assert.Equal(200, status);
        Assert.Equal(
            """{"success":true,"event_types":["page_view","search_submit","results_view","filter_change","filter_removed","sort_change","impression","click_trip","trip_view","trip_dwell_time","scroll_depth","save_trip","unsave_trip","contact_whatsapp","contact_phone","booking_start","share_trip"],"categories":{"navigation":["page_view"],"search":["search_submit","results_view","filter_change","filter_removed","sort_change"],"engagement":["impression","click_trip","trip_view","trip_dwell_time","scroll_depth"],"conversion":["save_trip","unsave_trip","contact_whatsapp","contact_phone","booking_start","share_trip"]},"valid_sources":["search_results","relaxed_results","homepage","similar","saved"]}""",
            body.GetRawText());
    }

    [Fact]
    public async Task Identify_needs_a_valid_token_and_links_the_identity()
    {
        var anonymous = Guid.NewGuid();
        await PostAsync("/api/session/start", Json(new { session_id = Guid.NewGuid(), anonymous_id = anonymous }));
        var sub = Guid.NewGuid().ToString();
        var email = $"{sub[..8]}@example.com";

        var (guest, guestBody) = await PostAsync("/api/user/identify", Json(new { anonymous_id = anonymous, email }));
        var (expired, _) = await PostAsync("/api/user/identify", Json(new { anonymous_id = anonymous }),
            api.HsToken(sub, email, expires: api.Clock.GetUtcNow().UtcDateTime.AddSeconds(-1)));
        var (missing, missingBody) = await PostAsync("/api/user/identify", "{}", api.HsToken(sub, email));
        var (linked, linkedBody) = await PostAsync("/api/user/identify", Json(new { anonymous_id = anonymous }), api.HsToken(sub, email));

        Assert.Equal(401, guest);
        Assert.Equal("""{"success":false,"error":"Authentication required"}""", guestBody.GetRawText());
        Assert.Equal(401, expired);
        Assert.Equal((400, "anonymous_id required"), (missing, missingBody.GetProperty("error").GetString()));
        Assert.Equal(200, linked);
        Assert.True(linkedBody.GetProperty("is_registered").GetBoolean());
        await using var db = api.Database();
        var user = await db.QuerySingleAsync<(string AuthUserId, string Email, bool IsRegistered, int Id)>(
            "SELECT auth_user_id, email, is_registered, id FROM users WHERE anonymous_id = @anonymous", new { anonymous });
        Assert.Equal((sub, email, true, linkedBody.GetProperty("user_id").GetInt32()), user);
    }

    [Fact]
    public async Task Session_start_bounds_what_it_stores()
    {
        var (refused, kept) = (Guid.NewGuid(), Guid.NewGuid());
        var (status, body) = await PostAsync("/api/session/start",
            Json(new { session_id = refused, anonymous_id = Guid.NewGuid(), referrer = "https://example.com/" + new string('r', 2029) }));
        var agent = "Mozilla/5.0 " + new string('a', 5000);
        var (okStatus, _) = await api.PostJsonAsync("/api/session/start",
            Json(new { session_id = kept, anonymous_id = Guid.NewGuid(), referrer = "https://example.com/" + new string('r', 2028) }),
            new Dictionary<string, string> { ["User-Agent"] = agent });

        Assert.Equal((400, "referrer must be a string of at most 2048 bytes (UTF-8)"), (status, body.GetProperty("error").GetString()));
        Assert.Equal(200, okStatus);
        await using var db = api.Database();
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("SELECT count(*) FROM sessions WHERE session_id = @refused", new { refused }));
        Assert.Equal((2048, agent[..512]), await db.QuerySingleAsync<(int, string)>(
            "SELECT length(referrer), user_agent FROM sessions WHERE session_id = @kept", new { kept }));
    }

    [Fact]
    public async Task A_returning_guest_is_seen_again_when_a_new_session_starts()
    {
        var anonymous = Guid.NewGuid();
        Assert.Equal(200, (await PostAsync("/api/session/start", Json(new { session_id = Guid.NewGuid(), anonymous_id = anonymous }))).Status);
        await using var db = api.Database();
        const string seen = "SELECT last_seen_at, total_sessions FROM users WHERE anonymous_id = @anonymous";
        var (firstSeen, _) = await db.QuerySingleAsync<(DateTime, int)>(seen, new { anonymous });
        const string backdate = "UPDATE users SET last_seen_at = last_seen_at - interval '3 days' WHERE anonymous_id = @anonymous";
        await db.ExecuteAsync(backdate, new { anonymous });

        var second = Json(new { session_id = Guid.NewGuid(), anonymous_id = anonymous });
        Assert.Equal(200, (await PostAsync("/api/session/start", second)).Status);
        var (lastSeen, sessions) = await db.QuerySingleAsync<(DateTime, int)>(seen, new { anonymous });
        Assert.True(lastSeen >= firstSeen, $"last seen {lastSeen:O}, first seen {firstSeen:O}");
        Assert.Equal(2, sessions);

        // Resuming a session is a visit too.
        await db.ExecuteAsync(backdate, new { anonymous });
        Assert.Equal(200, (await PostAsync("/api/session/start", second)).Status);
        (lastSeen, sessions) = await db.QuerySingleAsync<(DateTime, int)>(seen, new { anonymous });
        Assert.True(lastSeen >= firstSeen, $"last seen {lastSeen:O} after resuming, first seen {firstSeen:O}");
        Assert.Equal(2, sessions);
    }

    [Fact]
    public async Task Personal_data_stays_out_of_the_logs_whatever_happens_to_the_events()
    {
        var (browser, session, marker) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid().ToString("N"));
        var email = $"private-{marker}@example.com";
        var agent = $"PrivateAgent/{marker}";
        var token = api.HsToken($"user-{marker}", email);
        await using var db = api.Database();
        await PostAsync("/api/user/identify", Json(new { anonymous_id = browser }), token);
        await api.PostJsonAsync("/api/session/start", Json(new { session_id = session, anonymous_id = browser, referrer = $"https://ref.example/{marker}" }),
            new Dictionary<string, string> { ["User-Agent"] = agent, ["X-Forwarded-For"] = "203.0.113.77" });
        // One event is stored, one is refused by the database (dead-lettered with its reason), one token is forged.
        await db.ExecuteAsync($"ALTER TABLE events ADD CONSTRAINT refuse_private CHECK (page_url IS DISTINCT FROM 'https://example.com/refused-{marker}')");
        try
        {
            await api.PostJsonAsync("/api/events/batch", Json(new
            {
                events = new[]
                {
                    new { event_type = "page_view", session_id = session, anonymous_id = browser, page_url = $"https://example.com/kept-{marker}" },
                    new { event_type = "page_view", session_id = session, anonymous_id = browser, page_url = $"https://example.com/refused-{marker}" },
                },
            }), new Dictionary<string, string> { ["Authorization"] = "Bearer " + token });
            await PostAsync("/api/events", Json(new { event_type = "page_view", session_id = session, anonymous_id = browser }),
                api.HsToken($"user-{marker}", email, secret: "a-different-secret-that-is-also-long-enough!"));
            await api.WaitUntilAsync(
                "SELECT (SELECT count(*) FROM events WHERE session_id = @session) = 2 AND (SELECT count(*) FROM event_dead_letters WHERE envelope LIKE @refused) = 1",
                new { session, refused = $"%refused-{marker}%" });
        }
        finally
        {
            await db.ExecuteAsync("ALTER TABLE events DROP CONSTRAINT refuse_private");
            await db.ExecuteAsync("DELETE FROM event_dead_letters WHERE envelope LIKE @refused", new { refused = $"%refused-{marker}%" });
        }

        // What the hosts logged meanwhile (messages and exceptions, at the production level) names none of it.
        var log = api.HostLog;
        Assert.NotEmpty(log);
        foreach (var personal in new[] { email, marker, agent, "203.0.113.77", browser.ToString(), session.ToString(), token })
        {
            Assert.DoesNotContain(personal, log, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task A_forwarded_for_header_written_by_the_client_is_not_stored_as_its_address()
    {
        var session = Guid.NewGuid();
        var headers = new Dictionary<string, string> { ["X-Forwarded-For"] = "6.6.6.6", ["X-Real-IP"] = "6.6.6.7", ["CF-Connecting-IP"] = "6.6.6.8" };
        var (status, _) = await api.PostJsonAsync("/api/session/start", Json(new { session_id = session, anonymous_id = Guid.NewGuid() }), headers);

        Assert.Equal(200, status);
        await using var db = api.Database();
        var stored = await db.ExecuteScalarAsync<string?>("SELECT host(ip_address) FROM sessions WHERE session_id = @session", new { session });
        Assert.DoesNotContain(stored, new[] { "6.6.6.6", "6.6.6.7", "6.6.6.8" }); // the connection's address (none in process)
    }

    [Fact]
    public async Task A_token_carrying_someone_elses_email_does_not_take_over_their_user()
    {
        var (victimBrowser, attackerBrowser) = (Guid.NewGuid(), Guid.NewGuid());
        var victimEmail = $"victim-{victimBrowser:N}@example.com";
        var (_, victim) = await PostAsync("/api/user/identify", Json(new { anonymous_id = victimBrowser }), api.HsToken($"victim-{victimBrowser:N}", victimEmail));
        var victimId = victim.GetProperty("user_id").GetInt32();

        // Another account whose token claims the victim's email, from the attacker's browser.
        var (status, attacker) = await PostAsync("/api/user/identify", Json(new { anonymous_id = attackerBrowser }), api.HsToken($"mallory-{attackerBrowser:N}", victimEmail));
        var (_, session) = await PostAsync("/api/session/start", Json(new { session_id = Guid.NewGuid(), anonymous_id = attackerBrowser }));

        Assert.Equal(200, status);
        var attackerId = attacker.GetProperty("user_id").GetInt32();
        Assert.NotEqual(victimId, attackerId);
        Assert.Equal(attackerId, session.GetProperty("user_id").GetInt32()); // the browser stays the attacker's own
        await using var db = api.Database();
        var rows = (await db.QueryAsync<(int Id, Guid AnonymousId, string AuthUserId, string? Email)>(
            "SELECT id, anonymous_id, auth_user_id, email FROM users WHERE id IN (@victimId, @attackerId) ORDER BY id", new { victimId, attackerId })).ToList();
        Assert.Equal(
            [(victimId, victimBrowser, $"victim-{victimBrowser:N}", (string?)victimEmail), (attackerId, attackerBrowser, $"mallory-{attackerBrowser:N}", null)],
            rows);
    }

    [Fact]
    public async Task A_verified_email_still_finds_a_user_no_account_has_claimed()
    {
        var (browser, otherBrowser) = (Guid.NewGuid(), Guid.NewGuid());
        var email = $"pre-{browser:N}@example.com";
        await using var db = api.Database();
        // A row with the email and no account (as an import or an earlier product version left them).
        var existing = await db.ExecuteScalarAsync<int>(
            """
            INSERT INTO users (anonymous_id, email, is_registered, total_sessions, total_searches, total_clicks, is_active,
                               first_seen_at, last_seen_at, created_at, updated_at)
            VALUES (@otherBrowser, @email, FALSE, 0, 0, 0, TRUE, now(), now(), now(), now()) RETURNING id
            """, new { otherBrowser, email });

        var (_, body) = await PostAsync("/api/user/identify", Json(new { anonymous_id = browser }), api.HsToken($"owner-{browser:N}", email));

        Assert.Equal(existing, body.GetProperty("user_id").GetInt32());
        Assert.Equal(($"owner-{browser:N}", browser), await db.QuerySingleAsync<(string, Guid)>(
            "SELECT auth_user_id, anonymous_id FROM users WHERE id = @existing", new { existing }));
    }

    [Fact]
    public async Task A_second_account_on_a_browser_takes_its_unclaimed_email_row_to_that_browser()
    {
        var (browser, oldBrowser) = (Guid.NewGuid(), Guid.NewGuid());
        var email = $"second-{browser:N}@example.com";
        await using var db = api.Database();
        var (_, first) = await PostAsync("/api/user/identify", Json(new { anonymous_id = browser }), api.HsToken($"first-{browser:N}", null));
        var unclaimed = await db.ExecuteScalarAsync<int>(
            """
            INSERT INTO users (anonymous_id, email, is_registered, total_sessions, total_searches, total_clicks, is_active,
                               first_seen_at, last_seen_at, created_at, updated_at)
            VALUES (@oldBrowser, @email, FALSE, 0, 0, 0, TRUE, now(), now(), now(), now()) RETURNING id
            """, new { oldBrowser, email });

        // The browser's first account keeps its row under a fresh browser id; the second account's row, found by its
        // verified email, now answers for this browser.
        var (_, second) = await PostAsync("/api/user/identify", Json(new { anonymous_id = browser }), api.HsToken($"second-{browser:N}", email));

        Assert.Equal(unclaimed, second.GetProperty("user_id").GetInt32());
        Assert.Equal((browser, $"second-{browser:N}"), await db.QuerySingleAsync<(Guid, string)>(
            "SELECT anonymous_id, auth_user_id FROM users WHERE id = @unclaimed", new { unclaimed }));
        Assert.NotEqual(browser, await db.ExecuteScalarAsync<Guid>(
            "SELECT anonymous_id FROM users WHERE id = @id", new { id = first.GetProperty("user_id").GetInt32() }));
    }

    [Fact]
    public async Task An_email_without_a_valid_token_never_links_to_an_existing_user()
    {
        var (victim, attacker) = (Guid.NewGuid(), Guid.NewGuid());
        var email = $"victim-{Guid.NewGuid():N}@example.com";
        await PostAsync("/api/session/start", Json(new { session_id = Guid.NewGuid(), anonymous_id = victim }));
        await PostAsync("/api/user/identify", Json(new { anonymous_id = victim }), api.HsToken("victim-" + Guid.NewGuid(), email));

        var forged = api.HsToken("attacker", email, secret: "a-different-secret-that-is-also-long-enough!");
        var (status, body) = await PostAsync("/api/session/start", Json(new { session_id = Guid.NewGuid(), anonymous_id = attacker, email }), forged);

        Assert.Equal(200, status);
        await using var db = api.Database();
        var victimId = await db.ExecuteScalarAsync<int>("SELECT id FROM users WHERE email = @email", new { email });
        Assert.NotEqual(victimId, body.GetProperty("user_id").GetInt32());
        Assert.Null(await db.ExecuteScalarAsync<string?>("SELECT email FROM users WHERE anonymous_id = @attacker", new { attacker }));
    }

    [Fact]
    public async Task A_second_account_on_the_same_browser_gets_its_own_user()
    {
        var anonymous = Guid.NewGuid();
        await PostAsync("/api/session/start", Json(new { session_id = Guid.NewGuid(), anonymous_id = anonymous }));
        var (_, first) = await PostAsync("/api/user/identify", Json(new { anonymous_id = anonymous }), api.RsToken("account-a-" + anonymous));
        var (_, second) = await PostAsync("/api/user/identify", Json(new { anonymous_id = anonymous }), api.RsToken("account-b-" + anonymous));

        Assert.NotEqual(first.GetProperty("user_id").GetInt32(), second.GetProperty("user_id").GetInt32());
        await using var db = api.Database();
        Assert.Equal("account-b-" + anonymous, await db.ExecuteScalarAsync<string>("SELECT auth_user_id FROM users WHERE anonymous_id = @anonymous", new { anonymous }));
    }

    [Fact]
    public async Task Close_idle_sessions_runs_through_the_admin_api_with_the_key()
    {
        var (idle, recent) = (Guid.NewGuid(), Guid.NewGuid());
        await PostAsync("/api/session/start", Json(new { session_id = idle, anonymous_id = Guid.NewGuid() }));
        await using var db = api.Database();
        await db.ExecuteAsync("UPDATE sessions SET started_at = @started WHERE session_id = @idle",
            new { idle, started = api.Clock.GetUtcNow().AddMinutes(-45) });
        await PostAsync("/api/session/start", Json(new { session_id = recent, anonymous_id = Guid.NewGuid() }));

        static StringContent NoInput() => new("{}", System.Text.Encoding.UTF8, "application/json");
        using var unauthorized = await api.Client.PostAsync("/admin/functions/CloseIdleSessions", NoInput());
        using var withFunctionKey = new HttpRequestMessage(HttpMethod.Post, "/admin/functions/CloseIdleSessions") { Content = NoInput() };
        withFunctionKey.Headers.Add("x-functions-key", FunctionKeyPolicy.DefaultKey);
        using var refused = await api.Client.SendAsync(withFunctionKey);
        using var notJson = new HttpRequestMessage(HttpMethod.Post, "/admin/functions/CloseIdleSessions") { Content = new StringContent("{}") };
        notJson.Headers.Add("x-functions-key", FunctionKeyPolicy.DefaultMasterKey);
        using var unsupported = await api.Client.SendAsync(notJson);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/functions/CloseIdleSessions") { Content = NoInput() };
        request.Headers.Add("x-functions-key", FunctionKeyPolicy.DefaultMasterKey);
        using var run = await api.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode); // the admin API takes the master key only
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unsupported.StatusCode); // and a JSON body
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        // The development host answers when the run is over; the Functions host answers at once and runs it after.
        await api.WaitUntilAsync("SELECT ended_at IS NOT NULL FROM sessions WHERE session_id = @idle", new { idle });
        var closed = await db.QuerySingleAsync<(int? Duration, bool Ended)>(
            "SELECT duration_seconds, ended_at = started_at + interval '1 minute' FROM sessions WHERE session_id = @idle", new { idle });
        Assert.Equal((60, true), closed);
        Assert.Null(await db.ExecuteScalarAsync<DateTime?>("SELECT ended_at FROM sessions WHERE session_id = @recent", new { recent }));
    }
}
