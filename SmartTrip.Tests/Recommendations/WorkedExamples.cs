namespace SmartTrip.Tests.Recommendations;

/// <summary>One trip of a worked example: template and occurrence share the id; unlisted fields take the default trip.</summary>
public sealed record TripSpec(int Id)
{
    public int? Country { get; init; } = 1;
    public int? Type { get; init; } = 1;
    public int Difficulty { get; init; } = 2;
    public decimal Price { get; init; } = 10000m;
    public DateOnly Start { get; init; } = new(2027, 3, 1);
    public int Days { get; init; } = 10;
    public string Status { get; init; } = "Open";
    public int Spots { get; init; } = 10;
    public int[] Tags { get; init; } = [];
    public bool Active { get; init; } = true;
    public DateOnly End => Start.AddDays(Days - 1);
}

public sealed record ExpectedTrip(int Id, int Score, string[] Details);

/// <summary>A row of recommendation.md §12 with its exact expected outcome.</summary>
public sealed record WorkedExample(string Name, TripSpec[] Trips, string Request, ExpectedTrip[] Primary, ExpectedTrip[] Relaxed)
{
    public int TotalCandidates { get; init; }
    public string SearchType { get; init; } = "exploration";
    public int? TotalTripsInDb { get; init; }
    public string? Message { get; init; }

    public override string ToString() => Name;
}

/// <summary>
/// The worked examples of recommendation.md §12 (fixture: today 2026-11-25; countries 1 Japan, 2 Thailand (Asia),
/// 3 Italy (Europe), 4 Antarctica, 5 Kenya, 7 Tanzania (Africa), 6 Canada (North &amp; Central America);
/// trip types 1, 3 and 10 Private Groups; tags 1, 2, 6).
/// </summary>
public static class WorkedExamples
{
    public static readonly DateOnly Today = new(2026, 11, 25);
    public const int PrivateGroups = 10;

    /// <summary>Fixture countries: id, name, continent label.</summary>
    public static readonly (int Id, string Name, string Continent)[] Countries =
    [
        (1, "Japan", "ASIA"), (2, "Thailand", "ASIA"), (3, "Italy", "EUROPE"), (4, "Antarctica", "ANTARCTICA"),
        (5, "Kenya", "AFRICA"), (6, "Canada", "NORTH_AND_CENTRAL_AMERICA"), (7, "Tanzania", "AFRICA"),
    ];

    private const string Ideal10 = "Ideal Duration (10d) [+12]";
    private const string LastPlaces = "Last Places [+15]";
    private const string Guaranteed = "Guaranteed [+7]";
    private const string Expanded = "Expanded Result [-15]";
    private const string RelaxedIdeal = "Ideal Duration [+12]";
    private const string DifferentType = "Different Type [-10]";
    private const string CountryMatch = "Country Match [+15]";
    private const string ContinentMatch = "Continent Match [+5]";
    private const string Flexible = "Flexible Duration [+12]";

    private static DateOnly D(int year, int month, int day) => new(year, month, day);

    private static TripSpec T(int id) => new(id);

    /// <summary>A default-duration primary result: "Ideal Duration (10d) [+12]" followed by <paramref name="more"/>.</summary>
    private static ExpectedTrip P(int id, int score, params string[] more) => new(id, score, [Ideal10, .. more]);

    /// <summary>A result with exactly these details.</summary>
    private static ExpectedTrip X(int id, int score, params string[] details) => new(id, score, details);

    private static TripSpec[] OnePerCountry() =>
        Enumerable.Range(1, 6).Select(n => T(n) with { Country = n, Start = D(2027, 3, n) }).ToArray();

    private static TripSpec[] E8Trips() =>
        [T(1) with { Start = D(2026, 12, 10) }, T(2) with { Start = D(2027, 3, 10) }, T(3) with { Start = D(2027, 4, 10) }, T(4) with { Start = D(2027, 12, 31) }];

    private static TripSpec[] E24Trips(bool sixInactive) =>
    [
        .. Enumerable.Range(1, 6).Select(n => T(n) with
        {
            Type = 3, Start = D(2027, 3, n),
            Active = !(sixInactive && n == 6), Status = sixInactive && n == 6 ? "Last Places" : "Open",
        }),
        T(7) with { Type = 1, Status = "Last Places", Start = D(2027, 3, 7) },
    ];

