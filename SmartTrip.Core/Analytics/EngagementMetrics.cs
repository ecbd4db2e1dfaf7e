using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using Npgsql;
using SmartTrip.Core.Json;

namespace SmartTrip.Core.Analytics;

/// <summary>Impressions and clicks of the results shown at one position (1–10).</summary>
public sealed record PositionEngagement
{
    [JsonPropertyName("position")] public int Position { get; init; }
    [JsonPropertyName("impressions")] public int Impressions { get; init; }
    [JsonPropertyName("clicks")] public int Clicks { get; init; }
    [JsonPropertyName("click_through_rate")] public decimal ClickThroughRate { get; init; }
}

/// <summary>Engagement with one tier of results: <c>primary</c> (source search_results) or <c>relaxed</c> (relaxed_results).</summary>
public sealed record TierEngagement
{
    [JsonPropertyName("tier")] public string Tier { get; init; } = "";
    [JsonPropertyName("impressions")] public int Impressions { get; init; }
    [JsonPropertyName("clicks")] public int Clicks { get; init; }
    [JsonPropertyName("click_through_rate")] public decimal ClickThroughRate { get; init; }
    [JsonPropertyName("searches_with_click")] public int SearchesWithClick { get; init; }
}

/// <summary>What people did within 30 minutes of a search that found nothing, in the same session.</summary>
public sealed record EmptyResultFollowUps
{
    [JsonPropertyName("searches")] public int Searches { get; init; }
    [JsonPropertyName("searched_again")] public int SearchedAgain { get; init; }
    [JsonPropertyName("clicked")] public int Clicked { get; init; }
    [JsonPropertyName("left")] public int Left { get; init; }
}

/// <summary>
/// The engagement of one UTC day or window (docs/engagement.md §1). Event counts are of events received in the window;
/// the search figures are of searches made in it, with the events attributed to them (<see cref="EventAttribution"/>).
/// A new figure is one entry of <see cref="EngagementMetricsService"/>'s SQL and one property here: the stored day is
/// that SQL's JSON document.
/// </summary>
public sealed record EngagementMetrics
{
    [JsonPropertyName("date")] public DateOnly Date { get; init; }
    [JsonPropertyName("searches")] public int Searches { get; init; }
    [JsonPropertyName("searches_with_impressions")] public int SearchesWithImpressions { get; init; }
    [JsonPropertyName("searches_with_click")] public int SearchesWithClick { get; init; }
    [JsonPropertyName("searches_with_save_or_contact")] public int SearchesWithSaveOrContact { get; init; }
    [JsonPropertyName("search_click_rate")] public decimal SearchClickRate { get; init; }
    [JsonPropertyName("impressions")] public int Impressions { get; init; }
    [JsonPropertyName("clicks")] public int Clicks { get; init; }
    [JsonPropertyName("click_through_rate")] public decimal ClickThroughRate { get; init; }
    [JsonPropertyName("saves")] public int Saves { get; init; }
    [JsonPropertyName("whatsapp_contacts")] public int WhatsappContacts { get; init; }
    [JsonPropertyName("phone_contacts")] public int PhoneContacts { get; init; }
    [JsonPropertyName("booking_starts")] public int BookingStarts { get; init; }
    [JsonPropertyName("dwell_events")] public int DwellEvents { get; init; }
    [JsonPropertyName("avg_dwell_seconds")] public decimal AvgDwellSeconds { get; init; }
    [JsonPropertyName("ctr_by_position")] public IReadOnlyList<PositionEngagement> CtrByPosition { get; init; } = [];
    [JsonPropertyName("tiers")] public IReadOnlyList<TierEngagement> Tiers { get; init; } = [];
    [JsonPropertyName("empty_results")] public EmptyResultFollowUps EmptyResults { get; init; } = new();
}

