using System.Globalization;
using SmartTrip.Core.Catalog;

namespace SmartTrip.Core.Recommendations;

/// <summary>A returned trip with its score and the reasons for it.</summary>
public sealed record ScoredTrip(TripCandidate Trip, int Score, IReadOnlyList<string> Details, bool IsRelaxed);

/// <summary>The primary tier: its ranked results and the number of trips that passed its hard filters.</summary>
public sealed record PrimaryTier(IReadOnlyList<ScoredTrip> Results, int TotalCandidates);

/// <summary>Both tiers of one search.</summary>
public sealed record EngineResult(PrimaryTier Primary, IReadOnlyList<ScoredTrip> Relaxed);

/// <summary>
/// The recommendation rules of recommendation.md §4–§7: hard filters, scoring with its detail strings, and
/// true top-K ranking for the primary and the relaxed tier. A pure function of its inputs: no I/O, no clock.
/// Details are only written for the trips that are returned.
/// </summary>
public sealed class RecommendationEngine
{
    private readonly RecommendationOptions _o;
    private readonly Labels _labels;

    public RecommendationEngine(RecommendationOptions options)
    {
        _o = options;
        _labels = new Labels(options);
    }

    public RecommendationOptions Options => _o;

    /// <summary>Filters, scores and ranks the primary tier (§4–§6).</summary>
    public PrimaryTier RankPrimary(SearchContext context, IEnumerable<TripCandidate> candidates)
    {
        var top = new TopK(_o.MaxResults);
        var total = 0;
        foreach (var trip in candidates)
        {
            if (!PassesPrimaryFilters(context, trip))
            {
                continue;
            }

            total++;
            var score = ScorePrimary(context, trip, null);
            if (score >= _o.MinScoreThreshold)
            {
                top.Offer(trip, score);
            }
        }

        var results = top.Ranked().Select(x => Describe(context, x.Trip, x.Score, relaxed: false)).ToList();
        return new PrimaryTier(results, total);
    }

    /// <summary>The relaxed search runs when the primary tier has <c>MinResultsThreshold</c> (5) results or fewer.</summary>
    public bool NeedsRelaxed(PrimaryTier primary) => primary.Results.Count <= _o.MinResultsThreshold;

    /// <summary>
    /// The relaxed tier (§7): expanded filters, relaxed scoring, never a trip already returned by the primary tier,
    /// at most <c>MaxResults</c> minus the primary count. <paramref name="countryContinents"/> is the mask of the
    /// continents of the selected countries that exist.
    /// </summary>
    public IReadOnlyList<ScoredTrip> RankRelaxed(
        SearchContext context, IEnumerable<TripCandidate> candidates, int countryContinents, PrimaryTier primary)
    {
        var needed = _o.MaxResults - primary.Results.Count;
        if (needed <= 0)
        {
            return [];
        }

        var excluded = primary.Results.Select(r => r.Trip.Id).ToHashSet();
        var window = DateWindow.For(context.Preferences, context.Today, _o.RelaxedDateWindowMonths);
        var top = new TopK(needed);
        foreach (var trip in candidates)
        {
            if (excluded.Contains(trip.Id) || !PassesRelaxedFilters(context, trip, countryContinents, window))
            {
                continue;
            }

            var score = ScoreRelaxed(context, trip, null);
            if (score >= _o.MinScoreThreshold)
            {
                top.Offer(trip, score);
            }
        }

        return top.Ranked().Select(x => Describe(context, x.Trip, x.Score, relaxed: true)).ToList();
    }

    /// <summary>Both tiers over one in-memory catalogue (the relaxed tier only when it triggers).</summary>
    public EngineResult Recommend(
        SearchContext context, IReadOnlyList<TripCandidate> catalogue, IReadOnlyDictionary<int, int> continentBitByCountry)
    {
        var primary = RankPrimary(context, catalogue);
        if (!NeedsRelaxed(primary))
        {
            return new EngineResult(primary, []);
        }

        var countryContinents = 0;
        foreach (var countryId in context.Preferences.Countries)
        {
            countryContinents |= continentBitByCountry.GetValueOrDefault(countryId);
        }

        return new EngineResult(primary, RankRelaxed(context, catalogue, countryContinents, primary));
    }

    /// <summary>Bookable whatever the request: the <c>total_trips_in_db</c> rule of §8.</summary>
    public static bool IsBookable(TripCandidate trip, DateOnly today) =>
        trip.TemplateIsActive && trip.IsOpenStatus && trip.SpotsLeft > 0 && trip.StartDate >= today;

    // ---- hard filters ----------------------------------------------------------------------------------------