    public static readonly WorkedExample[] All =
    [
        new("E1", [T(1)], "{}", [P(1, 42)], []) { TotalCandidates = 1, TotalTripsInDb = 1, Message = "Found 1 recommended trips" },
        new("E2",
            [T(1) with { Tags = [1, 6] }, T(2) with { Tags = [1], Start = D(2027, 3, 2) }, T(3) with { Tags = [2], Start = D(2027, 3, 3) },
             T(4) with { Start = D(2027, 3, 4), Status = "Last Places" }],
            """{"preferred_theme_ids":[1,6]}""",
            [X(1, 67, "Excellent Theme Match [+25]", Ideal10), X(2, 54, "Good Theme Match [+12]", Ideal10),
             X(4, 42, "No Theme Match [-15]", Ideal10, LastPlaces)],
            []) { TotalCandidates = 4 },
        new("E3",
            [T(1), T(2) with { Price = 11000 }, T(3) with { Price = 12000 }, T(4) with { Price = 12010 }, T(5) with { Price = 13000 }, T(6) with { Price = 13010 }],
            """{"budget":10000}""",
            [P(1, 54, "Within Budget [+12]"), P(2, 50, "Slightly Over (+10%) [+8]"), P(3, 47, "Over Budget (+20%) [+5]"), P(4, 42), P(5, 42)],
            []) { TotalCandidates = 5 },
        new("E3b", [T(1) with { Price = 1202.39m }, T(2) with { Price = 1202.40m }], """{"budget":1002}""",
            [P(1, 47, "Over Budget (+20%) [+5]"), P(2, 42)], []) { TotalCandidates = 2 },
        new("E4",
            [.. new[] { 10, 14, 18, 20, 21, 22, 3, 2, 6 }.Select((days, i) => T(i + 1) with { Days = days })],
            """{"min_duration":10,"max_duration":14}""",
            [P(1, 42), X(2, 42, "Ideal Duration (14d) [+12]"), X(3, 38, "Good Duration (18d) [+8]"), X(9, 38, "Good Duration (6d) [+8]"),
             X(4, 30), X(5, 30), X(7, 30)],
            []) { TotalCandidates = 9 },
        new("E5",
            [T(1) with { Difficulty = 1 }, T(2), T(3) with { Difficulty = 3 }, T(4) with { Difficulty = 4, Status = "Last Places" },
             T(5) with { Difficulty = 5, Status = "Last Places" }],
            """{"difficulty":2}""",
            [X(2, 57, "Perfect Difficulty [+15]", Ideal10), P(1, 42), P(3, 42)],
            [X(4, 42, Expanded, RelaxedIdeal, LastPlaces)])
        { TotalCandidates = 3, Message = "Found 3 recommended trips + 1 expanded results" },
        new("E6",
            [T(1) with { Status = "Full", Spots = 3 }, T(2) with { Status = "Cancelled" }, T(3) with { Spots = 0 },
             T(4) with { Status = "Last Places", Spots = 2 }, T(5) with { Status = "Guaranteed", Spots = 9 }],
            "{}",
            [P(4, 57, LastPlaces), P(5, 49, Guaranteed)], []) { TotalCandidates = 2, TotalTripsInDb = 2 },
        new("E7",
            [T(1) with { Start = D(2026, 11, 25) }, T(2) with { Start = D(2026, 12, 25) }, T(3) with { Start = D(2026, 12, 26) },
             T(4) with { Start = D(2026, 11, 24) }, T(5) with { Start = D(2028, 1, 5) }],
            "{}",
            [P(1, 49, "Soon (0d) [+7]"), P(2, 49, "Soon (30d) [+7]"), P(3, 42)], []) { TotalCandidates = 3, TotalTripsInDb = 4 },
        new("E8a", E8Trips(), """{"year":"2027","month":"3"}""", [P(2, 42)], [])
            { TotalCandidates = 1, SearchType = "focused_search" },
        new("E8b", E8Trips(), """{"month":"12"}""", [P(1, 49, "Soon (15d) [+7]"), P(4, 42)], []) { TotalCandidates = 2 },
        new("E9", OnePerCountry(), """{"selected_countries":[1],"selected_continents":["Europe"]}""",
            [P(1, 57, CountryMatch), P(3, 47, ContinentMatch)], []) { TotalCandidates = 2, SearchType = "focused_search" },
        new("E10", OnePerCountry(), """{"selected_continents":["Antarctica","ASIA"]}""",
            [P(4, 57, CountryMatch), P(1, 47, ContinentMatch), P(2, 47, ContinentMatch)], []) { TotalCandidates = 3 },
        new("E11",
            [T(1) with { Price = 5000, Start = D(2026, 12, 1), Status = "Last Places", Tags = [1, 6] }],
            """{"selected_countries":[1],"preferred_theme_ids":[1,6],"difficulty":2,"budget":6000,"min_duration":7,"max_duration":14}""",
            [X(1, 100, "Excellent Theme Match [+25]", "Perfect Difficulty [+15]", Ideal10, "Within Budget [+12]", LastPlaces, "Soon (6d) [+7]", CountryMatch)],
            []) { TotalCandidates = 1, SearchType = "focused_search" },
        new("E12",
            [T(1) with { Type = 10, Start = D(2099, 12, 31), Days = 1, Spots = 0 }, T(2),
             T(3) with { Type = 10, Start = D(2026, 12, 1), Days = 1 }, T(4) with { Type = 10, Start = D(2026, 11, 20), Days = 1 }],
            """{"preferred_type_id":10}""",
            [X(3, 42, Flexible), X(1, 42, Flexible)], []) { TotalCandidates = 2, TotalTripsInDb = 2 },
        new("E13", [T(7) with { Start = D(2027, 3, 5) }, T(3) with { Start = D(2027, 3, 5) }, T(5)], "{}",
            [P(5, 42), P(3, 42), P(7, 42)], []) { TotalCandidates = 3 },
        new("E14",
            [T(1) with { Type = 3, Country = 5 }, T(2) with { Country = 5, Start = D(2027, 3, 2) },
             T(3) with { Country = 1, Start = D(2027, 3, 3), Status = "Last Places" }, T(4) with { Country = 7, Start = D(2027, 3, 4), Status = "Last Places" }],
            """{"preferred_type_id":3,"selected_countries":[5]}""",
            [P(1, 57, CountryMatch)],
            [X(2, 32, Expanded, DifferentType, RelaxedIdeal, CountryMatch), X(4, 32, Expanded, DifferentType, RelaxedIdeal, LastPlaces)])
        { TotalCandidates = 1, SearchType = "focused_search", Message = "Found 1 recommended trips + 2 expanded results" },
        new("E15",
            [T(1) with { Start = D(2027, 3, 10) }, T(2) with { Start = D(2026, 12, 31), Status = "Last Places" },
             T(3) with { Start = D(2027, 1, 1), Status = "Last Places" }, T(4) with { Start = D(2027, 5, 31), Status = "Last Places" },
             T(5) with { Start = D(2027, 6, 1), Status = "Last Places" }],
            """{"year":"2027","month":"3"}""",
            [P(1, 42)], [X(3, 42, Expanded, RelaxedIdeal, LastPlaces), X(4, 42, Expanded, RelaxedIdeal, LastPlaces)])
        { TotalCandidates = 1, SearchType = "focused_search" },
        new("E16", [T(1) with { Start = D(2027, 3, 10) }, T(2) with { Start = D(2026, 12, 1), Status = "Last Places" }], """{"year":"2027"}""",
            [P(1, 42)], [X(2, 49, Expanded, RelaxedIdeal, LastPlaces, "Soon (6d) [+7]")]) { TotalCandidates = 1 },
        new("E17",
            [T(1) with { Start = D(2027, 1, 15) }, T(2) with { Start = D(2026, 11, 30), Status = "Last Places" },
             T(3) with { Start = D(2027, 3, 15), Status = "Last Places" }, T(4) with { Start = D(2027, 4, 15), Status = "Last Places" }],
            """{"month":"1"}""",
            [P(1, 42)], [X(2, 49, Expanded, RelaxedIdeal, LastPlaces, "Soon (5d) [+7]"), X(3, 42, Expanded, RelaxedIdeal, LastPlaces)])
        { TotalCandidates = 1 },
        new("E18",
            [T(1) with { Tags = [1] }, T(2) with { Difficulty = 4, Price = 11000, Status = "Last Places", Tags = [1] },
             T(3) with { Price = 15000, Status = "Last Places", Tags = [2] }, T(4) with { Price = 11500, Status = "Last Places", Tags = [1, 6] },
             T(5) with { Difficulty = 5 }, T(6) with { Price = 15010, Status = "Last Places" }],
            """{"difficulty":2,"budget":10000,"preferred_theme_ids":[1,6]}""",
            [X(4, 100, "Excellent Theme Match [+25]", "Perfect Difficulty [+15]", Ideal10, "Over Budget (+20%) [+5]", LastPlaces),
             X(1, 81, "Good Theme Match [+12]", "Perfect Difficulty [+15]", Ideal10, "Within Budget [+12]")],
            [X(2, 62, Expanded, "Theme Match [+12]", RelaxedIdeal, LastPlaces), X(3, 42, Expanded, "Perfect Difficulty [+15]", RelaxedIdeal, LastPlaces)])
        { TotalCandidates = 2, SearchType = "focused_search" },
        new("E19", [T(1), T(2) with { Days = 25, Status = "Last Places" }], """{"min_duration":10,"max_duration":14}""",
            [P(1, 42)], [X(2, 30, Expanded, LastPlaces)]) { TotalCandidates = 2 },
        new("E20",
            [
                .. Enumerable.Range(1, 30).Select(n => T(n) with { Start = D(2027, 1, n + 1) }),
                T(31) with { Start = D(2027, 3, 1), Status = "Last Places" }, T(32) with { Start = D(2027, 3, 2), Status = "Guaranteed" },
                T(33) with { Start = D(2027, 3, 3), Status = "Last Places" },
            ],
            "{}",
            [P(31, 57, LastPlaces), P(33, 57, LastPlaces), P(32, 49, Guaranteed), P(1, 42), P(2, 42), P(3, 42), P(4, 42), P(5, 42), P(6, 42), P(7, 42)],
            []) { TotalCandidates = 33 },
        new("E21", [T(1)], """{"budget":100}""", [], [])
            { TotalCandidates = 0, TotalTripsInDb = 1, Message = "No trips match your criteria. Try adjusting your preferences." },
        new("E22a", [T(1)], """{"budget":15000,"difficulty":2,"min_duration":5,"max_duration":30,"year":"all","month":"all"}""",
            [X(1, 69, "Perfect Difficulty [+15]", Ideal10, "Within Budget [+12]")], []) { TotalCandidates = 1, SearchType = "focused_search" },
        new("E22b", [T(1)], """{"selected_continents":["Asia"],"min_duration":1,"max_duration":365}""",
            [P(1, 47, ContinentMatch)], []) { TotalCandidates = 1 },
        new("E23",
            [
                T(1) with { Type = 3, Country = 5 }, T(2) with { Type = 3, Country = 5, Start = D(2027, 3, 2) },
                .. Enumerable.Range(3, 12).Select(n => T(n) with { Status = "Last Places", Start = D(2027, 3, n) }),
            ],
            """{"preferred_type_id":3}""",
            [P(1, 42), P(2, 42)],
            [.. Enumerable.Range(3, 8).Select(n => X(n, 32, Expanded, DifferentType, RelaxedIdeal, LastPlaces))])
        { TotalCandidates = 2, Message = "Found 2 recommended trips + 8 expanded results" },
        new("E24a", E24Trips(sixInactive: false), """{"preferred_type_id":3}""",
            [.. Enumerable.Range(1, 6).Select(n => P(n, 42))], []) { TotalCandidates = 6 },
        new("E24b", E24Trips(sixInactive: true), """{"preferred_type_id":3}""",
            [.. Enumerable.Range(1, 5).Select(n => P(n, 42))], [X(7, 32, Expanded, DifferentType, RelaxedIdeal, LastPlaces)])
        { TotalCandidates = 5, TotalTripsInDb = 6, Message = "Found 5 recommended trips + 1 expanded results" },
        new("E25",
            [T(1) with { Type = 10, Start = D(2099, 12, 31), Spots = 0 }, T(2) with { Start = D(2026, 12, 5), Status = "Last Places", Spots = 3 },
             T(3) with { Start = D(2026, 10, 1), Status = "Last Places", Spots = 3 }, T(4) with { Start = D(2028, 2, 1), Status = "Last Places", Spots = 0 }],
            """{"preferred_type_id":10}""",
            [X(1, 42, Flexible)],
            [X(2, 39, Expanded, DifferentType, RelaxedIdeal, LastPlaces, "Soon (10d) [+7]"), X(4, 32, Expanded, DifferentType, RelaxedIdeal, LastPlaces)])
        { TotalCandidates = 1, TotalTripsInDb = 1 },
        new("E26a", [T(1) with { Status = "Last Places" }, T(2) with { Start = D(2027, 3, 10) }], """{"start_date":"2027-03-05"}""",
            [P(2, 42)], [X(1, 42, Expanded, RelaxedIdeal, LastPlaces)]) { TotalCandidates = 1 },
        new("E26b", [T(1) with { Status = "Last Places" }, T(2) with { Start = D(2027, 3, 10) }], """{"start_date":"2027-03-05","year":"all"}""",
            [P(1, 57, LastPlaces), P(2, 42)], []) { TotalCandidates = 2 },
        new("E27", [T(1)], """{"preferred_theme_ids":[2]}""", [], [])
            { TotalCandidates = 1, TotalTripsInDb = 1, Message = "No trips match your criteria. Try adjusting your preferences." },
        new("E28", OnePerCountry(), """{"selected_continents":["north america","EUROPE"]}""",
            [P(3, 47, ContinentMatch), P(6, 47, ContinentMatch)], []) { TotalCandidates = 2 },
        new("E29", [T(1)], """{"selected_countries":[999]}""", [], []) { TotalCandidates = 0 },
    ];

    public static TheoryData<string> Names => [.. All.Select(e => e.Name)];

    public static WorkedExample Get(string name) => All.Single(e => e.Name == name);
}
