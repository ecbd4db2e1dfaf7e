using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SmartTrip.Core.Analytics;
using SmartTrip.Core.Json;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Analytics;

/// <summary>
/// Engagement metrics (docs/engagement.md) over searches and events of known content on 2026-11-24, "today" pinned to
/// 2026-11-25; every figure below is counted by hand from the rows the test writes.
/// </summary>
public sealed class EngagementMetricsTests(InProcessApiFixture api) : IClassFixture<InProcessApiFixture>
{
    private static readonly DateOnly Day = new(2026, 11, 24);
    private static readonly DateTime D = Day.ToDateTime(TimeOnly.MinValue);

    private static readonly Guid S1 = Guid.Parse("11111111-1111-4111-8111-111111111111");
    private static readonly Guid S2 = Guid.Parse("22222222-2222-4222-8222-222222222222");
    private static readonly Guid S3 = Guid.Parse("33333333-3333-4333-8333-333333333333");
    private static readonly Guid S4 = Guid.Parse("4444aaaa-4444-4444-8444-44444444aaaa");
    private static readonly Guid A = Guid.NewGuid(), B = Guid.NewGuid(), C = Guid.NewGuid(), Dd = Guid.NewGuid();
    private static readonly Guid E = Guid.NewGuid(), F = Guid.NewGuid(), G = Guid.NewGuid(), H = Guid.NewGuid();

    private EngagementMetricsService Engagement => api.Services.GetRequiredService<EngagementMetricsService>();

    /// <summary>
    /// Eight searches on the day: A (S1 10:00), B (S1 10:10), C (S2 12:00, nothing found), Dd (S2 12:20), E (S3 14:00,
    /// nothing found), F (S4 written in capitals, 16:00, nothing found), G (S4 capitals, 16:40), H (S1 23:50).
    /// </summary>
    private async Task SeedAsync(NpgsqlConnection db)
    {
        await db.ExecuteAsync("DELETE FROM events; DELETE FROM recommendation_requests; DELETE FROM engagement_metrics_daily;");
        var s1 = S1.ToString();
        await RequestLogRows.InsertAsync(db, D.AddHours(10), 10, 80, 10, s1, requestId: A);
        await RequestLogRows.InsertAsync(db, D.AddHours(10).AddMinutes(10), 10, 80, 10, s1, requestId: B);
        await RequestLogRows.InsertAsync(db, D.AddHours(12), 10, null, 0, S2.ToString(), requestId: C);
        await RequestLogRows.InsertAsync(db, D.AddHours(12).AddMinutes(20), 10, 60, 5, S2.ToString(), relaxed: true, requestId: Dd);
        await RequestLogRows.InsertAsync(db, D.AddHours(14), 10, null, 0, S3.ToString(), requestId: E);
        await RequestLogRows.InsertAsync(db, D.AddHours(16), 10, null, 0, S4.ToString().ToUpperInvariant(), requestId: F);
        await RequestLogRows.InsertAsync(db, D.AddHours(16).AddMinutes(40), 10, 70, 10, S4.ToString().ToUpperInvariant(), requestId: G);
        await RequestLogRows.InsertAsync(db, D.AddHours(23).AddMinutes(50), 10, 90, 10, s1, requestId: H);

        async Task At(string type, DateTime at, Guid session, Guid? request = null, int? trip = null, string? source = null, int? position = null,
            string metadata = "{}") => await RequestLogRows.EventAsync(db, type, at, session, request, trip, source, position, metadata);

        // A's results: two primary and one relaxed (at position 11, past the ten that are counted by position), a click, a save.
        await At("impression", D.AddHours(10).AddSeconds(5), S1, A, 1, "search_results", 1);
        await At("impression", D.AddHours(10).AddSeconds(5), S1, A, 2, "search_results", 2);
        await At("impression", D.AddHours(10).AddSeconds(5), S1, A, 3, "relaxed_results", 11);
        await At("click_trip", D.AddHours(10).AddMinutes(2), S1, A, 2, "search_results", 2);
        await At("save_trip", D.AddHours(10).AddMinutes(3), S1, A, 2);
        await At("trip_dwell_time", D.AddHours(10).AddMinutes(4), S1, A, 2, metadata: """{"duration_seconds": 45}""");
        await At("trip_dwell_time", D.AddHours(10).AddMinutes(5), S1, A, 2, metadata: """{"duration_seconds": 30.5}""");
        await At("trip_dwell_time", D.AddHours(10).AddMinutes(6), S1, A, 2);
        // No request id: the latest search of S1 in the 30 minutes before is B; the phone contact at 10:50 has none.
        await At("impression", D.AddHours(10).AddMinutes(12), S1, null, 1, "search_results", 1);
        await At("click_trip", D.AddHours(10).AddMinutes(13), S1, null, 1, "search_results", 1);
        await At("contact_phone", D.AddHours(10).AddMinutes(50), S1);
        // Dd: a relaxed result seen, clicked, contacted on WhatsApp, a booking started.
        await At("impression", D.AddHours(12).AddMinutes(21), S2, Dd, 4, "relaxed_results", 1);
        await At("click_trip", D.AddHours(12).AddMinutes(22), S2, Dd, 4, "relaxed_results", 1);
        await At("contact_whatsapp", D.AddHours(12).AddMinutes(25), S2, Dd, 4);
        await At("booking_start", D.AddHours(12).AddMinutes(30), S2, Dd, 4);
        // E found nothing; ten minutes later S3 clicks a trip of the home page (attributed to E by the session).
        await At("click_trip", D.AddHours(14).AddMinutes(10), S3, null, 5, "homepage");
        // S4's session id was logged in capitals: G still gets the impression.
        await At("impression", D.AddHours(16).AddMinutes(45), S4, null, 6, "search_results", 3);
        // H's click arrives after midnight: H led to a click, but the click is the next day's event.
        await At("click_trip", D.AddDays(1).AddMinutes(5), S1, H, 1, "search_results", 1);
        // A click naming G more than 24 hours later is not G's; an impression the evening before is not the day's.
        await At("click_trip", D.AddDays(1).AddHours(17), S4, G, 1, "search_results", 1);
        await At("impression", D.AddMinutes(-1), S1, null, 1, "search_results", 1);
    }

