using Dapper;
using Npgsql;

namespace SmartTrip.Tests.Analytics;

/// <summary>Writes recommendation_requests rows of known content for the metrics tests.</summary>
internal static class RequestLogRows
{
    /// <summary>
    /// One stored event of <paramref name="type"/>, received at <paramref name="at"/>, for the engagement metrics; the
    /// browser is a fresh one unless given.
    /// </summary>
    public static Task EventAsync(NpgsqlConnection db, string type, DateTime at, Guid session, Guid? request = null, int? trip = null,
        string? source = null, int? position = null, string metadata = "{}", Guid? browser = null) =>
        db.ExecuteAsync(
            """
            INSERT INTO events (event_id, session_id, anonymous_id, event_type_id, trip_id, recommendation_request_id, source,
                event_data, position_in_results, "timestamp")
            SELECT gen_random_uuid(), @session, coalesce(@browser, gen_random_uuid()), id, @trip, @request, @source,
                   @metadata::jsonb, @position, @at
              FROM event_types WHERE name = @type
            """,
            new { type, at = DateTime.SpecifyKind(at, DateTimeKind.Utc), session, request, trip, source, position, metadata, browser });

    /// <summary>One logged request; <paramref name="count"/> is the final (and primary) result count, 0 = no results.</summary>
    public static Task InsertAsync(NpgsqlConnection db, DateTime createdAt, int responseMs, decimal? top, int count, string? session,
        bool relaxed = false, int[]? countries = null, string[]? continents = null, int? type = null, int[]? themes = null,
        decimal? budget = null, string? year = null, string? month = null, Guid? requestId = null) =>
        db.ExecuteAsync(
            """
            INSERT INTO recommendation_requests (request_id, session_id, created_at, preferences, selected_countries, selected_continents,
                preferred_type_id, preferred_theme_ids, budget, year, month, response_time_ms, total_candidates, primary_count,
                relaxed_count, final_count, has_relaxed_results, has_no_results, top_score, result_trip_ids, result_scores, search_type)
            VALUES (coalesce(@requestId, gen_random_uuid()), @session, @createdAt, '{}', @countries, @continents, @type, @themes, @budget, @year, @month,
                @responseMs, @count, @count, 0, @count, @relaxed, @count = 0, @top, '{}', '{}', 'exploration')
            """,
            new
            {
                session, createdAt = DateTime.SpecifyKind(createdAt, DateTimeKind.Utc), countries = countries ?? [], continents = continents ?? [],
                type, themes = themes ?? [], budget, year, month, responseMs, count, relaxed, top, requestId,
            });
}