/// <summary>
/// Engagement metrics: computed over a window, stored per day as one JSON document in <c>engagement_metrics_daily</c>,
/// listed per day like the request metrics. Stores the day before yesterday again on every run, since events of a
/// search keep counting for 24 hours after it.
/// </summary>
public sealed class EngagementMetricsService(NpgsqlDataSource dataSource, TimeProvider clock) : IDailyMetricsPart
{
    private const string MetricsSql = $$"""
        WITH searches AS (
            SELECT id, request_id, session_id, created_at, has_no_results
              FROM recommendation_requests WHERE created_at >= @from AND created_at < @to),
        {{EventAttribution.Ctes}},
        per_search AS (
            SELECT s.request_id,
                   coalesce(bool_or(a.type = 'impression'), false) AS seen,
                   coalesce(bool_or(a.type = 'click_trip'), false) AS clicked,
                   coalesce(bool_or(a.type IN ('save_trip', 'contact_whatsapp', 'contact_phone')), false) AS acted,
                   coalesce(bool_or(a.type = 'click_trip' AND a.source = 'search_results'), false) AS clicked_primary,
                   coalesce(bool_or(a.type = 'click_trip' AND a.source = 'relaxed_results'), false) AS clicked_relaxed
              FROM searches s LEFT JOIN attributed a ON a.request_id = s.request_id
             GROUP BY s.request_id),
        day_events AS (
            SELECT t.name AS type, e.source, e.position_in_results AS position, e.event_data
              FROM events e JOIN event_types t ON t.id = e.event_type_id
             WHERE e."timestamp" >= @from AND e."timestamp" < @to),
        counts AS (
            SELECT count(*) FILTER (WHERE type = 'impression')::int AS impressions,
                   count(*) FILTER (WHERE type = 'click_trip')::int AS clicks,
                   count(*) FILTER (WHERE type = 'save_trip')::int AS saves,
                   count(*) FILTER (WHERE type = 'contact_whatsapp')::int AS whatsapp_contacts,
                   count(*) FILTER (WHERE type = 'contact_phone')::int AS phone_contacts,
                   count(*) FILTER (WHERE type = 'booking_start')::int AS booking_starts,
                   count(*) FILTER (WHERE type = 'trip_dwell_time' AND jsonb_typeof(event_data -> 'duration_seconds') = 'number')::int AS dwell_events,
                   avg((event_data ->> 'duration_seconds')::numeric)
                       FILTER (WHERE type = 'trip_dwell_time' AND jsonb_typeof(event_data -> 'duration_seconds') = 'number') AS avg_dwell
              FROM day_events),
        positions AS (
            SELECT p.position,
                   count(*) FILTER (WHERE d.type = 'impression')::int AS impressions,
                   count(*) FILTER (WHERE d.type = 'click_trip')::int AS clicks
              FROM generate_series(1, 10) AS p(position)
              LEFT JOIN day_events d ON d.position = p.position AND d.type IN ('impression', 'click_trip')
             GROUP BY p.position),
        tiers AS (
            SELECT v.tier, v.ord,
                   count(*) FILTER (WHERE d.type = 'impression')::int AS impressions,
                   count(*) FILTER (WHERE d.type = 'click_trip')::int AS clicks
              FROM (VALUES ('primary', 'search_results', 1), ('relaxed', 'relaxed_results', 2)) AS v(tier, source, ord)
              LEFT JOIN day_events d ON d.source = v.source AND d.type IN ('impression', 'click_trip')
             GROUP BY v.tier, v.ord),
        empty AS (
            SELECT EXISTS (SELECT 1 FROM recommendation_requests n
                            WHERE n.session_id = s.session_id AND n.created_at > s.created_at
                              AND n.created_at <= s.created_at + interval '30 minutes') AS searched_again,
                   EXISTS (SELECT 1 FROM events e
                            WHERE e.session_id = CASE WHEN s.session_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                                                      THEN s.session_id::uuid END
                              AND e."timestamp" > s.created_at AND e."timestamp" <= s.created_at + interval '30 minutes'
                              AND e.event_type_id = (SELECT id FROM event_types WHERE name = 'click_trip')) AS clicked
              FROM searches s WHERE s.has_no_results)
        SELECT jsonb_build_object(
            'date', @date,
            'searches', (SELECT count(*) FROM searches),
            'searches_with_impressions', (SELECT count(*) FROM per_search WHERE seen),
            'searches_with_click', (SELECT count(*) FROM per_search WHERE clicked),
            'searches_with_save_or_contact', (SELECT count(*) FROM per_search WHERE acted),
            'search_click_rate', (SELECT metrics_rate(count(*) FILTER (WHERE clicked), count(*)) FROM per_search),
            'impressions', c.impressions,
            'clicks', c.clicks,
            'click_through_rate', metrics_rate(c.clicks, c.impressions),
            'saves', c.saves,
            'whatsapp_contacts', c.whatsapp_contacts,
            'phone_contacts', c.phone_contacts,
            'booking_starts', c.booking_starts,
            'dwell_events', c.dwell_events,
            'avg_dwell_seconds', coalesce(trim_scale(metrics_round(c.avg_dwell, 2)), 0),
            'ctr_by_position', (SELECT jsonb_agg(jsonb_build_object(
                    'position', position, 'impressions', impressions, 'clicks', clicks,
                    'click_through_rate', metrics_rate(clicks, impressions)) ORDER BY position)
                FROM positions),
            'tiers', (SELECT jsonb_agg(jsonb_build_object(
                    'tier', t.tier, 'impressions', t.impressions, 'clicks', t.clicks,
                    'click_through_rate', metrics_rate(t.clicks, t.impressions),
                    'searches_with_click', (SELECT count(*) FROM per_search p
                                             WHERE CASE t.tier WHEN 'primary' THEN p.clicked_primary ELSE p.clicked_relaxed END)) ORDER BY t.ord)
                FROM tiers t),
            'empty_results', (SELECT jsonb_build_object(
                    'searches', count(*), 'searched_again', count(*) FILTER (WHERE searched_again),
                    'clicked', count(*) FILTER (WHERE clicked), 'left', count(*) FILTER (WHERE NOT searched_again AND NOT clicked))
                FROM empty))
          FROM counts c
        """;