    private static EngagementMetrics Expected => new()
    {
        Date = Day,
        Searches = 8,
        SearchesWithImpressions = 4, // A, B, Dd, G
        SearchesWithClick = 5, // A, B, Dd, E, H
        SearchesWithSaveOrContact = 2, // A (save), Dd (WhatsApp)
        SearchClickRate = 0.625m,
        Impressions = 6,
        Clicks = 4,
        ClickThroughRate = 0.6667m,
        Saves = 1,
        WhatsappContacts = 1,
        PhoneContacts = 1,
        BookingStarts = 1,
        DwellEvents = 2,
        AvgDwellSeconds = 37.75m,
        CtrByPosition =
        [
            new PositionEngagement { Position = 1, Impressions = 3, Clicks = 2, ClickThroughRate = 0.6667m },
            new PositionEngagement { Position = 2, Impressions = 1, Clicks = 1, ClickThroughRate = 1m },
            new PositionEngagement { Position = 3, Impressions = 1, Clicks = 0, ClickThroughRate = 0m },
            .. Enumerable.Range(4, 7).Select(p => new PositionEngagement { Position = p }),
        ],
        Tiers =
        [
            new TierEngagement { Tier = "primary", Impressions = 4, Clicks = 2, ClickThroughRate = 0.5m, SearchesWithClick = 3 },
            new TierEngagement { Tier = "relaxed", Impressions = 2, Clicks = 1, ClickThroughRate = 0.5m, SearchesWithClick = 1 },
        ],
        EmptyResults = new EmptyResultFollowUps { Searches = 3, SearchedAgain = 1, Clicked = 2, Left = 1 },
    };

    [Fact]
    public async Task A_day_of_known_searches_and_events_gives_the_hand_computed_engagement()
    {
        await using var db = new NpgsqlConnection(api.ConnectionString);
        await SeedAsync(db);

        var day = await Engagement.ComputeDayAsync(Day, CancellationToken.None);

        AssertSame(Expected, day);
    }

