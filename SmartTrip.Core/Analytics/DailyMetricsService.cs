using System.Text.Json.Serialization;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace SmartTrip.Core.Analytics;

/// <summary>The metrics of one UTC day or window (analytics.md §2), rounded half-to-even on exact decimals.</summary>
public sealed record DailyMetrics
{
    [JsonPropertyName("date")] public DateOnly Date { get; init; }
    [JsonPropertyName("total_requests")] public int TotalRequests { get; init; }
    [JsonPropertyName("unique_sessions")] public int UniqueSessions { get; init; }
    [JsonPropertyName("avg_response_time_ms")] public decimal AvgResponseTimeMs { get; init; }
    [JsonPropertyName("p50_response_time_ms")] public int P50ResponseTimeMs { get; init; }
    [JsonPropertyName("p95_response_time_ms")] public int P95ResponseTimeMs { get; init; }
    [JsonPropertyName("p99_response_time_ms")] public int P99ResponseTimeMs { get; init; }
    [JsonPropertyName("max_response_time_ms")] public int MaxResponseTimeMs { get; init; }
    [JsonPropertyName("avg_top_score")] public decimal AvgTopScore { get; init; }
    [JsonPropertyName("avg_result_count")] public decimal AvgResultCount { get; init; }
    [JsonPropertyName("relaxed_trigger_rate")] public decimal RelaxedTriggerRate { get; init; }
    [JsonPropertyName("no_results_rate")] public decimal NoResultsRate { get; init; }
    [JsonPropertyName("low_score_rate")] public decimal LowScoreRate { get; init; }
    [JsonPropertyName("searches_with_country")] public int SearchesWithCountry { get; init; }
    [JsonPropertyName("searches_with_continent")] public int SearchesWithContinent { get; init; }
    [JsonPropertyName("searches_with_type")] public int SearchesWithType { get; init; }
    [JsonPropertyName("searches_with_themes")] public int SearchesWithThemes { get; init; }
    [JsonPropertyName("searches_with_budget")] public int SearchesWithBudget { get; init; }
    [JsonPropertyName("searches_with_dates")] public int SearchesWithDates { get; init; }
}

/// <summary>
/// DailyMetrics (analytics.md §5): computes and upserts the daily rows of <c>recommendation_metrics_daily</c>, catches
/// up missing days of the last week, and recomputes the trip-interaction columns the drain does not keep.
/// </summary>
public sealed class DailyMetricsService(NpgsqlDataSource dataSource, TimeProvider clock, ILogger<DailyMetricsService> logger)
{
    private sealed record Aggregates
    {
        public int Total { get; init; }
        public int Sessions { get; init; }
        public decimal SumResponse { get; init; }
        public double? P50 { get; init; }
        public double? P95 { get; init; }
        public double? P99 { get; init; }
        public int MaxResponse { get; init; }
        public decimal SumTop { get; init; }
        public int WithTop { get; init; }
        public decimal SumCount { get; init; }
        public int Relaxed { get; init; }
        public int NoResults { get; init; }
        public int LowScore { get; init; }
        public int WithCountry { get; init; }
        public int WithContinent { get; init; }
        public int WithType { get; init; }
        public int WithThemes { get; init; }
        public int WithBudget { get; init; }
        public int WithDates { get; init; }
    }

    /// <summary>Advisory lock held by the trip-interaction recompute ("SmTrRcmp" as a 64-bit number).</summary>
    private const long RecomputeLockKey = 0x536D_5472_5263_6D70;

    private const string WindowFilter = "created_at >= @from AND created_at < @to";

    private const string AggregatesSql = $"""
        SELECT count(*)::int AS total,
               count(DISTINCT session_id)::int AS sessions,
               coalesce(sum(response_time_ms), 0)::numeric AS sum_response,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY response_time_ms) AS p50,
               percentile_cont(0.95) WITHIN GROUP (ORDER BY response_time_ms) AS p95,
               percentile_cont(0.99) WITHIN GROUP (ORDER BY response_time_ms) AS p99,
               coalesce(max(response_time_ms), 0) AS max_response,
               coalesce(sum(top_score), 0)::numeric AS sum_top,
               count(top_score)::int AS with_top,
               coalesce(sum(final_count), 0)::numeric AS sum_count,
               count(*) FILTER (WHERE has_relaxed_results)::int AS relaxed,
               count(*) FILTER (WHERE has_no_results)::int AS no_results,
               count(*) FILTER (WHERE top_score < 50)::int AS low_score,
               count(*) FILTER (WHERE cardinality(selected_countries) > 0)::int AS with_country,
               count(*) FILTER (WHERE cardinality(selected_continents) > 0)::int AS with_continent,
               count(*) FILTER (WHERE preferred_type_id IS NOT NULL)::int AS with_type,
               count(*) FILTER (WHERE cardinality(preferred_theme_ids) > 0)::int AS with_themes,
               count(*) FILTER (WHERE budget IS NOT NULL)::int AS with_budget,
               count(*) FILTER (WHERE (year IS NOT NULL AND year <> 'all') OR (month IS NOT NULL AND month <> 'all'))::int AS with_dates
          FROM recommendation_requests
         WHERE {WindowFilter}
        """;