    private const string UpsertSql = $"""
        INSERT INTO engagement_metrics_daily (date, metrics, created_at, updated_at)
        SELECT @date, ({MetricsSql}), @now, @now
        ON CONFLICT (date) DO UPDATE SET metrics = EXCLUDED.metrics, updated_at = EXCLUDED.updated_at
        """;

    private static readonly JsonSerializerOptions Json = SmartTripJson.Options;

    /// <summary>The statement of a window's engagement (<c>date</c>, <c>from</c>, <c>to</c>), for query plans.</summary>
    internal static string Statement => MetricsSql;

    public string Name => "engagement";

    public string Table => "engagement_metrics_daily";

    public int RecentDays => 2;

    /// <summary>The engagement of one UTC day.</summary>
    public Task<EngagementMetrics> ComputeDayAsync(DateOnly day, CancellationToken ct) =>
        ComputeWindowAsync(new MetricsDay(day).From, new MetricsDay(day).To, ct, day);

    /// <summary>The engagement of the window [from, to), labelled with <paramref name="label"/> (default: the date of its end).</summary>
    public async Task<EngagementMetrics> ComputeWindowAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct, DateOnly? label = null)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var json = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            MetricsSql, new { date = label ?? DateOnly.FromDateTime(to.UtcDateTime), from, to }, cancellationToken: ct));
        return Read(json!);
    }

    /// <summary>One entry per day of [start, end]: the stored day, or computed now when there is none (today is always live).</summary>
    public async Task<IReadOnlyList<EngagementMetrics>> DaysAsync(DateOnly start, DateOnly end, CancellationToken ct)
    {
        if (start > end)
        {
            return [];
        }

        Dictionary<DateOnly, EngagementMetrics> stored;
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        {
            stored = (await connection.QueryAsync<string>(new CommandDefinition(
                    "SELECT metrics::text FROM engagement_metrics_daily WHERE date BETWEEN @start AND @end", new { start, end }, cancellationToken: ct)))
                .Select(Read).ToDictionary(m => m.Date);
        }

        return await MetricsDays.ListAsync(start, end, MetricsDay.Today(clock), stored, Empty, day => ComputeDayAsync(day, ct));
    }

    public Task StoreAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, MetricsDay day, DateTimeOffset now, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            UpsertSql, new { date = day.Date, from = day.From, to = day.To, now }, transaction, IDailyMetricsPart.StoreTimeoutSeconds, cancellationToken: ct));

    /// <summary>A day nothing happened on yet, shaped like a computed one (ten positions, both tiers).</summary>
    public static EngagementMetrics Empty(DateOnly day) => new()
    {
        Date = day,
        CtrByPosition = Enumerable.Range(1, 10).Select(p => new PositionEngagement { Position = p }).ToList(),
        Tiers = [new TierEngagement { Tier = "primary" }, new TierEngagement { Tier = "relaxed" }],
    };

    private static EngagementMetrics Read(string json) =>
        JsonSerializer.Deserialize<EngagementMetrics>(json, Json) ?? throw new InvalidOperationException("Stored engagement metrics are null.");
}