    [Fact]
    public async Task The_run_stores_the_day_as_computed_and_the_endpoint_serves_it_with_the_range_total()
    {
        await using var db = new NpgsqlConnection(api.ConnectionString);
        await SeedAsync(db);

        await api.Services.GetRequiredService<DailyMetricsRun>().RunAsync(CancellationToken.None);
        var stored = await db.QuerySingleAsync<string>("SELECT metrics::text FROM engagement_metrics_daily WHERE date = @Day", new { Day });
        // The stored document is what is served: a changed row shows through the endpoint.
        await db.ExecuteAsync("UPDATE engagement_metrics_daily SET metrics = jsonb_set(metrics, '{saves}', '99') WHERE date = @Day", new { Day });
        var (status, body) = await api.SendWithKeyAsync(HttpMethod.Get, "/api/metrics/engagement?start=2026-11-23&end=2026-11-25");

        AssertSame(Expected, JsonSerializer.Deserialize<EngagementMetrics>(stored, SmartTripJson.Options)!);
        Assert.Equal(200, status);
        Assert.Equal(("2026-11-23", "2026-11-25", 3), (body.GetProperty("start").GetString(), body.GetProperty("end").GetString(), body.GetProperty("count").GetInt32()));
        var days = body.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(["2026-11-23", "2026-11-24", "2026-11-25"], days.Select(d => d.GetProperty("date").GetString()));
        Assert.Equal((0, 99, 0), (days[0].GetProperty("saves").GetInt32(), days[1].GetProperty("saves").GetInt32(), days[2].GetProperty("saves").GetInt32()));
        // Today (live) holds H's late click and the one naming G too late for G: two clicks, no search of its own.
        Assert.Equal((2, 0), (days[2].GetProperty("clicks").GetInt32(), days[2].GetProperty("searches").GetInt32()));
        Assert.Equal(10, days[2].GetProperty("ctr_by_position").GetArrayLength());
        // The range's total is computed over the three days at once (the impression of the 23rd evening included).
        var total = body.GetProperty("total");
        Assert.Equal((7, 6, 1), (total.GetProperty("impressions").GetInt32(), total.GetProperty("clicks").GetInt32(), total.GetProperty("saves").GetInt32()));
        Assert.Equal((8, 5), (total.GetProperty("searches").GetInt32(), total.GetProperty("searches_with_click").GetInt32()));
    }