    /// <summary>The primary hard filters of §4, in order.</summary>
    public bool PassesPrimaryFilters(SearchContext context, TripCandidate trip)
    {
        var p = context.Preferences;
        if (!trip.TemplateIsActive)
        {
            return false;
        }

        if (p.HasGeography && !MatchesCountryOrContinent(p, trip, p.ContinentMask))
        {
            return false;
        }

        if (p.TypeId is { } typeId && trip.TripTypeId != typeId)
        {
            return false;
        }

        if (trip.StartDate < context.Today)
        {
            return false;
        }

        if (!context.PrivateSearch)
        {
            if (trip.StartDate.Year > context.Today.Year + _o.MaxYearsAhead ||
                p.Year is { } year && trip.StartDate.Year != year ||
                p.Month is { } month && trip.StartDate.Month != month ||
                p.LegacyStart is { } legacy && legacy > context.Today && !p.YearGiven && trip.StartDate < legacy)
            {
                return false;
            }
        }

        if (!trip.IsOpenStatus || !context.PrivateSearch && trip.SpotsLeft <= 0)
        {
            return false;
        }

        if (p.Difficulty is { } difficulty && Math.Abs(trip.DifficultyLevel - difficulty) > _o.DifficultyTolerance)
        {
            return false;
        }

        return p.Budget is not { } budget || trip.EffectivePrice <= budget * _o.BudgetMaxMultiplier;
    }

    /// <summary>The relaxed hard filters of §7.2 (the primary-result exclusion is applied by the caller).</summary>
    public bool PassesRelaxedFilters(SearchContext context, TripCandidate trip, int countryContinents, DateWindow window)
    {
        var p = context.Preferences;
        if (!trip.TemplateIsActive || !trip.IsOpenStatus || !context.PrivateSearch && trip.SpotsLeft <= 0)
        {
            return false;
        }

        if (p.HasGeography)
        {
            var byCountries = p.Countries.Count > 0 && MatchesCountryOrContinent(p, trip, countryContinents);
            var byContinents = (trip.ContinentBit & p.ContinentMask) != 0;
            if (!byCountries && !byContinents)
            {
                return false;
            }
        }

        if (trip.StartDate < context.Today)
        {
            return false;
        }

        if (!context.PrivateSearch &&
            (trip.StartDate.Year > context.Today.Year + _o.MaxYearsAhead || !window.Contains(trip.StartDate)))
        {
            return false;
        }

        if (p.Difficulty is { } difficulty && Math.Abs(trip.DifficultyLevel - difficulty) > _o.RelaxedDifficultyTolerance)
        {
            return false;
        }

        return p.Budget is not { } budget || trip.EffectivePrice <= budget * _o.RelaxedBudgetMultiplier;
    }

    /// <summary>The primary country is selected, or its continent is in <paramref name="continents"/>.</summary>
    private static bool MatchesCountryOrContinent(TripPreferences p, TripCandidate trip, int continents) =>
        trip.PrimaryCountryId is { } countryId && (p.Countries.Contains(countryId) || (trip.ContinentBit & continents) != 0);

    // ---- scoring ---------------------------------------------------------------------------------------------

    private const int Dropped = int.MinValue;
    private static readonly int AntarcticaBit = Continents.Bit("ANTARCTICA");

    /// <summary>The primary score of §5, or <see cref="Dropped"/> for the duration skip; appends details when asked.</summary>
    private int ScorePrimary(SearchContext context, TripCandidate trip, List<string>? details)
    {
        var p = context.Preferences;
        var score = _o.BaseScore;

        if (p.Themes.Count > 0)
        {
            var matches = ThemeMatches(p, trip);
            (score, var label) = matches >= _o.ThemeMatchThreshold ? (score + _o.ThemeFull, _labels.ThemeExcellent)
                : matches >= 1 ? (score + _o.ThemePartial, _labels.ThemeGood)
                : (score + _o.ThemePenalty, _labels.ThemeNone);
            details?.Add(label);
        }

        if (p.Difficulty is { } difficulty && trip.DifficultyLevel == difficulty)
        {
            score += _o.DifficultyPerfect;
            details?.Add(_labels.DifficultyPerfect);
        }

        if (context.IsPrivateTrip(trip))
        {
            score += _o.DurationIdeal;
            details?.Add(_labels.DurationFlexible);
        }
        else
        {
            var d = trip.DurationDays;
            var fromMin = Math.Abs(d - p.MinDuration);
            var fromMax = Math.Abs(d - p.MaxDuration);
            if (d >= p.MinDuration && d <= p.MaxDuration)
            {
                score += _o.DurationIdeal;
                details?.Add(_labels.IdealDuration(d));
            }
            else if (fromMin <= _o.DurationGoodDays || fromMax <= _o.DurationGoodDays)
            {
                score += _o.DurationGood;
                details?.Add(_labels.GoodDuration(d));
            }
            else if (fromMin > _o.DurationHardFilterDays && fromMax > _o.DurationHardFilterDays)
            {
                return Dropped;
            }
        }

        score += BudgetPoints(p, trip, details, _labels.BudgetSlightlyOver, _labels.BudgetOver);

        score += StatusSoonAndGeography(context, trip, details);
        return Math.Clamp(score, 0, 100);
    }

