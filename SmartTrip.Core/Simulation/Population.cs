using System.Buffers;
using System.Text;
using System.Text.Json;
using SmartTrip.Core.Catalog;
using SmartTrip.Core.Recommendations;

namespace SmartTrip.Core.Simulation;

/// <summary>What a simulated traveller truly wants; the searches they type show only part of it.</summary>
public sealed record LatentTaste(int[] Themes, int[] Countries, int ContinentBit, double Budget, int Days, int Month);

/// <summary>A simulated browser: its <c>anonymous_id</c>, its taste, and the seed of its own randomness.</summary>
public sealed record SimulatedBrowser(Guid Id, LatentTaste Taste, int Seed);

/// <summary>One search a simulated browser makes: the request body it sends and the session it belongs to.</summary>
public sealed record SimulatedSearch(SimulatedBrowser Browser, Guid SessionId, string Body, TripPreferences Preferences);

/// <summary>
/// A population of travellers with known truth (docs/experiments.md §9): each browser has persistent preferences over
/// themes, countries and their continent, budget, duration and month, which give every trip a true relevance grade
/// 0–4 for that browser. Searches reveal part of the taste (some fields typed, some not) and sessions search several
/// times. Deterministic: the same catalogue and seed give the same browsers, grades and searches.
/// </summary>
public sealed class Population
{
    private readonly DateOnly _today;
    private readonly Dictionary<Guid, int[]> _grades = [];
    private readonly Dictionary<Guid, double> _idealDcg = [];

    private Population(IReadOnlyList<TripCandidate> trips, DateOnly today, IReadOnlyList<SimulatedBrowser> browsers)
    {
        _today = today;
        Browsers = browsers;
        TripIndex = trips.Select((t, i) => (t.Id, i)).ToDictionary(x => x.Id, x => x.i);
        foreach (var browser in browsers)
        {
            var grades = trips.Select(t => Grade(browser, t)).ToArray();
            _grades[browser.Id] = grades;
            var bookable = trips.Select((t, i) => (t, i)).Where(x => RecommendationEngine.IsBookable(x.t, today)).Select(x => grades[x.i]);
            _idealDcg[browser.Id] = Dcg(bookable.OrderByDescending(g => g).Take(10).ToArray());
        }
    }

    public IReadOnlyList<SimulatedBrowser> Browsers { get; }

    private Dictionary<int, int> TripIndex { get; }