    private const string UpsertSql = $"""
        INSERT INTO recommendation_metrics_daily (
            date, total_requests, unique_sessions, avg_response_time_ms, p50_response_time_ms, p95_response_time_ms,
            p99_response_time_ms, max_response_time_ms, avg_top_score, avg_result_count, relaxed_trigger_rate, no_results_rate,
            low_score_rate, searches_with_country, searches_with_continent, searches_with_type, searches_with_themes,
            searches_with_budget, searches_with_dates, top_countries, top_continents, top_types, top_themes, created_at, updated_at)
        VALUES (
            @Date, @TotalRequests, @UniqueSessions, @AvgResponseTimeMs, @P50ResponseTimeMs, @P95ResponseTimeMs,
            @P99ResponseTimeMs, @MaxResponseTimeMs, @AvgTopScore, @AvgResultCount, @RelaxedTriggerRate, @NoResultsRate,
            @LowScoreRate, @SearchesWithCountry, @SearchesWithContinent, @SearchesWithType, @SearchesWithThemes,
            @SearchesWithBudget, @SearchesWithDates,
            (SELECT coalesce(jsonb_agg(jsonb_build_object('id', x.id, 'name', x.name, 'count', x.n) ORDER BY x.n DESC, x.id), '[]')
               FROM (SELECT c.id, c.name, count(*) AS n FROM recommendation_requests r
                       CROSS JOIN LATERAL unnest(r.selected_countries) AS s(id) JOIN countries c ON c.id = s.id
                      WHERE r.created_at >= @from AND r.created_at < @to GROUP BY c.id, c.name ORDER BY n DESC, c.id LIMIT 10) x),
            (SELECT coalesce(jsonb_agg(jsonb_build_object('name', x.name, 'count', x.n) ORDER BY x.n DESC, x.name COLLATE "C"), '[]')
               FROM (SELECT s.name, count(*) AS n FROM recommendation_requests r
                       CROSS JOIN LATERAL unnest(r.selected_continents) AS s(name)
                      WHERE r.created_at >= @from AND r.created_at < @to GROUP BY s.name ORDER BY n DESC, s.name COLLATE "C" LIMIT 10) x),
            (SELECT coalesce(jsonb_agg(jsonb_build_object('id', x.id, 'name', x.name, 'count', x.n) ORDER BY x.n DESC, x.id), '[]')
               FROM (SELECT t.id, t.name, count(*) AS n FROM recommendation_requests r JOIN trip_types t ON t.id = r.preferred_type_id
                      WHERE r.created_at >= @from AND r.created_at < @to GROUP BY t.id, t.name ORDER BY n DESC, t.id LIMIT 10) x),
            (SELECT coalesce(jsonb_agg(jsonb_build_object('id', x.id, 'name', x.name, 'count', x.n) ORDER BY x.n DESC, x.id), '[]')
               FROM (SELECT g.id, g.name, count(*) AS n FROM recommendation_requests r
                       CROSS JOIN LATERAL unnest(r.preferred_theme_ids) AS s(id) JOIN tags g ON g.id = s.id
                      WHERE r.created_at >= @from AND r.created_at < @to GROUP BY g.id, g.name ORDER BY n DESC, g.id LIMIT 10) x),
            @now, @now)
        ON CONFLICT (date) DO UPDATE SET
            total_requests = EXCLUDED.total_requests, unique_sessions = EXCLUDED.unique_sessions,
            avg_response_time_ms = EXCLUDED.avg_response_time_ms, p50_response_time_ms = EXCLUDED.p50_response_time_ms,
            p95_response_time_ms = EXCLUDED.p95_response_time_ms, p99_response_time_ms = EXCLUDED.p99_response_time_ms,
            max_response_time_ms = EXCLUDED.max_response_time_ms, avg_top_score = EXCLUDED.avg_top_score,
            avg_result_count = EXCLUDED.avg_result_count, relaxed_trigger_rate = EXCLUDED.relaxed_trigger_rate,
            no_results_rate = EXCLUDED.no_results_rate, low_score_rate = EXCLUDED.low_score_rate,
            searches_with_country = EXCLUDED.searches_with_country, searches_with_continent = EXCLUDED.searches_with_continent,
            searches_with_type = EXCLUDED.searches_with_type, searches_with_themes = EXCLUDED.searches_with_themes,
            searches_with_budget = EXCLUDED.searches_with_budget, searches_with_dates = EXCLUDED.searches_with_dates,
            top_countries = EXCLUDED.top_countries, top_continents = EXCLUDED.top_continents,
            top_types = EXCLUDED.top_types, top_themes = EXCLUDED.top_themes, updated_at = EXCLUDED.updated_at
        """;

