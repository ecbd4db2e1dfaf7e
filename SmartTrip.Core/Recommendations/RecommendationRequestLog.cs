using Dapper;
using Npgsql;

namespace SmartTrip.Core.Recommendations;

/// <summary>One <c>recommendation_requests</c> row (recommendation.md §10, schema.md §4.1).</summary>
public sealed record RecommendationLogEntry
{
    public required Guid RequestId { get; init; }
    public string? SessionId { get; init; }
    public required DateTime CreatedAt { get; init; }
    public required string Preferences { get; init; }
    public required int[] SelectedCountries { get; init; }
    public required string[] SelectedContinents { get; init; }
    public int? PreferredTypeId { get; init; }
    public required int[] PreferredThemeIds { get; init; }
    public int? MinDuration { get; init; }
    public int? MaxDuration { get; init; }
    public decimal? Budget { get; init; }
    public int? Difficulty { get; init; }
    public string? Year { get; init; }
    public string? Month { get; init; }
    public required int ResponseTimeMs { get; init; }
    public required int TotalCandidates { get; init; }
    public required int PrimaryCount { get; init; }
    public required int RelaxedCount { get; init; }
    public int FinalCount => PrimaryCount + RelaxedCount;
    public bool HasRelaxedResults => RelaxedCount > 0;
    public bool HasNoResults => FinalCount == 0;
    public decimal? TopScore { get; init; }
    public decimal? AvgScore { get; init; }
    public decimal? MinScore { get; init; }
    public decimal? ScoreStdDev { get; init; }
    public required int[] ResultTripIds { get; init; }
    public required decimal[] ResultScores { get; init; }
    public required string AlgorithmVersion { get; init; }
    public required string SearchType { get; init; }

    /// <summary>The largest magnitude NUMERIC(10,2) holds.</summary>
    private const decimal BudgetLimit = 99_999_999.99m;

    /// <summary>Builds the row for an answered request.</summary>
    public static RecommendationLogEntry Create(
        RecommendationResponse response, TripPreferences preferences, string body, string? sessionId,
        DateTime createdAt, int responseTimeMs, string algorithmVersion)
    {
        var scores = response.Data.Select(d => d.MatchScore).ToArray();
        var budget = preferences.BudgetDecimal is { } exact ? Math.Round(exact, 2, MidpointRounding.ToEven) : (decimal?)null;
        return new RecommendationLogEntry
        {
            RequestId = response.RequestId,
            SessionId = sessionId,
            CreatedAt = createdAt,
            Preferences = body,
            SelectedCountries = [.. preferences.SelectedCountries],
            SelectedContinents = [.. preferences.SelectedContinents],
            PreferredTypeId = preferences.PreferredTypeId,
            PreferredThemeIds = [.. preferences.PreferredThemeIds],
            MinDuration = preferences.MinDurationGiven,
            MaxDuration = preferences.MaxDurationGiven,
            Budget = budget is { } b && Math.Abs(b) <= BudgetLimit ? b : null,
            Difficulty = preferences.Difficulty,
            Year = preferences.YearText,
            Month = preferences.MonthText,
            ResponseTimeMs = responseTimeMs,
            TotalCandidates = response.TotalCandidates,
            PrimaryCount = response.PrimaryCount,
            RelaxedCount = response.RelaxedCount,
            TopScore = scores.Length == 0 ? null : scores.Max(),
            AvgScore = scores.Length == 0 ? null : Round((decimal)scores.Sum() / scores.Length),
            MinScore = scores.Length == 0 ? null : scores.Min(),
            ScoreStdDev = SampleStandardDeviation(scores),
            ResultTripIds = response.Data.Select(d => d.Id).ToArray(),
            ResultScores = scores.Select(s => (decimal)s).ToArray(),
            AlgorithmVersion = algorithmVersion,
            SearchType = response.SearchType,
        };
    }

    /// <summary>Sample standard deviation (divisor n − 1); 0.00 for one score, null for none.</summary>
    internal static decimal? SampleStandardDeviation(IReadOnlyList<int> scores)
    {
        if (scores.Count == 0)
        {
            return null;
        }

        if (scores.Count == 1)
        {
            return 0.00m;
        }

        var mean = scores.Average();
        var squares = scores.Sum(s => (s - mean) * (s - mean));
        return Round((decimal)Math.Sqrt(squares / (scores.Count - 1)));
    }

    private static decimal Round(decimal value) => Math.Round(value, 2, MidpointRounding.ToEven);
}

/// <summary>Writes the request log.</summary>
public sealed class RecommendationRequestLog(NpgsqlDataSource dataSource)
{
    private const string InsertSql = """
        INSERT INTO recommendation_requests (
            request_id, session_id, user_id, created_at, preferences, selected_countries, selected_continents,
            preferred_type_id, preferred_theme_ids, min_duration, max_duration, budget, difficulty, year, month,
            response_time_ms, total_candidates, primary_count, relaxed_count, final_count, has_relaxed_results,
            has_no_results, top_score, avg_score, min_score, score_std_dev, result_trip_ids, result_scores,
            algorithm_version, search_type)
        VALUES (
            @RequestId, @SessionId, NULL, @CreatedAt, @Preferences::jsonb, @SelectedCountries, @SelectedContinents,
            @PreferredTypeId, @PreferredThemeIds, @MinDuration, @MaxDuration, @Budget, @Difficulty, @Year, @Month,
            @ResponseTimeMs, @TotalCandidates, @PrimaryCount, @RelaxedCount, @FinalCount, @HasRelaxedResults,
            @HasNoResults, @TopScore, @AvgScore, @MinScore, @ScoreStdDev, @ResultTripIds, @ResultScores,
            @AlgorithmVersion, @SearchType)
        """;

    public async Task WriteAsync(RecommendationLogEntry entry, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(InsertSql, entry, cancellationToken: ct));
    }
}
