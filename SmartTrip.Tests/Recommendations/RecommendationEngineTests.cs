using System.Text;
using SmartTrip.Core.Catalog;
using SmartTrip.Core.Recommendations;

namespace SmartTrip.Tests.Recommendations;

/// <summary>The engine alone (no database) against every worked example of recommendation.md §12.</summary>
[Trait("Category", "Unit")]
public sealed class RecommendationEngineTests
{
    private static readonly RecommendationEngine Engine = new(new RecommendationOptions());

    internal static readonly IReadOnlyDictionary<int, int> ContinentByCountry =
        WorkedExamples.Countries.ToDictionary(c => c.Id, c => Continents.Bit(c.Continent));

    internal static TripCandidate Candidate(TripSpec trip) => new()
    {
        Id = trip.Id,
        TemplateId = trip.Id,
        StartDate = trip.Start,
        EndDate = trip.End,
        EffectivePrice = (double)trip.Price,
        Status = trip.Status,
        SpotsLeft = trip.Spots,
        DifficultyLevel = trip.Difficulty,
        TripTypeId = trip.Type,
        PrimaryCountryId = trip.Country,
        ContinentBit = trip.Country is { } country ? ContinentByCountry.GetValueOrDefault(country) : 0,
        IsAntarcticaCountry = trip.Country is { } c && WorkedExamples.Countries.Any(x => x.Id == c && x.Name == "Antarctica"),
        TagIds = trip.Tags,
        TemplateIsActive = trip.Active,
    };

    internal static TripPreferences Preferences(string body) =>
        PreferencesParser.Parse(Encoding.UTF8.GetBytes(body)).Preferences ?? throw new InvalidOperationException($"Invalid body {body}");

    internal static string Format(int id, int score, IEnumerable<string> details) => $"{id}:{score} [{string.Join(" | ", details)}]";

    internal static string[] Format(IEnumerable<ExpectedTrip> trips) => trips.Select(t => Format(t.Id, t.Score, t.Details)).ToArray();

    internal static string[] Format(IEnumerable<ScoredTrip> trips) => trips.Select(t => Format(t.Trip.Id, t.Score, t.Details)).ToArray();

    private static EngineResult Run(WorkedExample example, RecommendationEngine? engine = null)
    {
        var context = new SearchContext(Preferences(example.Request), WorkedExamples.Today, WorkedExamples.PrivateGroups);
        return (engine ?? Engine).Recommend(context, example.Trips.Select(Candidate).ToList(), ContinentByCountry);
    }

    [Theory]
    [MemberData(nameof(WorkedExamples.Names), MemberType = typeof(WorkedExamples))]
    public void Worked_example_gives_the_exact_ids_scores_and_details(string name)
    {
        var example = WorkedExamples.Get(name);

        var result = Run(example);

        Assert.Equal(Format(example.Primary), Format(result.Primary.Results));
        Assert.Equal(Format(example.Relaxed), Format(result.Relaxed));
        Assert.Equal(example.TotalCandidates, result.Primary.TotalCandidates);
        Assert.All(result.Primary.Results, r => Assert.False(r.IsRelaxed));
        Assert.All(result.Relaxed, r => Assert.True(r.IsRelaxed));
        Assert.Equal(example.SearchType, Preferences(example.Request).SearchType);
        if (example.TotalTripsInDb is { } bookable)
        {
            Assert.Equal(bookable, example.Trips.Select(Candidate).Count(c => RecommendationEngine.IsBookable(c, WorkedExamples.Today)));
        }
    }

    [Fact]
    public void Candidate_order_does_not_change_the_outcome()
    {
        var example = WorkedExamples.Get("E20");
        var context = new SearchContext(Preferences(example.Request), WorkedExamples.Today, WorkedExamples.PrivateGroups);
        var forward = Engine.Recommend(context, example.Trips.Select(Candidate).ToList(), ContinentByCountry);
        var backward = Engine.Recommend(context, example.Trips.Select(Candidate).Reverse().ToList(), ContinentByCountry);

        Assert.Equal(Format(forward.Primary.Results), Format(backward.Primary.Results));
    }

    [Fact]
    public void Configured_points_change_scores_and_labels()
    {
        var engine = new RecommendationEngine(new RecommendationOptions { StatusLastPlaces = 18, RelaxedPenalty = -20 });

        var result = Run(WorkedExamples.Get("E5"), engine);

        Assert.Equal(["4:40 [Expanded Result [-20] | Ideal Duration [+12] | Last Places [+18]]"], Format(result.Relaxed));
    }

    [Fact]
    public void Relaxed_search_does_not_run_when_the_primary_tier_has_six_results()
    {
        var result = Run(WorkedExamples.Get("E24a"));

        Assert.Equal(6, result.Primary.Results.Count);
        Assert.Empty(result.Relaxed);
        Assert.False(Engine.NeedsRelaxed(result.Primary));
    }

    [Theory]
    [InlineData(2027, 3, "2027-01-01", "2027-05-31")]
    [InlineData(2027, 1, "2026-11-25", "2027-03-31")]
    [InlineData(2027, 12, "2027-10-01", "2028-02-29")]
    [InlineData(2027, null, "2026-11-25", "2028-02-29")]
    [InlineData(2029, null, "2028-11-01", "2030-02-28")]
    [InlineData(9999, 12, "9999-10-01", "9999-12-31")]
    [InlineData(1, 1, "2026-11-25", "0001-03-31")]
    public void Relaxed_date_window_follows_the_spec(int year, int? month, string from, string to)
    {
        var preferences = new TripPreferences { Year = year, YearText = $"{year}", Month = month, MonthText = month?.ToString() };

        var window = DateWindow.For(preferences, WorkedExamples.Today, 2);

        Assert.Equal(DateOnly.Parse(from), window.From);
        Assert.Equal(DateOnly.Parse(to), window.To);
    }

    [Theory]
    [InlineData(1, new[] { 11, 12, 1, 2, 3 })]
    [InlineData(12, new[] { 10, 11, 12, 1, 2 })]
    [InlineData(6, new[] { 4, 5, 6, 7, 8 })]
    public void Month_only_window_wraps_around_the_year(int month, int[] months)
    {
        var window = DateWindow.For(new TripPreferences { Month = month, MonthText = $"{month}" }, WorkedExamples.Today, 2);

        var inside = Enumerable.Range(1, 12).Where(m => window.Contains(new DateOnly(2030, m, 1)));
        Assert.Equal(months.Order(), inside);
    }
}