    [Fact]
    public async Task Top_trips_rank_by_clicks_ctr_with_enough_impressions_or_contacts_with_the_catalogue_title()
    {
        await using var db = new NpgsqlConnection(api.ConnectionString);
        await db.ExecuteAsync("DELETE FROM events;");
        var trips = (await db.QueryAsync<(int Id, string Title, DateTime Start)>(
            """
            SELECT o.id, t.title, o.start_date FROM trip_occurrences o JOIN trip_templates t ON t.id = o.trip_template_id
             ORDER BY o.id LIMIT 3
            """)).ToList();
        var (t1, t2, t3) = (trips[0].Id, trips[1].Id, trips[2].Id);
        const int Gone = 999_999; // no such occurrence: ranked without a title
        var now = api.Clock.GetUtcNow().UtcDateTime;
        var session = Guid.NewGuid();
        async Task Many(string type, int trip, int count, TimeSpan age)
        {
            for (var i = 0; i < count; i++)
            {
                await RequestLogRows.EventAsync(db, type, now - age, session, trip: trip);
            }
        }

        // t1: 40 impressions, 4 clicks (0.1), 1 phone contact. t2: 20 impressions, 3 clicks (0.15), 2 WhatsApp contacts.
        // t3: 5 impressions, 4 clicks (too few impressions for the CTR list). Gone: 4 clicks. Older than 7 days: not counted.
        await Many("impression", t1, 40, TimeSpan.FromHours(1));
        await Many("click_trip", t1, 4, TimeSpan.FromHours(1));
        await Many("contact_phone", t1, 1, TimeSpan.FromHours(1));
        await Many("impression", t2, 20, TimeSpan.FromDays(6));
        await Many("click_trip", t2, 3, TimeSpan.FromDays(6));
        await Many("contact_whatsapp", t2, 2, TimeSpan.FromDays(6));
        await Many("impression", t3, 5, TimeSpan.FromHours(2));
        await Many("click_trip", t3, 4, TimeSpan.FromHours(2));
        await Many("click_trip", Gone, 4, TimeSpan.FromHours(3));
        await Many("click_trip", t2, 10, TimeSpan.FromDays(8));

        var (_, clicks) = await api.SendWithKeyAsync(HttpMethod.Get, "/api/metrics/top-trips");
        var (_, ctr) = await api.SendWithKeyAsync(HttpMethod.Get, "/api/metrics/top-trips?by=ctr&days=abc");
        var (_, contacts) = await api.SendWithKeyAsync(HttpMethod.Get, "/api/metrics/top-trips?by=contacts&limit=1");
        var (_, yesterday) = await api.SendWithKeyAsync(HttpMethod.Get, "/api/metrics/top-trips?days=1");
        var (badStatus, bad) = await api.SendWithKeyAsync(HttpMethod.Get, "/api/metrics/top-trips?by=saves");

        static IEnumerable<(int, int)> Ranked(JsonElement body, string figure) =>
            body.GetProperty("data").GetProperty("trips").EnumerateArray().Select(t => (t.GetProperty("trip_id").GetInt32(), t.GetProperty(figure).GetInt32()));
        Assert.Equal([(t1, 4), (t3, 4), (Gone, 4), (t2, 3)], Ranked(clicks, "clicks"));
        var first = clicks.GetProperty("data").GetProperty("trips")[0];
        Assert.Equal((trips[0].Title, DateOnly.FromDateTime(trips[0].Start).ToString("yyyy-MM-dd"), 40, 0.1m, 1, 1, 0),
            (first.GetProperty("title").GetString(), first.GetProperty("start_date").GetString(), first.GetProperty("impressions").GetInt32(),
             first.GetProperty("click_through_rate").GetDecimal(), first.GetProperty("contacts").GetInt32(), first.GetProperty("phone_contacts").GetInt32(),
             first.GetProperty("whatsapp_contacts").GetInt32()));
        var gone = clicks.GetProperty("data").GetProperty("trips")[2];
        Assert.Equal((JsonValueKind.Null, JsonValueKind.Null), (gone.GetProperty("title").ValueKind, gone.GetProperty("click_through_rate").ValueKind));
        Assert.Equal(("clicks", 7, 20), (clicks.GetProperty("data").GetProperty("by").GetString(), clicks.GetProperty("data").GetProperty("days").GetInt32(),
            clicks.GetProperty("data").GetProperty("min_impressions_for_ctr").GetInt32()));
        Assert.Equal([(t2, 3), (t1, 4)], Ranked(ctr, "clicks"));
        Assert.Equal([(t2, 2)], Ranked(contacts, "contacts"));
        Assert.Equal([(t1, 4), (t3, 4), (Gone, 4)], Ranked(yesterday, "clicks"));
        Assert.Equal(400, badStatus);
        Assert.Equal("""{"success":false,"error":"Invalid by: saves. Valid values: clicks, contacts, ctr"}""", bad.GetRawText());
    }

    [Fact]
    public async Task A_day_without_anything_has_ten_positions_two_tiers_and_zeros()
    {
        var metrics = await Engagement.ComputeDayAsync(new DateOnly(2020, 1, 1), CancellationToken.None);

        AssertSame(EngagementMetricsService.Empty(new DateOnly(2020, 1, 1)), metrics);
    }

    /// <summary>Compares as the wire shows them (records holding lists compare the lists by reference).</summary>
    private static void AssertSame(EngagementMetrics expected, EngagementMetrics actual) =>
        Assert.Equal(JsonSerializer.Serialize(expected, SmartTripJson.Options), JsonSerializer.Serialize(actual, SmartTripJson.Options));
}
