using Microsoft.Extensions.Options;

namespace SmartTrip.Core.Recommendations;

/// <summary>
/// Every constant of the recommendation engine (recommendation.md §2), bound from the <c>Recommendations</c>
/// configuration section. The defaults are the product values; points are whole numbers.
/// </summary>
public sealed class RecommendationOptions
{
    public const string Section = "Recommendations";

    public int BaseScore { get; set; } = 30;
    public int RelaxedPenalty { get; set; } = -15;

    public int ThemeFull { get; set; } = 25;
    public int ThemePartial { get; set; } = 12;
    public int ThemePenalty { get; set; } = -15;
    public int ThemeMatchThreshold { get; set; } = 2;

    public int DifficultyPerfect { get; set; } = 15;

    public int DurationIdeal { get; set; } = 12;
    public int DurationGood { get; set; } = 8;
    public int DurationGoodDays { get; set; } = 4;
    public int DurationHardFilterDays { get; set; } = 7;
    public int RelaxedDurationDays { get; set; } = 10;

    public int BudgetPerfect { get; set; } = 12;
    public int BudgetGood { get; set; } = 8;
    public int BudgetAcceptable { get; set; } = 5;
    public double BudgetGoodMultiplier { get; set; } = 1.1;
    public double BudgetAcceptableMultiplier { get; set; } = 1.2;
    public double BudgetMaxMultiplier { get; set; } = 1.3;
    public double RelaxedBudgetMultiplier { get; set; } = 1.5;

    public int StatusGuaranteed { get; set; } = 7;
    public int StatusLastPlaces { get; set; } = 15;

    public int DepartingSoon { get; set; } = 7;
    public int DepartingSoonDays { get; set; } = 30;

    public int GeoDirectCountry { get; set; } = 15;
    public int GeoContinent { get; set; } = 5;

    public int RelaxedTypePenalty { get; set; } = -10;

    public int DifficultyTolerance { get; set; } = 1;
    public int RelaxedDifficultyTolerance { get; set; } = 2;
    public int RelaxedDateWindowMonths { get; set; } = 2;
    public int MaxYearsAhead { get; set; } = 1;

    public int MinScoreThreshold { get; set; } = 30;
    public int MaxResults { get; set; } = 10;
    public int MinResultsThreshold { get; set; } = 5;
    public int ScoreThresholdHigh { get; set; } = 70;
    public int ScoreThresholdMid { get; set; } = 50;

    public string PrivateGroupsTypeName { get; set; } = "Private Groups";
    public int PrivateGroupsFallbackTypeId { get; set; } = 10;
    public string AlgorithmVersion { get; set; } = "v2.0";

    /// <summary>
    /// How long the in-memory catalogue is used before its version is checked again (0: on every request).
    /// A catalogue change is visible to searches within this time.
    /// </summary>
    public int CatalogRefreshMilliseconds { get; set; } = 1000;

    /// <summary>
    /// How long a database round trip a search depends on may take (the catalogue's version, the running experiment,
    /// a session's browser) before the database counts as away and the search goes on from memory.
    /// </summary>
    public int DatabaseCheckMilliseconds { get; set; } = 2000;

    /// <summary>
    /// How long the in-memory catalogue may serve searches without the database confirming it; past this, searches
    /// answer 503 rather than offer trips whose seats and dates nobody has checked.
    /// </summary>
    public int CatalogMaxStaleSeconds { get; set; } = 900;

    /// <summary>The problems that make these options unusable (checked at start-up); empty when valid.</summary>
    public IEnumerable<string> Problems()
    {
        if (MaxResults is < 1 or > 100)
        {
            yield return "Recommendations:MaxResults must be between 1 and 100.";
        }

        if (MinResultsThreshold < 0 || MinResultsThreshold > MaxResults)
        {
            yield return "Recommendations:MinResultsThreshold must be between 0 and MaxResults.";
        }

        if (ThemeMatchThreshold < 1)
        {
            yield return "Recommendations:ThemeMatchThreshold must be at least 1.";
        }

        if (DifficultyTolerance < 0 || RelaxedDifficultyTolerance < DifficultyTolerance)
        {
            yield return "Recommendations:DifficultyTolerance must be >= 0 and RelaxedDifficultyTolerance >= DifficultyTolerance.";
        }

        if (DurationGoodDays < 0 || DurationHardFilterDays < 0 || RelaxedDurationDays < 0 || DepartingSoonDays < 0)
        {
            yield return "Recommendations: day distances must not be negative.";
        }

        if (!(BudgetMaxMultiplier >= 1 && RelaxedBudgetMultiplier >= BudgetMaxMultiplier
              && BudgetGoodMultiplier >= 1 && BudgetAcceptableMultiplier >= BudgetGoodMultiplier))
        {
            yield return "Recommendations: budget multipliers must be >= 1, with Good <= Acceptable and Max <= Relaxed.";
        }

        if (RelaxedDateWindowMonths is < 0 or > 12 || MaxYearsAhead is < 0 or > 100)
        {
            yield return "Recommendations:RelaxedDateWindowMonths must be 0..12 and MaxYearsAhead 0..100.";
        }

        if (CatalogRefreshMilliseconds is < 0 or > 3_600_000)
        {
            yield return "Recommendations:CatalogRefreshMilliseconds must be between 0 and 3600000.";
        }

        if (DatabaseCheckMilliseconds is < 100 or > 30_000)
        {
            yield return "Recommendations:DatabaseCheckMilliseconds must be between 100 and 30000.";
        }

        if (CatalogMaxStaleSeconds is < 1 or > 86_400)
        {
            yield return "Recommendations:CatalogMaxStaleSeconds must be between 1 and 86400.";
        }

        if (string.IsNullOrWhiteSpace(PrivateGroupsTypeName) || string.IsNullOrWhiteSpace(AlgorithmVersion) || AlgorithmVersion.Length > 32)
        {
            yield return "Recommendations:PrivateGroupsTypeName and AlgorithmVersion (at most 32 characters) must be set.";
        }
    }
}

/// <summary>Fails start-up with every problem of the configured options.</summary>
public sealed class RecommendationOptionsValidator : IValidateOptions<RecommendationOptions>
{
    public ValidateOptionsResult Validate(string? name, RecommendationOptions options) =>
        options.Problems().ToList() is { Count: > 0 } problems
            ? ValidateOptionsResult.Fail(problems)
            : ValidateOptionsResult.Success;
}
