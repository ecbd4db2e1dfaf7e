using Dapper;
using Npgsql;
using NpgsqlTypes;
using SmartTrip.Core.Catalog;
using static SmartTrip.Core.Catalog.CatalogGraph;

namespace SmartTrip.Core.Recommendations;

/// <summary>The primary search's inputs from the database: one round trip.</summary>
public sealed record PrimaryCandidates(int PrivateTypeId, IReadOnlyList<TripCandidate> Candidates, int TotalTripsInDb);

/// <summary>
/// The SQL side of the recommendation engine. Queries return the narrow scoring columns only, already cut down by
/// the request's hard filters (a superset check the engine repeats exactly in memory); full entity data is loaded for
/// the winners alone, in one statement.
/// </summary>
public sealed class RecommendationRepository(NpgsqlDataSource dataSource, RecommendationOptions options)
{
    private const string CandidateColumns = """
        o.id, o.trip_template_id, o.guide_id, o.start_date, o.end_date,
        COALESCE(o.price_override, t.base_price)::float8 AS effective_price,
        o.status, o.spots_left, t.difficulty_level, t.trip_type_id, t.primary_country_id,
        c.continent::text AS continent, c.name = 'Antarctica' AS is_antarctica, t.is_active,
        ARRAY(SELECT tt.tag_id FROM trip_template_tags tt WHERE tt.trip_template_id = t.id ORDER BY tt.tag_id) AS tag_ids
        """;

    private const string CandidateFrom = """
          FROM trip_occurrences o
          JOIN trip_templates t ON t.id = o.trip_template_id
          LEFT JOIN countries c ON c.id = t.primary_country_id
        """;

    private const string BookableFilter = "t.is_active AND o.start_date >= @today AND o.status NOT IN ('Cancelled', 'Full')";

    private const string PrivateTypeSql =
        "SELECT COALESCE((SELECT min(id) FROM trip_types WHERE name = @privateName), @privateFallback)";

    private const string PrimarySql = $"""
        SELECT {CandidateColumns}
        {CandidateFrom}
         CROSS JOIN ({PrivateTypeSql} AS id) p
         WHERE {BookableFilter}
           AND ((@typeId IS NOT NULL AND @typeId = p.id)
                OR (o.spots_left > 0 AND o.start_date BETWEEN @from AND @to
                    AND (@month IS NULL OR EXTRACT(MONTH FROM o.start_date) = @month)))
           AND (@typeId IS NULL OR t.trip_type_id = @typeId)
           AND (@difficultyLow IS NULL OR t.difficulty_level BETWEEN @difficultyLow AND @difficultyHigh)
           AND (@priceLimit IS NULL OR COALESCE(o.price_override, t.base_price)::float8 <= @priceLimit)
           AND (NOT @geography OR t.primary_country_id = ANY(@countries) OR c.continent::text = ANY(@continents))
        """;

    private const string TotalTripsInDbSql = $"""
        SELECT count(*)::int
          FROM trip_occurrences o
          JOIN trip_templates t ON t.id = o.trip_template_id
         WHERE {BookableFilter} AND o.spots_left > 0
        """;

    private const string CountryContinentsSql =
        "SELECT DISTINCT continent::text FROM countries WHERE id = ANY(@countries)";

    private const string RelaxedSql = $"""
        SELECT {CandidateColumns}
        {CandidateFrom}
         WHERE {BookableFilter}
           AND (@privateSearch
                OR (o.spots_left > 0 AND o.start_date BETWEEN @from AND @to
                    AND ((1 << (EXTRACT(MONTH FROM o.start_date)::int - 1)) & @monthMask) <> 0))
           AND (@difficultyLow IS NULL OR t.difficulty_level BETWEEN @difficultyLow AND @difficultyHigh)
           AND (@priceLimit IS NULL OR COALESCE(o.price_override, t.base_price)::float8 <= @priceLimit)
           AND (NOT @geography
                OR t.primary_country_id = ANY(@countries)
                OR c.continent IN (SELECT sc.continent FROM countries sc WHERE sc.id = ANY(@countries))
                OR c.continent::text = ANY(@continents))
           AND o.id <> ALL(@excluded)
        """;

    private const string TagColumns =
        "tg.id, tg.name, tg.name_he, tg.description AS stored_description, tg.created_at, tg.updated_at";

