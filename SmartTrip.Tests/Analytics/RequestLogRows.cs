using Dapper;
using Npgsql;

namespace SmartTrip.Tests.Analytics;

/// <summary>Writes recommendation_requests rows of known content for the metrics tests.</summary>
internal static class RequestLogRows
{
    /// <summary>One logged request; <paramref name="count"/> is the final (and primary) result count, 0 = no results.</summary>
    public static Task InsertAsync(NpgsqlConnection db, DateTime createdAt, int responseMs, decimal? top, int count, string? session,
        bool relaxed = false, int[]? countries = null, string[]? continents = null, int? type = null, int[]? themes = null,
        decimal? budget = null, string? year = null, string? month = null) =>
        db.ExecuteAsync(
            """
            INSERT INTO recommendation_requests (request_id, session_id, created_at, preferences, selected_countries, selected_continents,
                preferred_type_id, preferred_theme_ids, budget, year, month, response_time_ms, total_candidates, primary_count,
                relaxed_count, final_count, has_relaxed_results, has_no_results, top_score, result_trip_ids, result_scores, search_type)
            VALUES (gen_random_uuid(), @session, @createdAt, '{}', @countries, @continents, @type, @themes, @budget, @year, @month,
                @responseMs, @count, @count, 0, @count, @relaxed, @count = 0, @top, '{}', '{}', 'exploration')
            """,
            new
            {
                session, createdAt = DateTime.SpecifyKind(createdAt, DateTimeKind.Utc), countries = countries ?? [], continents = continents ?? [],
                type, themes = themes ?? [], budget, year, month, responseMs, count, relaxed, top,
            });
}