    /// <summary>
    /// One pass per event type over ix_events_trip_interaction (index-only scans that already come in trip order, so the
    /// grouping needs no sort of the whole set); the type ids are read first.
    /// </summary>
    private const string RecomputeTripsSql = """
        WITH viewed AS (
            SELECT trip_id, count(DISTINCT anonymous_id) AS viewers, count(*) FILTER (WHERE "timestamp" >= @since) AS impressions
              FROM events
             WHERE trip_id IS NOT NULL AND event_type_id = @impression
             GROUP BY trip_id),
        clicked AS (
            SELECT trip_id, count(DISTINCT anonymous_id) AS clickers, count(*) FILTER (WHERE "timestamp" >= @since) AS clicks
              FROM events
             WHERE trip_id IS NOT NULL AND event_type_id = @click
             GROUP BY trip_id)
        UPDATE trip_interactions i
           SET unique_viewers = coalesce(v.viewers, 0), unique_clickers = coalesce(c.clickers, 0),
               impressions_7d = coalesce(v.impressions, 0), clicks_7d = coalesce(c.clicks, 0), updated_at = @now
          FROM trip_interactions o
          LEFT JOIN viewed v ON v.trip_id = o.trip_id
          LEFT JOIN clicked c ON c.trip_id = o.trip_id
         WHERE i.id = o.id
        """;

    /// <summary>
    /// The statements of a day's aggregation (parameters <c>from</c>, <c>to</c>), its upsert (a <see cref="DailyMetrics"/>
    /// plus <c>from</c>, <c>to</c>, <c>now</c>) and the trip-interaction recompute (<c>impression</c>, <c>click</c>,
    /// <c>since</c>, <c>now</c>), for the query plans of the analytics scale run.
    /// </summary>
    internal static (string Aggregates, string Upsert, string RecomputeTrips) Statements => (AggregatesSql, UpsertSql, RecomputeTripsSql);

    /// <summary>The metrics of one UTC day, from the request log.</summary>
    public async Task<DailyMetrics> ComputeDayAsync(DateOnly day, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await ComputeAsync(connection, null, day, Start(day), Start(day.AddDays(1)), ct);
    }

