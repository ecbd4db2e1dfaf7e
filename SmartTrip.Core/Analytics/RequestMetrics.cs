using System.Text.Json.Serialization;
using Dapper;
using Npgsql;

namespace SmartTrip.Core.Analytics;

/// <summary>
/// The request metrics of one UTC day or window (analytics.md §2), rounded half-to-even on exact decimals. Each wire name
/// is also the column of <c>recommendation_metrics_daily</c> and the alias of <see cref="RequestMetrics"/>'s SQL, so a new
/// metric is one property here, one expression there and one column in a migration.
/// </summary>
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
/// The request-log metrics (analytics.md §2, §3, §5.1): computed over a window, stored per day in
/// <c>recommendation_metrics_daily</c>, and listed per day (stored row, or computed when there is none).
/// </summary>
public sealed class RequestMetrics(NpgsqlDataSource dataSource, TimeProvider clock) : IDailyMetricsPart
{
    /// <summary>Every metric of <see cref="DailyMetrics"/>, named by its column, over the rows of [@from, @to).</summary>
    private const string MetricsSql = """
        SELECT count(*)::int AS total_requests,
               count(DISTINCT session_id)::int AS unique_sessions,
               coalesce(metrics_round(avg(response_time_ms), 2), 0) AS avg_response_time_ms,
               coalesce(trunc(percentile_cont(0.5) WITHIN GROUP (ORDER BY response_time_ms))::int, 0) AS p50_response_time_ms,
               coalesce(trunc(percentile_cont(0.95) WITHIN GROUP (ORDER BY response_time_ms))::int, 0) AS p95_response_time_ms,
               coalesce(trunc(percentile_cont(0.99) WITHIN GROUP (ORDER BY response_time_ms))::int, 0) AS p99_response_time_ms,
               coalesce(max(response_time_ms), 0) AS max_response_time_ms,
               coalesce(metrics_round(avg(top_score), 2), 0) AS avg_top_score,
               coalesce(metrics_round(avg(final_count), 2), 0) AS avg_result_count,
               coalesce(metrics_round(count(*) FILTER (WHERE has_relaxed_results) / nullif(count(*), 0)::numeric, 4), 0) AS relaxed_trigger_rate,
               coalesce(metrics_round(count(*) FILTER (WHERE has_no_results) / nullif(count(*), 0)::numeric, 4), 0) AS no_results_rate,
               coalesce(metrics_round(count(*) FILTER (WHERE top_score < 50) / nullif(count(*), 0)::numeric, 4), 0) AS low_score_rate,
               count(*) FILTER (WHERE cardinality(selected_countries) > 0)::int AS searches_with_country,
               count(*) FILTER (WHERE cardinality(selected_continents) > 0)::int AS searches_with_continent,
               count(*) FILTER (WHERE preferred_type_id IS NOT NULL)::int AS searches_with_type,
               count(*) FILTER (WHERE cardinality(preferred_theme_ids) > 0)::int AS searches_with_themes,
               count(*) FILTER (WHERE budget IS NOT NULL)::int AS searches_with_budget,
               count(*) FILTER (WHERE (year IS NOT NULL AND year <> 'all') OR (month IS NOT NULL AND month <> 'all'))::int AS searches_with_dates
          FROM recommendation_requests
         WHERE created_at >= @from AND created_at < @to
        """;

    private static readonly IReadOnlyList<string> Columns = MetricColumns.Of<DailyMetrics>();

    private static readonly string ComputeSql = $"SELECT @date AS date, m.* FROM ({MetricsSql}) m";

    /// <summary>The day's metrics computed and upserted in one statement; the top lists are another part's.</summary>
    private static readonly string UpsertSql = $"""
        INSERT INTO recommendation_metrics_daily (date, {string.Join(", ", Columns)}, created_at, updated_at)
        SELECT @date, {string.Join(", ", Columns.Select(c => "m." + c))}, @now, @now FROM ({MetricsSql}) m
        ON CONFLICT (date) DO UPDATE SET {string.Join(", ", Columns.Select(c => $"{c} = EXCLUDED.{c}"))}, updated_at = EXCLUDED.updated_at
        """;

    private static readonly string StoredSql = $"""
        SELECT date, {string.Join(", ", Columns.Select(c => $"coalesce({c}, 0) AS {c}"))}
          FROM recommendation_metrics_daily WHERE date BETWEEN @start AND @end
        """;

    /// <summary>The statements of a day's metrics (<c>from</c>, <c>to</c>, <c>date</c>) and their upsert (the same and <c>now</c>).</summary>
    internal static (string Compute, string Upsert) Statements => (ComputeSql, UpsertSql);

    public string Name => "request metrics";

    public string Table => "recommendation_metrics_daily";

    public int RecentDays => 1;

    /// <summary>The metrics of one UTC day, from the request log.</summary>
    public Task<DailyMetrics> ComputeDayAsync(DateOnly day, CancellationToken ct) =>
        ComputeAsync(day, new MetricsDay(day).From, new MetricsDay(day).To, ct);

    /// <summary>The metrics of the window [from, to) (the live summary), labelled with the date of its end.</summary>
    public Task<DailyMetrics> ComputeWindowAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        ComputeAsync(DateOnly.FromDateTime(to.UtcDateTime), from, to, ct);

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
            stored = (await connection.QueryAsync<DailyMetrics>(new CommandDefinition(StoredSql, new { start, end }, cancellationToken: ct)))
                .ToDictionary(m => m.Date);
        }

        return await MetricsDays.ListAsync(
            start, end, MetricsDay.Today(clock), stored, day => new DailyMetrics { Date = day }, day => ComputeDayAsync(day, ct));
    }

    public Task StoreAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, MetricsDay day, DateTimeOffset now, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            UpsertSql, new { date = day.Date, from = day.From, to = day.To, now }, transaction, IDailyMetricsPart.StoreTimeoutSeconds, cancellationToken: ct));

    private async Task<DailyMetrics> ComputeAsync(DateOnly date, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleAsync<DailyMetrics>(new CommandDefinition(ComputeSql, new { date, from, to }, cancellationToken: ct));
    }
}

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
