using System.Globalization;
using System.Text;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using SmartTrip.Core.Recommendations;
using SmartTrip.Core.Wire;

namespace SmartTrip.Core.Analytics;

/// <summary>A scenario with everything the pass/fail rules read.</summary>
public sealed record Scenario
{
    public int Id { get; init; }
    public string Name { get; init; } = "";
    public string Preferences { get; init; } = "{}";
    public int ExpectedMinResults { get; init; }
    public decimal? ExpectedMinTopScore { get; init; }
    public bool ExpectsRelaxed { get; init; }
    public int[]? ExpectedTripTypes { get; init; }
    public int[]? ExpectedCountries { get; init; }
}

/// <summary>
/// Runs the evaluation personas through the engine in process (analytics.md §6): same validation, same catalogue and
/// "today", nothing written to the request log.
/// </summary>
public sealed class EvaluationService(
    NpgsqlDataSource dataSource, CatalogSnapshotCache catalog, RecommendationEngine engine, TimeProvider clock,
    ILogger<EvaluationService> logger)
{
    public async Task<IReadOnlyList<ScenarioSummary>> ListAsync(string? category, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<ScenarioSummary>(new CommandDefinition(
            """
            SELECT id, name, description, category, expected_min_results FROM evaluation_scenarios
             WHERE is_active AND (@category::text IS NULL OR category = @category) ORDER BY id
            """,
            new { category }, cancellationToken: ct))).ToList();
    }

    public async Task<EvaluationReport> RunAsync(string? category, IReadOnlyCollection<int> scenarioIds, CancellationToken ct)
    {
        List<Scenario> scenarios;
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        {
            scenarios = (await connection.QueryAsync<Scenario>(new CommandDefinition(
                """
                SELECT id, name, preferences::text AS preferences, expected_min_results, expected_min_top_score, expects_relaxed,
                       expected_trip_types, expected_countries
                  FROM evaluation_scenarios
                 WHERE is_active AND (@category::text IS NULL OR category = @category)
                   AND (cardinality(@ids) = 0 OR id = ANY(@ids))
                 ORDER BY id
                """,
                new { category, ids = scenarioIds.ToArray() }, cancellationToken: ct))).ToList();
        }

        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var snapshot = scenarios.Count == 0 ? null : await catalog.GetAsync(today, ct);
        return new EvaluationReport { Results = scenarios.Select(s => Evaluate(s, snapshot!, today)).ToList() };
    }

    private ScenarioResult Evaluate(Scenario scenario, CatalogSnapshot snapshot, DateOnly today)
    {
        ScenarioResult Failed(string reason, int elapsed = 0) =>
            new(scenario.Id, scenario.Name, false, 0, null, scenario.ExpectedMinResults, scenario.ExpectedMinTopScore, reason, elapsed);

        var parsed = PreferencesParser.Parse(Encoding.UTF8.GetBytes(scenario.Preferences));
        if (parsed.Preferences is not { } preferences)
        {
            return Failed($"Invalid preferences: {(parsed.FieldErrors.Count > 0 ? parsed.FieldErrors[0].Message : parsed.Error)}");
        }

        var started = clock.GetTimestamp();
        EngineResult result;
        try
        {
            result = engine.Recommend(new SearchContext(preferences, today, snapshot.Data.PrivateTypeId), snapshot.Data.Candidates,
                snapshot.Data.ContinentBitByCountry);
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "Evaluation scenario {ScenarioId} failed in the engine", scenario.Id);
            return Failed("Error: recommendation engine failed", Elapsed(started));
        }

        var elapsed = Elapsed(started);
        var returned = result.Primary.Results.Concat(result.Relaxed).ToList();
        var top = returned.Count == 0 ? (int?)null : returned[0].Score;
        var reason = Judge(scenario, returned, top);
        return new ScenarioResult(scenario.Id, scenario.Name, reason is null, returned.Count, top, scenario.ExpectedMinResults,
            scenario.ExpectedMinTopScore, reason, elapsed);
    }

    /// <summary>The pass/fail rules of analytics.md §6.3, first failing rule wins; null = passed.</summary>
    internal static string? Judge(Scenario scenario, IReadOnlyList<ScoredTrip> returned, int? top)
    {
        var count = returned.Count;
        if (count < scenario.ExpectedMinResults && (!scenario.ExpectsRelaxed || count == 0))
        {
            return $"Too few results: {count} < {scenario.ExpectedMinResults}";
        }

        if (scenario.ExpectedMinTopScore is { } minimum && top is { } best && best < minimum)
        {
            return $"Top score too low: {best} < {minimum.ToString("0.##", CultureInfo.InvariantCulture)}";
        }

        var missingTypes = (scenario.ExpectedTripTypes ?? []).Where(t => !returned.Any(r => r.Trip.TripTypeId == t)).ToList();
        if (missingTypes.Count > 0)
        {
            return $"Expected trip type not found: {string.Join(", ", missingTypes)}";
        }

        var missingCountries = (scenario.ExpectedCountries ?? []).Where(c => !returned.Any(r => r.Trip.PrimaryCountryId == c)).ToList();
        return missingCountries.Count > 0 ? $"Expected country not found: {string.Join(", ", missingCountries)}" : null;
    }

    private int Elapsed(long started) => (int)Math.Min(int.MaxValue, clock.GetElapsedTime(started).TotalMilliseconds);
}