    /// <summary>The metrics of the window [from, to) (the live summary), labelled with the date of its end.</summary>
    public async Task<DailyMetrics> ComputeWindowAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await ComputeAsync(connection, null, DateOnly.FromDateTime(to.UtcDateTime), from, to, ct);
    }

    /// <summary>
    /// <c>/api/metrics/daily</c> (analytics.md §5.1): one entry per day of [start, end], the stored row when there is
    /// one, otherwise computed now (so today is always live).
    /// </summary>
    public async Task<IReadOnlyList<DailyMetrics>> DaysAsync(DateOnly start, DateOnly end, CancellationToken ct)
    {
        if (start > end)
        {
            return [];
        }

        Dictionary<DateOnly, DailyMetrics> stored;
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        {
            stored = (await connection.QueryAsync<DailyMetrics>(new CommandDefinition(
                """
                SELECT date, total_requests, unique_sessions, coalesce(avg_response_time_ms, 0) AS avg_response_time_ms,
                       coalesce(p50_response_time_ms, 0) AS p50_response_time_ms, coalesce(p95_response_time_ms, 0) AS p95_response_time_ms,
                       coalesce(p99_response_time_ms, 0) AS p99_response_time_ms, coalesce(max_response_time_ms, 0) AS max_response_time_ms,
                       coalesce(avg_top_score, 0) AS avg_top_score, coalesce(avg_result_count, 0) AS avg_result_count,
                       coalesce(relaxed_trigger_rate, 0) AS relaxed_trigger_rate, coalesce(no_results_rate, 0) AS no_results_rate,
                       coalesce(low_score_rate, 0) AS low_score_rate, coalesce(searches_with_country, 0) AS searches_with_country,
                       coalesce(searches_with_continent, 0) AS searches_with_continent, coalesce(searches_with_type, 0) AS searches_with_type,
                       coalesce(searches_with_themes, 0) AS searches_with_themes, coalesce(searches_with_budget, 0) AS searches_with_budget,
                       coalesce(searches_with_dates, 0) AS searches_with_dates
                  FROM recommendation_metrics_daily WHERE date BETWEEN @start AND @end
                """,
                new { start, end }, cancellationToken: ct))).ToDictionary(m => m.Date);
        }

        // A day after today has no requests yet: its row is empty without asking the log, which also keeps the dates
        // of the query within what date and timestamptz hold (an end of 9999-12-31 has no next day).
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var days = new List<DailyMetrics>();
        for (var number = start.DayNumber; number <= end.DayNumber; number++)
        {
            var day = DateOnly.FromDayNumber(number);
            days.Add(stored.TryGetValue(day, out var row) ? row
                : day > today ? new DailyMetrics { Date = day }
                : await ComputeDayAsync(day, ct));
        }

        return days;
    }

    /// <summary><c>/api/metrics/top-searches</c> (analytics.md §4) over the last <paramref name="days"/> × 24 hours.</summary>
    public async Task<TopSearches> TopSearchesAsync(int days, int limit, CancellationToken ct)
    {
        var from = clock.GetUtcNow().AddDays(-days);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var continents = await connection.QueryAsync<NamedCount>(new CommandDefinition(
            """
            SELECT s.name, count(*)::int AS count FROM recommendation_requests r CROSS JOIN LATERAL unnest(r.selected_continents) AS s(name)
             WHERE r.created_at >= @from GROUP BY s.name ORDER BY count(*) DESC, s.name COLLATE "C" LIMIT @limit
            """, new { from, limit }, cancellationToken: ct));
        var types = await connection.QueryAsync<IdCount>(new CommandDefinition(
            """
            SELECT preferred_type_id AS id, count(*)::int AS count FROM recommendation_requests
             WHERE created_at >= @from AND preferred_type_id IS NOT NULL
             GROUP BY preferred_type_id ORDER BY count(*) DESC, preferred_type_id LIMIT @limit
            """, new { from, limit }, cancellationToken: ct));
        return new TopSearches(continents.ToList(), types.ToList());
    }

    /// <summary>Computes and upserts one day (its own transaction); returns what was stored.</summary>
    public async Task<DailyMetrics> AggregateDayAsync(DateOnly day, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var (from, to) = (Start(day), Start(day.AddDays(1)));
        var metrics = await ComputeAsync(connection, transaction, day, from, to, ct);
        var parameters = new DynamicParameters(metrics);
        parameters.AddDynamicParams(new { from, to, now = clock.GetUtcNow() });
        await connection.ExecuteAsync(new CommandDefinition(UpsertSql, parameters, transaction, cancellationToken: ct));
        await transaction.CommitAsync(ct);
        return metrics;
    }

    /// <summary>
    /// One timer run: yesterday plus every missing day of the week before it (oldest first), each day on its own, then
    /// the trip-interaction recompute. A failed day does not stop the others; the run then throws.
    /// </summary>
    public async Task<IReadOnlyList<DateOnly>> RunAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        HashSet<DateOnly> stored;
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        {
            stored = (await connection.QueryAsync<DateOnly>(new CommandDefinition(
                "SELECT date FROM recommendation_metrics_daily WHERE date BETWEEN @first AND @last",
                new { first = today.AddDays(-7), last = today.AddDays(-2) }, cancellationToken: ct))).ToHashSet();
        }

        var targets = Enumerable.Range(2, 6).Select(d => today.AddDays(-d)).Where(d => !stored.Contains(d))
            .Append(today.AddDays(-1)).Order().ToList();
        var failures = new List<Exception>();
        foreach (var day in targets)
        {
            try
            {
                var metrics = await AggregateDayAsync(day, ct);
                logger.LogInformation("Daily metrics for {Day}: {RequestCount} requests", day, metrics.TotalRequests);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogError(exception, "Daily metrics for {Day} failed", day);
                failures.Add(exception);
            }
        }

        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        {
            var types = (await connection.QueryAsync<(string Name, int Id)>(new CommandDefinition(
                "SELECT name, id FROM event_types WHERE name IN ('impression', 'click_trip')", cancellationToken: ct))).ToDictionary(t => t.Name, t => t.Id);
            // Two runs at once (the timer and a backfill) would update the same rows, maybe in different orders: the
            // second waits for the first instead of risking a deadlock.
            await using var transaction = await connection.BeginTransactionAsync(ct);
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT pg_advisory_xact_lock(@RecomputeLockKey)", new { RecomputeLockKey }, transaction, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(RecomputeTripsSql, new
            {
                since = now.AddDays(-7), now, impression = types["impression"], click = types["click_trip"],
            }, transaction, commandTimeout: 600, cancellationToken: ct));
            await transaction.CommitAsync(ct);
        }

        if (failures.Count > 0)
        {
            throw new AggregateException("Daily metrics failed for some days.", failures);
        }

        return targets;
    }

    private static DateTimeOffset Start(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    private static async Task<DailyMetrics> ComputeAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, DateOnly day, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var a = await connection.QuerySingleAsync<Aggregates>(new CommandDefinition(AggregatesSql, new { from, to }, transaction, cancellationToken: ct));
        decimal Mean(decimal sum, int count) => count == 0 ? 0 : Math.Round(sum / count, 2, MidpointRounding.ToEven);
        decimal Rate(int part) => a.Total == 0 ? 0 : Math.Round((decimal)part / a.Total, 4, MidpointRounding.ToEven);
        static int Percentile(double? value) => value is { } v ? (int)Math.Truncate(v) : 0;
        return new DailyMetrics
        {
            Date = day,
            TotalRequests = a.Total,
            UniqueSessions = a.Sessions,
            AvgResponseTimeMs = Mean(a.SumResponse, a.Total),
            P50ResponseTimeMs = Percentile(a.P50),
            P95ResponseTimeMs = Percentile(a.P95),
            P99ResponseTimeMs = Percentile(a.P99),
            MaxResponseTimeMs = a.MaxResponse,
            AvgTopScore = Mean(a.SumTop, a.WithTop),
            AvgResultCount = Mean(a.SumCount, a.Total),
            RelaxedTriggerRate = Rate(a.Relaxed),
            NoResultsRate = Rate(a.NoResults),
            LowScoreRate = Rate(a.LowScore),
            SearchesWithCountry = a.WithCountry,
            SearchesWithContinent = a.WithContinent,
            SearchesWithType = a.WithType,
            SearchesWithThemes = a.WithThemes,
            SearchesWithBudget = a.WithBudget,
            SearchesWithDates = a.WithDates,
        };
    }
}