    /// <summary>The relaxed score of §7.4 (never dropped); appends details when asked.</summary>
    private int ScoreRelaxed(SearchContext context, TripCandidate trip, List<string>? details)
    {
        var p = context.Preferences;
        var score = _o.BaseScore + _o.RelaxedPenalty;
        details?.Add(_labels.Expanded);

        if (p.Themes.Count > 0)
        {
            var matches = ThemeMatches(p, trip);
            if (matches >= _o.ThemeMatchThreshold)
            {
                score += _o.ThemeFull;
                details?.Add(_labels.RelaxedThemeFull);
            }
            else if (matches >= 1)
            {
                score += _o.ThemePartial;
                details?.Add(_labels.RelaxedThemePartial);
            }
            else
            {
                score += _o.ThemePenalty;
            }
        }

        if (p.TypeId is { } typeId && trip.TripTypeId != typeId)
        {
            score += _o.RelaxedTypePenalty;
            details?.Add(_labels.DifferentType);
        }

        if (p.Difficulty is { } difficulty && trip.DifficultyLevel == difficulty)
        {
            score += _o.DifficultyPerfect;
            details?.Add(_labels.DifficultyPerfect);
        }

        if (context.IsPrivateTrip(trip))
        {
            score += _o.DurationIdeal;
        }
        else
        {
            var d = trip.DurationDays;
            if (d >= p.MinDuration && d <= p.MaxDuration)
            {
                score += _o.DurationIdeal;
                details?.Add(_labels.RelaxedIdealDuration);
            }
            else if (Math.Abs(d - p.MinDuration) <= _o.RelaxedDurationDays || Math.Abs(d - p.MaxDuration) <= _o.RelaxedDurationDays)
            {
                score += _o.DurationGood;
                details?.Add(_labels.RelaxedGoodDuration);
            }
        }

        // The relaxed tier names only the within-budget tier (D10).
        score += BudgetPoints(p, trip, details, slightlyOver: null, over: null);

        score += StatusSoonAndGeography(context, trip, details);
        return Math.Clamp(score, 0, 100);
    }

    /// <summary>The steps both tiers share, in order: status, departing soon, geography.</summary>
    private int StatusSoonAndGeography(SearchContext context, TripCandidate trip, List<string>? details)
    {
        var p = context.Preferences;
        var points = 0;
        if (trip.Status == TripStatuses.Guaranteed)
        {
            points += _o.StatusGuaranteed;
            details?.Add(_labels.Guaranteed);
        }
        else if (trip.Status == TripStatuses.LastPlaces)
        {
            points += _o.StatusLastPlaces;
            details?.Add(_labels.LastPlaces);
        }

        var days = trip.StartDate.DayNumber - context.Today.DayNumber;
        if (!context.IsPrivateTrip(trip) && days >= 0 && days <= _o.DepartingSoonDays)
        {
            points += _o.DepartingSoon;
            details?.Add(_labels.Soon(days));
        }

        if (p.HasGeography)
        {
            var direct = trip.PrimaryCountryId is { } countryId && p.Countries.Contains(countryId);
            var antarctica = trip.IsAntarcticaCountry && (p.ContinentMask & AntarcticaBit) != 0;
            if (direct || antarctica)
            {
                points += _o.GeoDirectCountry;
                details?.Add(_labels.CountryMatch);
            }
            else if ((trip.ContinentBit & p.ContinentMask) != 0)
            {
                points += _o.GeoContinent;
                details?.Add(_labels.ContinentMatch);
            }
        }

        return points;
    }

    /// <summary>The budget tiers of both tiers; a null label leaves that tier without a detail.</summary>
    private int BudgetPoints(TripPreferences p, TripCandidate trip, List<string>? details, string? slightlyOver, string? over)
    {
        if (p.Budget is not { } budget)
        {
            return 0;
        }

        var (points, label) = trip.EffectivePrice <= budget ? (_o.BudgetPerfect, _labels.BudgetWithin)
            : trip.EffectivePrice <= budget * _o.BudgetGoodMultiplier ? (_o.BudgetGood, slightlyOver)
            : trip.EffectivePrice <= budget * _o.BudgetAcceptableMultiplier ? (_o.BudgetAcceptable, over)
            : (0, null);
        if (label is not null)
        {
            details?.Add(label);
        }

        return points;
    }

    private static int ThemeMatches(TripPreferences p, TripCandidate trip)
    {
        var matches = 0;
        foreach (var tag in trip.TagIds)
        {
            if (p.Themes.Contains(tag))
            {
                matches++;
            }
        }

        return matches;
    }

