using System.Globalization;
using nietras.SeparatedValues;
using SmartTrip.Core.Catalog;
using SmartTrip.Core.Recommendations;

namespace SmartTrip.Benchmarks;

/// <summary>
/// The engine's inputs built straight from the data set's CSV files (the same rows the seeder loads), so the
/// engine benchmarks need no database.
/// </summary>
public static class CatalogueFiles
{
    public static readonly DateOnly Today = new(2026, 11, 25);

    private static string Folder => Path.Combine(AppContext.BaseDirectory, "data", "catalog");

    public static IReadOnlyDictionary<int, (string Name, int ContinentBit)> Countries() =>
        Read("countries.csv", row => (Id: Int(row, "id"), Name: row("name"), Bit: Continents.Bit(row("continent"))))
            .ToDictionary(c => c.Id, c => (c.Name, c.Bit));

    public static IReadOnlyList<TripCandidate> Candidates()
    {
        var countries = Countries();
        var tags = Read("trip_template_tags.csv", row => (Template: Int(row, "trip_template_id"), Tag: Int(row, "tag_id")))
            .ToLookup(t => t.Template, t => t.Tag);
        var templates = Read("trip_templates.csv", row => new
        {
            Id = Int(row, "id"),
            BasePrice = Dec(row, "base_price"),
            Difficulty = Int(row, "difficulty_level"),
            Type = NullableInt(row("trip_type_id")),
            Country = NullableInt(row("primary_country_id")),
            Active = row("is_active") == "t",
        }).ToDictionary(t => t.Id);

        return Read("trip_occurrences.csv", row =>
        {
            var template = templates[Int(row, "trip_template_id")];
            var country = template.Country is { } id ? countries[id] : default;
            return new TripCandidate
            {
                Id = Int(row, "id"),
                TemplateId = template.Id,
                StartDate = DateOnly.ParseExact(row("start_date"), "yyyy-MM-dd", CultureInfo.InvariantCulture),
                EndDate = DateOnly.ParseExact(row("end_date"), "yyyy-MM-dd", CultureInfo.InvariantCulture),
                EffectivePrice = (double)(NullableDecimal(row("price_override")) ?? template.BasePrice),
                Status = row("status"),
                SpotsLeft = Int(row, "spots_left"),
                DifficultyLevel = template.Difficulty,
                TripTypeId = template.Type,
                PrimaryCountryId = template.Country,
                ContinentBit = country.ContinentBit,
                IsAntarcticaCountry = country.Name == "Antarctica",
                TagIds = tags[template.Id].Order().ToArray(),
                TemplateIsActive = template.Active,
            };
        }).ToList();
    }

    /// <summary>A deterministic synthetic catalogue of the given size, shaped like the real one.</summary>
    public static IReadOnlyList<TripCandidate> Synthetic(int size)
    {
        var countries = Countries().ToArray();
        string[] statuses = ["Open", "Open", "Open", "Guaranteed", "Last Places", "Full", "Cancelled"];
        var random = new Random(100_000);
        return Enumerable.Range(1, size).Select(id =>
        {
            var (countryId, (name, bit)) = countries[random.Next(countries.Length)];
            var start = Today.AddDays(random.Next(-30, 600));
            return new TripCandidate
            {
                Id = id,
                TemplateId = 1 + id % 5000,
                StartDate = start,
                EndDate = start.AddDays(random.Next(2, 30)),
                EffectivePrice = random.Next(800, 40000),
                Status = statuses[random.Next(statuses.Length)],
                SpotsLeft = random.Next(0, 25),
                DifficultyLevel = random.Next(1, 6),
                TripTypeId = random.Next(1, 11),
                PrimaryCountryId = countryId,
                ContinentBit = bit,
                IsAntarcticaCountry = name == "Antarctica",
                TagIds = Enumerable.Range(0, random.Next(0, 4)).Select(_ => random.Next(1, 12)).Distinct().Order().ToArray(),
                TemplateIsActive = random.Next(20) != 0,
            };
        }).ToList();
    }

    /// <summary>The fixed mix of preference bodies the HTTP load run uses.</summary>
    public static IReadOnlyList<TripPreferences> PreferenceMix() =>
        File.ReadLines(Path.Combine(AppContext.BaseDirectory, "recommendation-bodies.jsonl"))
            .Where(line => line.Trim().Length > 0)
            .Select(line => PreferencesParser.Parse(System.Text.Encoding.UTF8.GetBytes(line)).Preferences
                            ?? throw new InvalidDataException($"Invalid preferences in the mix: {line}"))
            .ToList();

    private static int Int(Func<string, string> row, string column) => int.Parse(row(column), CultureInfo.InvariantCulture);

    private static decimal Dec(Func<string, string> row, string column) => decimal.Parse(row(column), CultureInfo.InvariantCulture);

    private static int? NullableInt(string? text) => string.IsNullOrEmpty(text) ? null : int.Parse(text, CultureInfo.InvariantCulture);

    private static decimal? NullableDecimal(string? text) => string.IsNullOrEmpty(text) ? null : decimal.Parse(text, CultureInfo.InvariantCulture);

    private static List<T> Read<T>(string file, Func<Func<string, string>, T> map)
    {
        using var reader = Sep.Reader(o => o with { Unescape = true }).FromFile(Path.Combine(Folder, file));
        var rows = new List<T>();
        foreach (var row in reader)
        {
            var values = new Dictionary<string, string>();
            foreach (var name in reader.Header.ColNames)
            {
                values[name] = row[name].ToString();
            }

            rows.Add(map(column => values[column]));
        }

        return rows;
    }
}