public sealed record NamedCount
{
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    [JsonPropertyName("count")] public int Count { get; init; }
}

public sealed record IdCount
{
    [JsonPropertyName("id")] public int Id { get; init; }
    [JsonPropertyName("count")] public int Count { get; init; }
}

public sealed record TopSearches(
    [property: JsonPropertyName("top_continents")] IReadOnlyList<NamedCount> TopContinents,
    [property: JsonPropertyName("top_types")] IReadOnlyList<IdCount> TopTypes);

/// <summary>The live summary of <c>/api/metrics</c> (analytics.md §3).</summary>
public sealed record MetricsSummary(
    [property: JsonPropertyName("period")] string Period,
    [property: JsonPropertyName("total_requests")] int TotalRequests,
    [property: JsonPropertyName("unique_sessions")] int UniqueSessions,
    [property: JsonPropertyName("avg_response_time_ms")] decimal AvgResponseTimeMs,
    [property: JsonPropertyName("p95_response_time_ms")] int P95ResponseTimeMs,
    [property: JsonPropertyName("avg_top_score")] decimal AvgTopScore,
    [property: JsonPropertyName("relaxed_trigger_rate")] decimal RelaxedTriggerRate,
    [property: JsonPropertyName("no_results_rate")] decimal NoResultsRate)
{
    public static MetricsSummary From(int days, DailyMetrics m) => new(
        $"last_{days}_days", m.TotalRequests, m.UniqueSessions, m.AvgResponseTimeMs, m.P95ResponseTimeMs, m.AvgTopScore,
        m.RelaxedTriggerRate, m.NoResultsRate);
}
