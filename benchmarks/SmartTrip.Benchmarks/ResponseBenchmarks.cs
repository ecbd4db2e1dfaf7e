using System.Text.Json;
using BenchmarkDotNet.Attributes;
using SmartTrip.Core.Catalog;
using SmartTrip.Core.Json;
using SmartTrip.Core.Recommendations;
using SmartTrip.Core.Wire;

namespace SmartTrip.Benchmarks;

/// <summary>
/// Writing a ten-item response (about 27 KB, the size the catalogue's items have): with the occurrence JSON cached
/// by the catalogue snapshot, and serialised from the objects on every request.
/// </summary>
[MemoryDiagnoser]
public class ResponseBenchmarks
{
    private RecommendationResponse _cached = null!;
    private RecommendationResponse _uncached = null!;

    [GlobalSetup]
    public void Setup()
    {
        var occurrences = Enumerable.Range(1, 10).Select(Occurrence).ToList();
        _cached = Response(occurrences.Select((o, i) => new RecommendedOccurrence(o, Match(o, i), JsonSerializer.SerializeToUtf8Bytes(o, SmartTripJson.Options))).ToList());
        _uncached = Response(occurrences.Select((o, i) => new RecommendedOccurrence(o, Match(o, i))).ToList());
    }

    [Benchmark(Baseline = true, Description = "Serialise every item")]
    public int Uncached() => JsonSerializer.SerializeToUtf8Bytes(_uncached, SmartTripJson.Options).Length;

    [Benchmark(Description = "Splice cached occurrence JSON")]
    public int Cached() => JsonSerializer.SerializeToUtf8Bytes(_cached, SmartTripJson.Options).Length;

    private static ScoredTrip Match(Occurrence occurrence, int rank) => new(
        new TripCandidate
        {
            Id = occurrence.Id, TemplateId = occurrence.TripTemplateId, StartDate = occurrence.StartDate, EndDate = occurrence.EndDate,
            EffectivePrice = 4850, Status = occurrence.Status, SpotsLeft = occurrence.SpotsLeft, DifficultyLevel = 3,
        },
        90 - rank,
        ["Excellent Theme Match [+25]", "Perfect Difficulty [+15]", "Ideal Duration (14d) [+12]", "Within Budget [+12]", "Last Places [+15]"],
        false);

    private static RecommendationResponse Response(IReadOnlyList<RecommendedOccurrence> data) => new()
    {
        PrimaryCount = data.Count, RelaxedCount = 0, Data = data, TotalCandidates = 120, TotalTripsInDb = 462,
        ScoreThresholds = new ScoreThresholds(70, 50), ShowRefinementMessage = false, RequestId = Guid.NewGuid(),
        SearchType = SearchTypes.Focused, Message = "Found 10 recommended trips",
    };

    private static readonly DateTime Stamp = new(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc);

    private static Occurrence Occurrence(int id)
    {
        var country = new Country { Id = 83, Name = "Czech Republic", NameHe = "צ'כיה", ContinentLabel = "EUROPE", CreatedAt = Stamp, UpdatedAt = Stamp };
        Taxon Tag(int tag) => new() { Id = tag, Name = $"Tag {tag}", NameHe = "תרבות והיסטוריה", StoredDescription = "Cultural immersion and historical heritage sites", CreatedAt = Stamp, UpdatedAt = Stamp };
        var template = new Template
        {
            Id = id, Title = "Discover Czech Republic", TitleHe = "פלאי צ'כיה",
            Description = "Explore the wonders of Czech Republic. An unforgettable journey awaits.",
            DescriptionHe = "גלו את קסמה של היבשת העתיקה: אדריכלות מרהיבה, אמנות מופתית וקולינריה מעודנת.",
            BasePrice = 4850.00m, SingleSupplementPrice = 847.11m, TypicalDurationDays = 13, DefaultMaxCapacity = 24, DifficultyLevel = 3,
            CompanyId = 6, TripTypeId = 1, PrimaryCountryId = 83, IsActive = true, CreatedAt = Stamp, UpdatedAt = Stamp,
            Company = new Company
            {
                Id = 6, Name = "Wanderlust World Tours", NameHe = "וונדרלאסט סיורי עולם",
                Description = "Group tours designed for curious travelers seeking authentic experiences.",
                DescriptionHe = "טיולים קבוצתיים המיועדים למטיילים סקרנים המחפשים חוויות אותנטיות.",
                WebsiteUrl = "https://wanderlustworld.example.com", Email = "explore@wanderlustworld.example.com", IsActive = true, CreatedAt = Stamp, UpdatedAt = Stamp,
            },
            TripType = new Taxon { Id = 1, Name = "Geographic Depth", NameHe = "טיולי עומק גיאוגרפיים", StoredDescription = "In-depth geographical exploration tours", CreatedAt = Stamp, UpdatedAt = Stamp },
            PrimaryCountry = country,
            Countries = null,
            Tags = [Tag(1), Tag(6), Tag(8)],
        };
        return new Occurrence
        {
            Id = id, TripTemplateId = id, GuideId = 15, StartDate = new DateOnly(2027, 1, 12), EndDate = new DateOnly(2027, 1, 25),
            SpotsLeft = 17, Status = TripStatuses.LastPlaces, CreatedAt = Stamp, UpdatedAt = Stamp, Template = template,
            Guide = new Guide
            {
                Id = 15, Name = "מיכל אבו ליל", NameHe = "מיכל אבו ליל", Email = "guide15@ayalageo.co.il", Phone = "+972-54-9996414", GenderLabel = "MALE",
                Age = 52, Bio = "Photography workshops and landscape expert", BioHe = "מומחה לסדנאות צילום ונופים", IsActive = true, CreatedAt = Stamp, UpdatedAt = Stamp,
            },
        };
    }
}
