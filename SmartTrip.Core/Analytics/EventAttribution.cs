namespace SmartTrip.Core.Analytics;

/// <summary>
/// Which search an event belongs to (docs/engagement.md §1): the search its <c>recommendation_request_id</c> names; when
/// that is null, the latest search of the same session in the 30 minutes before the event. Only events received within
/// 24 hours of their search count.
/// </summary>
internal static class EventAttribution
{
    /// <summary>How long after a search its events are counted.</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromHours(24);

    /// <summary>
    /// Common table expressions that need a CTE <c>searches (request_id, created_at)</c> of searches made in
    /// [@from, @to) and define <c>attributed (request_id, type, source, position, trip_id)</c>: one row per event of the
    /// funnel types attributed to one of those searches. <c>attributed</c> is materialised: joined to the searches by a
    /// nested loop (what the planner picks on fresh, unanalysed rows), an inlined one would be recomputed per search.
    /// </summary>
    public const string Ctes = """
        attribution_events AS (
            SELECT e.recommendation_request_id, e.session_id, e."timestamp", t.name AS type, e.source, e.position_in_results AS position, e.trip_id
              FROM events e JOIN event_types t ON t.id = e.event_type_id
             WHERE e."timestamp" >= @from AND e."timestamp" < @to + interval '24 hours'
               AND t.name IN ('impression', 'click_trip', 'save_trip', 'contact_whatsapp', 'contact_phone', 'booking_start')),
        attributed AS MATERIALIZED (
            SELECT s.request_id, a.type, a.source, a.position, a.trip_id
              FROM attribution_events a JOIN searches s ON s.request_id = a.recommendation_request_id
             WHERE a."timestamp" < s.created_at + interval '24 hours'
            UNION ALL
            SELECT s.request_id, a.type, a.source, a.position, a.trip_id
              FROM attribution_events a
             CROSS JOIN LATERAL (
                   SELECT r.request_id FROM recommendation_requests r
                    WHERE r.session_id IN (a.session_id::text, upper(a.session_id::text))
                      AND r.created_at <= a."timestamp" AND r.created_at > a."timestamp" - interval '30 minutes'
                    ORDER BY r.created_at DESC, r.id DESC LIMIT 1) latest
              JOIN searches s ON s.request_id = latest.request_id
             WHERE a.recommendation_request_id IS NULL)
        """;
}