    private const string HydrateSql = $"""
        SELECT {OccurrenceColumns}, {TemplateColumns}, {CompanyColumns}, {TaxonColumns}, {CountryColumns}, {GuideColumns}, {TagColumns}
          FROM trip_occurrences o
          JOIN trip_templates t ON t.id = o.trip_template_id
          JOIN companies co ON co.id = t.company_id
          LEFT JOIN trip_types x ON x.id = t.trip_type_id
          LEFT JOIN countries c ON c.id = t.primary_country_id
          LEFT JOIN guides g ON g.id = o.guide_id
          LEFT JOIN trip_template_tags ttg ON ttg.trip_template_id = t.id
          LEFT JOIN tags tg ON tg.id = ttg.tag_id
         WHERE o.id = ANY(@ids)
         ORDER BY o.id, tg.id
        """;

    /// <summary>The private-groups type id, the primary tier's candidates and the bookable count, in one round trip.</summary>
    public async Task<PrimaryCandidates> LoadPrimaryAsync(TripPreferences p, DateOnly today, CancellationToken ct)
    {
        var (from, to) = PrimaryDateRange(p, today);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                Command(PrivateTypeSql, PrivateTypeParameters()),
                Command(PrimarySql,
                [
                    .. PrivateTypeParameters(),
                    new NpgsqlParameter<DateOnly>("today", today),
                    new NpgsqlParameter<int?>("typeId", NpgsqlDbType.Integer) { TypedValue = p.TypeId },
                    new NpgsqlParameter<DateOnly>("from", from),
                    new NpgsqlParameter<DateOnly>("to", to),
                    new NpgsqlParameter<int?>("month", NpgsqlDbType.Integer) { TypedValue = p.Month },
                    .. DifficultyParameters(p, options.DifficultyTolerance),
                    PriceParameter(p, options.BudgetMaxMultiplier),
                    .. GeographyParameters(p),
                ]),
                Command(TotalTripsInDbSql, [new NpgsqlParameter<DateOnly>("today", today)]),
            },
        };

        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var privateTypeId = reader.GetInt32(0);
        await reader.NextResultAsync(ct);
        var candidates = await ReadCandidatesAsync(reader, ct);
        await reader.NextResultAsync(ct);
        await reader.ReadAsync(ct);
        var total = reader.GetInt32(0);
        return new PrimaryCandidates(privateTypeId, candidates, total);
    }

    /// <summary>
    /// The relaxed tier's candidates (primary results excluded) and the continents of the selected countries,
    /// in one round trip. Runs only when the relaxed search triggers.
    /// </summary>
    public async Task<(IReadOnlyList<TripCandidate> Candidates, int CountryContinents)> LoadRelaxedAsync(
        SearchContext context, IReadOnlyCollection<int> excludedIds, CancellationToken ct)
    {
        var p = context.Preferences;
        var window = DateWindow.For(p, context.Today, options.RelaxedDateWindowMonths);
        var yearCapEnd = YearEnd(context.Today.Year + options.MaxYearsAhead);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                Command(CountryContinentsSql, [CountriesParameter(p)]),
                Command(RelaxedSql,
                [
                    new NpgsqlParameter<DateOnly>("today", context.Today),
                    new NpgsqlParameter<bool>("privateSearch", context.PrivateSearch),
                    new NpgsqlParameter<DateOnly>("from", window.From),
                    new NpgsqlParameter<DateOnly>("to", window.To < yearCapEnd ? window.To : yearCapEnd),
                    new NpgsqlParameter<int>("monthMask", window.MonthMask),
                    .. DifficultyParameters(p, options.RelaxedDifficultyTolerance),
                    PriceParameter(p, options.RelaxedBudgetMultiplier),
                    .. GeographyParameters(p),
                    new NpgsqlParameter<int[]>("excluded", excludedIds.ToArray()),
                ]),
            },
        };

        await using var reader = await batch.ExecuteReaderAsync(ct);
        var continents = 0;
        while (await reader.ReadAsync(ct))
        {
            continents |= Continents.Bit(reader.GetString(0));
        }

        await reader.NextResultAsync(ct);
        return (await ReadCandidatesAsync(reader, ct), continents);
    }

    /// <summary>The full occurrences (template, company, trip type, primary country, tags, guide) for the given ids.</summary>
    public async Task<IReadOnlyDictionary<int, Occurrence>> HydrateAsync(IReadOnlyCollection<int> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return new Dictionary<int, Occurrence>();
        }

        var occurrences = new Dictionary<int, Occurrence>(ids.Count);
        var tags = new Dictionary<int, List<Taxon>>(ids.Count);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var command = new CommandDefinition(HydrateSql, new { ids = ids.ToArray() }, cancellationToken: ct);
        await connection.QueryAsync<Occurrence, Template, Company, Taxon, Country, Guide, Taxon, int>(
            command,
            (occurrence, template, company, tripType, country, guide, tag) =>
            {
                if (!occurrences.ContainsKey(occurrence.Id))
                {
                    tags[occurrence.Id] = [];
                    occurrences[occurrence.Id] = occurrence with
                    {
                        Template = template with { Company = company, TripType = tripType, PrimaryCountry = country, Countries = null },
                        Guide = guide,
                    };
                }

                if (tag is not null)
                {
                    tags[occurrence.Id].Add(tag);
                }

                return 0;
            });

        return occurrences.ToDictionary(
            pair => pair.Key,
            pair => pair.Value with { Template = pair.Value.Template with { Tags = tags[pair.Key] } });
    }

    /// <summary>The primary date range of a non-private search: today and the year cap, then year and legacy start.</summary>
    internal (DateOnly From, DateOnly To) PrimaryDateRange(TripPreferences p, DateOnly today)
    {
        var from = today;
        var to = YearEnd(today.Year + options.MaxYearsAhead);
        if (p.Year is { } year)
        {
            var yearStart = new DateOnly(year, 1, 1);
            from = yearStart > from ? yearStart : from;
            to = YearEnd(year) < to ? YearEnd(year) : to;
        }

        if (p.LegacyStart is { } legacy && legacy > today && !p.YearGiven && legacy > from)
        {
            from = legacy;
        }

        return (from, to);
    }

    private static DateOnly YearEnd(int year) => year >= 9999 ? DateOnly.MaxValue : new DateOnly(year, 12, 31);

    private NpgsqlParameter[] PrivateTypeParameters() =>
    [
        new NpgsqlParameter<string>("privateName", options.PrivateGroupsTypeName),
        new NpgsqlParameter<int>("privateFallback", options.PrivateGroupsFallbackTypeId),
    ];

    private static NpgsqlParameter[] DifficultyParameters(TripPreferences p, int tolerance) =>
    [
        new NpgsqlParameter<int?>("difficultyLow", NpgsqlDbType.Integer) { TypedValue = p.Difficulty - tolerance },
        new NpgsqlParameter<int?>("difficultyHigh", NpgsqlDbType.Integer) { TypedValue = p.Difficulty + tolerance },
    ];

    /// <summary>The budget cap, computed in .NET with IEEE doubles and compared with <c>price::float8</c> (§11).</summary>
    private static NpgsqlParameter PriceParameter(TripPreferences p, double multiplier) =>
        new NpgsqlParameter<double?>("priceLimit", NpgsqlDbType.Double) { TypedValue = p.Budget * multiplier };

    private static NpgsqlParameter CountriesParameter(TripPreferences p) =>
        new NpgsqlParameter<int[]>("countries", p.Countries.ToArray());

    private static NpgsqlParameter[] GeographyParameters(TripPreferences p) =>
    [
        new NpgsqlParameter<bool>("geography", p.HasGeography),
        CountriesParameter(p),
        new NpgsqlParameter<string[]>("continents",
            Continents.All.Where(c => (p.ContinentMask & Continents.Bit(c.Label)) != 0).Select(c => c.Label).ToArray()),
    ];

    private static NpgsqlBatchCommand Command(string sql, IEnumerable<NpgsqlParameter> parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters.ToArray());
        return command;
    }

    private static async Task<IReadOnlyList<TripCandidate>> ReadCandidatesAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        var candidates = new List<TripCandidate>();
        while (await reader.ReadAsync(ct))
        {
            candidates.Add(new TripCandidate
            {
                Id = reader.GetInt32(0),
                TemplateId = reader.GetInt32(1),
                GuideId = reader.IsDBNull(2) ? null : reader.GetInt32(2),
                StartDate = reader.GetFieldValue<DateOnly>(3),
                EndDate = reader.GetFieldValue<DateOnly>(4),
                EffectivePrice = reader.GetDouble(5),
                Status = reader.GetString(6),
                SpotsLeft = reader.GetInt32(7),
                DifficultyLevel = reader.GetInt32(8),
                TripTypeId = reader.IsDBNull(9) ? null : reader.GetInt32(9),
                PrimaryCountryId = reader.IsDBNull(10) ? null : reader.GetInt32(10),
                ContinentBit = reader.IsDBNull(11) ? 0 : Continents.Bit(reader.GetString(11)),
                IsAntarcticaCountry = !reader.IsDBNull(12) && reader.GetBoolean(12),
                TemplateIsActive = reader.GetBoolean(13),
                TagIds = reader.GetFieldValue<int[]>(14),
            });
        }

        return candidates;
    }
}