    private ScoredTrip Describe(SearchContext context, TripCandidate trip, int score, bool relaxed)
    {
        var details = new List<string>(8);
        var check = relaxed ? ScoreRelaxed(context, trip, details) : ScorePrimary(context, trip, details);
        if (check != score)
        {
            throw new InvalidOperationException($"Scoring is not deterministic for occurrence {trip.Id}.");
        }

        return new ScoredTrip(trip, score, details, relaxed);
    }

    // ---- ranking ---------------------------------------------------------------------------------------------

    /// <summary>
    /// Keeps the best K trips seen so far by (score desc, start date asc, id asc), a total order (§6), so the
    /// outcome never depends on the order candidates arrive in.
    /// </summary>
    private sealed class TopK(int capacity)
    {
        private readonly (TripCandidate Trip, int Score)[] _items = new (TripCandidate, int)[Math.Max(capacity, 0)];
        private int _count;

        public void Offer(TripCandidate trip, int score)
        {
            if (_items.Length == 0)
            {
                return;
            }

            if (_count == _items.Length && !Precedes(trip, score, _items[_count - 1].Trip, _items[_count - 1].Score))
            {
                return;
            }

            var index = _count == _items.Length ? _count - 1 : _count++;
            while (index > 0 && Precedes(trip, score, _items[index - 1].Trip, _items[index - 1].Score))
            {
                _items[index] = _items[index - 1];
                index--;
            }

            _items[index] = (trip, score);
        }

        public IEnumerable<(TripCandidate Trip, int Score)> Ranked() => _items.Take(_count);

        private static bool Precedes(TripCandidate a, int scoreA, TripCandidate b, int scoreB) =>
            scoreA != scoreB ? scoreA > scoreB
            : a.StartDate != b.StartDate ? a.StartDate < b.StartDate
            : a.Id < b.Id;
    }

    /// <summary>The detail strings, with the configured points written as [+N] / [-N] (§2).</summary>
    private sealed class Labels(RecommendationOptions o)
    {
        public string ThemeExcellent { get; } = $"Excellent Theme Match {Points(o.ThemeFull)}";
        public string ThemeGood { get; } = $"Good Theme Match {Points(o.ThemePartial)}";
        public string ThemeNone { get; } = $"No Theme Match {Points(o.ThemePenalty)}";
        public string DifficultyPerfect { get; } = $"Perfect Difficulty {Points(o.DifficultyPerfect)}";
        public string DurationFlexible { get; } = $"Flexible Duration {Points(o.DurationIdeal)}";
        public string BudgetWithin { get; } = $"Within Budget {Points(o.BudgetPerfect)}";
        public string BudgetSlightlyOver { get; } = $"Slightly Over (+10%) {Points(o.BudgetGood)}";
        public string BudgetOver { get; } = $"Over Budget (+20%) {Points(o.BudgetAcceptable)}";
        public string Guaranteed { get; } = $"Guaranteed {Points(o.StatusGuaranteed)}";
        public string LastPlaces { get; } = $"Last Places {Points(o.StatusLastPlaces)}";
        public string CountryMatch { get; } = $"Country Match {Points(o.GeoDirectCountry)}";
        public string ContinentMatch { get; } = $"Continent Match {Points(o.GeoContinent)}";
        public string Expanded { get; } = $"Expanded Result {Points(o.RelaxedPenalty)}";
        public string RelaxedThemeFull { get; } = $"Theme Match {Points(o.ThemeFull)}";
        public string RelaxedThemePartial { get; } = $"Theme Match {Points(o.ThemePartial)}";
        public string DifferentType { get; } = $"Different Type {Points(o.RelaxedTypePenalty)}";
        public string RelaxedIdealDuration { get; } = $"Ideal Duration {Points(o.DurationIdeal)}";
        public string RelaxedGoodDuration { get; } = $"Good Duration {Points(o.DurationGood)}";

        private readonly string _ideal = Points(o.DurationIdeal);
        private readonly string _good = Points(o.DurationGood);
        private readonly string _soon = Points(o.DepartingSoon);

        public string IdealDuration(int days) => string.Create(CultureInfo.InvariantCulture, $"Ideal Duration ({days}d) {_ideal}");
        public string GoodDuration(int days) => string.Create(CultureInfo.InvariantCulture, $"Good Duration ({days}d) {_good}");
        public string Soon(int days) => string.Create(CultureInfo.InvariantCulture, $"Soon ({days}d) {_soon}");

        private static string Points(int points) =>
            points >= 0 ? string.Create(CultureInfo.InvariantCulture, $"[+{points}]") : string.Create(CultureInfo.InvariantCulture, $"[{points}]");
    }
}