    /// <summary>Draws <paramref name="count"/> browsers whose tastes are made of the catalogue's own themes, countries, prices and lengths.</summary>
    public static Population Generate(IReadOnlyList<TripCandidate> trips, DateOnly today, int count, int seed)
    {
        var random = new Random(seed);
        // By id: the catalogue's rows come in whatever order the database's plan gives, and the same seed must give the same browsers.
        var bookable = trips.Where(t => RecommendationEngine.IsBookable(t, today)).OrderBy(t => t.Id).ToList();
        var themes = bookable.SelectMany(t => t.TagIds).Distinct().Order().ToArray();
        var browsers = new List<SimulatedBrowser>(count);
        for (var b = 0; b < count; b++)
        {
            // Anchored on a trip the traveller would love, so every taste can be served by something in the catalogue.
            var anchor = bookable[random.Next(bookable.Count)];
            var liked = anchor.TagIds.Count > 0 ? anchor.TagIds.ToList() : themes.Length > 0 ? [themes[random.Next(themes.Length)]] : [];
            random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(liked));
            var tasteThemes = liked.Take(1 + random.Next(Math.Max(1, Math.Min(3, liked.Count)))).ToList();
            if (random.NextDouble() < 0.3 && themes.Length > 0)
            {
                tasteThemes.Add(themes[random.Next(themes.Length)]);
            }

            var countries = new List<int>();
            if (anchor.PrimaryCountryId is { } home)
            {
                countries.Add(home);
            }

            var sameContinent = bookable.Where(t => t.ContinentBit == anchor.ContinentBit && t.PrimaryCountryId is not null)
                .Select(t => t.PrimaryCountryId!.Value).Distinct().Order().ToList();
            if (sameContinent.Count > 0 && random.NextDouble() < 0.5)
            {
                countries.Add(sameContinent[random.Next(sameContinent.Count)]);
            }

            var taste = new LatentTaste(
                [.. tasteThemes.Distinct().Order()],
                [.. countries.Distinct().Order()],
                anchor.ContinentBit,
                Budget: 100 * Math.Round(anchor.EffectivePrice * (0.9 + 0.6 * random.NextDouble()) / 100),
                Days: Math.Max(1, anchor.DurationDays + random.Next(-3, 4)),
                Month: random.NextDouble() < 0.5 ? anchor.StartDate.Month : 0);
            var id = new Guid(random.GetItems<byte>(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), 16));
            browsers.Add(new SimulatedBrowser(id, taste, random.Next()));
        }

        return new Population(trips, today, browsers);
    }

    /// <summary>The true relevance grade (0–4) of a trip for a browser.</summary>
    public int GradeOf(SimulatedBrowser browser, int tripId) =>
        TripIndex.TryGetValue(tripId, out var i) ? _grades[browser.Id][i] : 0;

    /// <summary>The grades of a list of trips for a browser, in order.</summary>
    public int[] GradesOf(SimulatedBrowser browser, IReadOnlyList<int> tripIds)
    {
        var grades = new int[tripIds.Count];
        for (var k = 0; k < grades.Length; k++)
        {
            grades[k] = GradeOf(browser, tripIds[k]);
        }

        return grades;
    }

    /// <summary>NDCG@10 of a list for a browser, against the best ten bookable trips of the whole catalogue for them.</summary>
    public double Ndcg(SimulatedBrowser browser, IReadOnlyList<int> tripIds)
    {
        var ideal = _idealDcg[browser.Id];
        return ideal == 0 ? 0 : Dcg(GradesOf(browser, tripIds)) / ideal;
    }

    /// <summary>The browser's trips from best to worst by true grade (ties by id): the ranking an oracle would show.</summary>
    public IReadOnlyList<int> OracleOrder(SimulatedBrowser browser, IEnumerable<int> tripIds) =>
        tripIds.OrderByDescending(id => GradeOf(browser, id)).ThenBy(id => id).ToList();

    private static double Dcg(ReadOnlySpan<int> grades)
    {
        var dcg = 0.0;
        for (var k = 0; k < Math.Min(10, grades.Length); k++)
        {
            dcg += (Math.Pow(2, grades[k]) - 1) / Math.Log2(k + 2);
        }

        return dcg;
    }

    /// <summary>
    /// The grade: a utility in [0, 1] — themes shared 0.35, country 0.25 (its continent 0.1), within budget 0.15 (up to
    /// 30 % over: 0.06), length 0.1 (decaying with days off), month 0.05, and 0.1 of the browser's own taste for this
    /// trip — cut at 0.35, 0.5, 0.65 and 0.8.
    /// </summary>
    private static int Grade(SimulatedBrowser browser, TripCandidate trip)
    {
        var taste = browser.Taste;
        var shared = taste.Themes.Count(trip.TagIds.Contains);
        var utility = 0.35 * shared / Math.Max(1, taste.Themes.Length);
        utility += trip.PrimaryCountryId is { } country && taste.Countries.Contains(country) ? 0.25
            : trip.ContinentBit != 0 && trip.ContinentBit == taste.ContinentBit ? 0.1 : 0;
        utility += trip.EffectivePrice <= taste.Budget ? 0.15 : trip.EffectivePrice <= taste.Budget * 1.3 ? 0.06 : 0;
        utility += 0.1 * Math.Exp(-Math.Abs(trip.DurationDays - taste.Days) / 5.0);
        utility += taste.Month == 0 || trip.StartDate.Month == taste.Month ? 0.05 : 0;
        utility += 0.1 * Idiosyncrasy(browser.Seed, trip.Id);
        return utility switch
        {
            >= 0.8 => 4,
            >= 0.65 => 3,
            >= 0.5 => 2,
            >= 0.35 => 1,
            _ => 0,
        };
    }

    /// <summary>A fixed number in [0, 1) for a browser and a trip (a 32-bit integer hash).</summary>
    private static double Idiosyncrasy(int seed, int tripId)
    {
        var h = (uint)seed * 0x9E3779B1u ^ (uint)tripId * 0x85EBCA77u;
        h ^= h >> 15;
        h *= 0x2C1B3C6Du;
        h ^= h >> 12;
        h *= 0x297A2D39u;
        h ^= h >> 15;
        return h / 4294967296.0;
    }

    /// <summary>
    /// A session of one to <paramref name="maxSearches"/> searches by a browser: the first types part of the taste, each
    /// next one adds or drops a field.
    /// </summary>
    public IEnumerable<SimulatedSearch> Session(SimulatedBrowser browser, Random random, int maxSearches = 3)
    {
        var session = new Guid(random.GetItems<byte>(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), 16));
        var fields = new SearchFields(
            Geography: random.NextDouble() switch { < 0.55 => 2, < 0.85 => 1, _ => 0 },
            Themes: random.NextDouble() < 0.7,
            Budget: random.NextDouble() < 0.5,
            Duration: random.NextDouble() < 0.4,
            Month: random.NextDouble() < 0.2);
        var searches = 1 + random.Next(maxSearches);
        for (var s = 0; s < searches; s++)
        {
            var body = Body(browser.Taste, fields);
            var parsed = PreferencesParser.Parse(Encoding.UTF8.GetBytes(body)).Preferences
                ?? throw new InvalidOperationException($"The simulator wrote a body the API refuses: {body}");
            yield return new SimulatedSearch(browser, session, body, parsed);
            fields = random.Next(4) switch
            {
                0 => fields with { Themes = !fields.Themes },
                1 => fields with { Budget = !fields.Budget },
                2 => fields with { Duration = !fields.Duration },
                _ => fields with { Geography = (fields.Geography + 1) % 3 },
            };
        }
    }

    /// <summary>Which parts of the taste a search types: geography 2 = countries, 1 = continent, 0 = none.</summary>
    private sealed record SearchFields(int Geography, bool Themes, bool Budget, bool Duration, bool Month);

    private string Body(LatentTaste taste, SearchFields fields)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (fields.Geography == 2 && taste.Countries.Length > 0)
            {
                WriteArray(json, "selected_countries", taste.Countries);
            }
            else if (fields.Geography >= 1 && Continents.All.FirstOrDefault(c => Continents.Bit(c.Label) == taste.ContinentBit) is { } continent)
            {
                json.WriteStartArray("selected_continents");
                json.WriteStringValue(continent.DisplayName);
                json.WriteEndArray();
            }

            if (fields.Themes && taste.Themes.Length > 0)
            {
                WriteArray(json, "preferred_theme_ids", taste.Themes);
            }

            if (fields.Budget)
            {
                json.WriteNumber("budget", taste.Budget);
            }

            if (fields.Duration)
            {
                json.WriteNumber("min_duration", Math.Max(1, taste.Days - 3));
                json.WriteNumber("max_duration", taste.Days + 3);
            }

            if (fields.Month && taste.Month != 0)
            {
                json.WriteNumber("month", taste.Month);
                json.WriteNumber("year", _today.Month <= taste.Month ? _today.Year : _today.Year + 1);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);

        static void WriteArray(Utf8JsonWriter json, string name, int[] values)
        {
            json.WriteStartArray(name);
            foreach (var v in values)
            {
                json.WriteNumberValue(v);
            }

            json.WriteEndArray();
        }
    }
}
