using Dapper;
using Npgsql;
using static SmartTrip.Core.Catalog.CatalogGraph;

namespace SmartTrip.Core.Catalog;

/// <summary>The read side of the catalogue (api.md §4–§5): reference data, templates and occurrences.</summary>
public sealed class CatalogRepository(NpgsqlDataSource dataSource, TimeProvider clock)
{
    private const int UpcomingPerTemplate = 5;

    /// <summary>The name of the trip type whose trips are private groups (recommendation.md §3.2).</summary>
    public const string PrivateGroupsTypeName = "Private Groups";

    private DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    // ---- reference data ------------------------------------------------------------------------------------

    /// <summary>All countries (Antarctica included) by Hebrew name, then id.</summary>
    public Task<IReadOnlyList<Country>> GetLocationsAsync(CancellationToken ct) =>
        ListAsync<Country>($"SELECT {CountryColumns} FROM countries c ORDER BY c.name_he, c.id", null, ct);

    /// <summary>Countries without the Antarctica row, optionally of one continent (enum label), by name.</summary>
    public Task<IReadOnlyList<Country>> GetCountriesAsync(string? continentLabel, CancellationToken ct) =>
        ListAsync<Country>(
            $"""
            SELECT {CountryColumns} FROM countries c
             WHERE c.name <> 'Antarctica' AND (@continent::text IS NULL OR c.continent::text = @continent)
             ORDER BY c.name, c.id
            """,
            new { continent = continentLabel },
            ct);

    public Task<Country?> GetCountryAsync(int id, CancellationToken ct) =>
        SingleAsync<Country>($"SELECT {CountryColumns} FROM countries c WHERE c.id = @id", new { id }, ct);

    public Task<IReadOnlyList<Guide>> GetActiveGuidesAsync(CancellationToken ct) =>
        ListAsync<Guide>($"SELECT {GuideColumns} FROM guides g WHERE g.is_active ORDER BY g.name, g.id", null, ct);

    public Task<Guide?> GetGuideAsync(int id, CancellationToken ct) =>
        SingleAsync<Guide>($"SELECT {GuideColumns} FROM guides g WHERE g.id = @id", new { id }, ct);

    public Task<IReadOnlyList<Taxon>> GetTripTypesAsync(CancellationToken ct) =>
        ListAsync<Taxon>($"SELECT {TaxonColumns} FROM trip_types x ORDER BY x.name, x.id", null, ct);

    public Task<IReadOnlyList<Taxon>> GetTagsAsync(CancellationToken ct) =>
        ListAsync<Taxon>($"SELECT {TaxonColumns} FROM tags x ORDER BY x.name, x.id", null, ct);

    public Task<IReadOnlyList<Company>> GetActiveCompaniesAsync(CancellationToken ct) =>
        ListAsync<Company>($"SELECT {CompanyColumns} FROM companies co WHERE co.is_active ORDER BY co.name, co.id", null, ct);

    /// <summary>Any company, with the number of its active templates.</summary>
    public Task<Company?> GetCompanyAsync(int id, CancellationToken ct) =>
        SingleAsync<Company>(
            $"""
            SELECT {CompanyColumns},
                   (SELECT count(*)::int FROM trip_templates t WHERE t.company_id = co.id AND t.is_active) AS template_count
              FROM companies co WHERE co.id = @id
            """,
            new { id },
            ct);

    // ---- templates -----------------------------------------------------------------------------------------

    public async Task<Page<Template>> ListTemplatesAsync(TemplateQuery query, CancellationToken ct)
    {
        var limit = Paging.ListingLimit(query.Limit);
        var where = new SqlFilter("t.is_active")
            .When(query.CompanyId, "t.company_id = @companyId")
            .When(query.TripTypeId, "t.trip_type_id = @tripTypeId")
            .When(query.Difficulty, "t.difficulty_level = @difficulty")
            .When(query.CountryId, "EXISTS (SELECT 1 FROM trip_template_countries tc WHERE tc.trip_template_id = t.id AND tc.country_id = @countryId)");
        var parameters = new
        {
            query.CompanyId, query.TripTypeId, query.Difficulty, query.CountryId, limit, offset = query.Offset,
        };

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        int total;
        List<int> ids;
        await using (var grid = await connection.QueryMultipleAsync(new CommandDefinition(
            $"""
            SELECT count(*)::int FROM trip_templates t WHERE {where};
            SELECT t.id FROM trip_templates t WHERE {where} ORDER BY t.title, t.id LIMIT @limit OFFSET @offset;
            """,
            parameters,
            cancellationToken: ct)))
        {
            total = await grid.ReadSingleAsync<int>();
            ids = (await grid.ReadAsync<int>()).ToList();
        }

        var upcoming = query.IncludeOccurrences ? await LoadUpcomingAsync(connection, ids, ct) : [];
        var graph = await LoadAsync(connection, ids, upcoming.Where(o => o.GuideId.HasValue).Select(o => o.GuideId!.Value), ct);
        var templates = ids.Select(graph.Template).ToList();
        if (query.IncludeOccurrences)
        {
            var byTemplate = upcoming.Select(graph.Attach).ToLookup(o => o.TripTemplateId);
            templates = templates.Select(t => t with { UpcomingOccurrences = byTemplate[t.Id].ToList() }).ToList();
        }

        return new Page<Template>(templates, total, query.Offset, limit);
    }

    public async Task<Template?> GetTemplateAsync(int id, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var graph = await LoadAsync(connection, [id], [], ct);
        return graph.TryGetTemplate(id);
    }

    /// <summary>Up to five coming departures per template (Full included, Cancelled not), by start date.</summary>
    private async Task<List<Occurrence>> LoadUpcomingAsync(NpgsqlConnection connection, List<int> templateIds, CancellationToken ct) =>
        (await connection.QueryAsync<Occurrence>(new CommandDefinition(
            $"""
            SELECT {OccurrenceColumns} FROM (
                SELECT o.*, row_number() OVER (PARTITION BY o.trip_template_id ORDER BY o.start_date, o.id) AS rank
                  FROM trip_occurrences o
                 WHERE o.trip_template_id = ANY(@templateIds) AND o.start_date >= @today AND o.status <> 'Cancelled'
            ) o
             WHERE o.rank <= @perTemplate
             ORDER BY o.trip_template_id, o.start_date, o.id
            """,
            new { templateIds, today = Today, perTemplate = UpcomingPerTemplate },
            cancellationToken: ct))).AsList();

    // ---- occurrences ---------------------------------------------------------------------------------------

    public Task<Page<Occurrence>> ListOccurrencesAsync(OccurrenceQuery query, CancellationToken ct)
    {
        var limit = Paging.ListingLimit(query.Limit);
        var where = new SqlFilter("o.status NOT IN ('Cancelled', 'Full')", "o.start_date >= @today")
            .When(query.TemplateId, "o.trip_template_id = @templateId")
            .When(query.GuideId, "o.guide_id = @guideId")
            .When(query.Status, "o.status = @status")
            .When(query.Year, "EXTRACT(YEAR FROM o.start_date) = @year")
            .When(query.Month, "EXTRACT(MONTH FROM o.start_date) = @month")
            .When(query.StartDate, "o.start_date >= @startDate")
            .When(query.EndDate, "o.end_date <= @endDate")
            .When(query.MinPrice, "COALESCE(o.price_override, t.base_price) >= @minPrice")
            .When(query.MaxPrice, "COALESCE(o.price_override, t.base_price) <= @maxPrice");
        var parameters = new
        {
            today = Today, query.TemplateId, query.GuideId, query.Status, query.Year, query.Month,
            query.StartDate, query.EndDate, query.MinPrice, query.MaxPrice, limit, offset = query.Offset,
        };
        return PageOfOccurrencesAsync(where, parameters, query.Offset, limit, ct);
    }

    public async Task<Occurrence?> GetOccurrenceAsync(int id, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Occurrence>(new CommandDefinition(
            $"SELECT {OccurrenceColumns} FROM trip_occurrences o WHERE o.id = @id", new { id }, cancellationToken: ct));
        if (row is null)
        {
            return null;
        }

        var graph = await LoadAsync(connection, [row.TripTemplateId], row.GuideId is { } g ? [g] : [], ct);
        return graph.Attach(row);
    }

    /// <summary>
    /// Bookable departures for the frontend's trip list. Private-groups searches skip the date and spots rules.
    /// </summary>
    public Task<Page<Occurrence>> ListTripOccurrencesAsync(TripOccurrenceQuery query, CancellationToken ct)
    {
        var limit = Paging.TripOccurrencesLimit(query.Limit);
        var where = new SqlFilter(
                "o.status NOT IN ('Cancelled', 'Full')",
                "t.is_active",
                // "Private" needs a trip type with that exact name and a matching filter.
                """
                (@tripTypeId::int IS NOT NULL
                 AND @tripTypeId = (SELECT id FROM trip_types WHERE name = @privateName)
                 OR (o.start_date >= @today AND o.spots_left > 0))
                """)
            .When(query.CountryId, "t.primary_country_id = @countryId")
            .When(query.TripTypeId, "t.trip_type_id = @tripTypeId")
            .When(query.GuideId, "o.guide_id = @guideId")
            .When(query.Status, "o.status = @status")
            .When(query.Difficulty, "t.difficulty_level = @difficulty");
        var parameters = new
        {
            today = Today, privateName = PrivateGroupsTypeName, query.CountryId, query.TripTypeId, query.GuideId,
            query.Status, query.Difficulty, limit, offset = query.Offset,
        };
        return PageOfOccurrencesAsync(where, parameters, query.Offset, limit, ct);
    }

    private async Task<Page<Occurrence>> PageOfOccurrencesAsync(
        SqlFilter where, object parameters, int offset, int? limit, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        int total;
        List<Occurrence> rows;
        await using (var grid = await connection.QueryMultipleAsync(new CommandDefinition(
            $"""
            SELECT count(*)::int
              FROM trip_occurrences o JOIN trip_templates t ON t.id = o.trip_template_id
             WHERE {where};
            SELECT {OccurrenceColumns}
              FROM trip_occurrences o JOIN trip_templates t ON t.id = o.trip_template_id
             WHERE {where}
             ORDER BY o.start_date, o.id
             LIMIT @limit OFFSET @offset;
            """,
            parameters,
            cancellationToken: ct)))
        {
            total = await grid.ReadSingleAsync<int>();
            rows = (await grid.ReadAsync<Occurrence>()).ToList();
        }

        if (rows.Count == 0)
        {
            return new Page<Occurrence>([], total, offset, limit);
        }

        var graph = await LoadAsync(
            connection,
            rows.Select(r => r.TripTemplateId),
            rows.Where(r => r.GuideId.HasValue).Select(r => r.GuideId!.Value),
            ct);
        return new Page<Occurrence>(rows.Select(graph.Attach).ToList(), total, offset, limit);
    }

    // ---- statistics ----------------------------------------------------------------------------------------

    public async Task<CatalogStatistics> GetStatisticsAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleAsync<CatalogStatistics>(new CommandDefinition(
            """
            SELECT (SELECT count(*)::int FROM companies) AS companies,
                   (SELECT count(*)::int FROM trip_templates WHERE is_active) AS templates,
                   (SELECT count(*)::int FROM trip_occurrences WHERE status <> 'Cancelled') AS occurrences,
                   (SELECT count(*)::int FROM trip_occurrences WHERE status <> 'Cancelled' AND start_date >= @today) AS active_occurrences
            """,
            new { today = Today },
            cancellationToken: ct));
    }

    public async Task<CatalogCounts> GetCountsAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleAsync<CatalogCounts>(new CommandDefinition(
            """
            SELECT (SELECT count(*) FROM trip_occurrences) AS trip_occurrences,
                   (SELECT count(*) FROM trip_templates) AS trip_templates,
                   (SELECT count(*) FROM countries) AS countries,
                   (SELECT count(*) FROM guides) AS guides,
                   (SELECT count(*) FROM tags) AS tags,
                   (SELECT count(*) FROM trip_types) AS trip_types
            """,
            cancellationToken: ct));
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private async Task<IReadOnlyList<T>> ListAsync<T>(string sql, object? parameters, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<T>(new CommandDefinition(sql, parameters, cancellationToken: ct))).AsList();
    }

    private async Task<T?> SingleAsync<T>(string sql, object parameters, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<T>(new CommandDefinition(sql, parameters, cancellationToken: ct));
    }

    /// <summary>A WHERE clause made of fixed SQL fragments; values always travel as parameters.</summary>
    private sealed class SqlFilter(params string[] always)
    {
        private readonly List<string> _conditions = [.. always];

        public SqlFilter When<T>(T? value, string condition)
        {
            if (value is not null)
            {
                _conditions.Add(condition);
            }

            return this;
        }

        public override string ToString() => string.Join(" AND ", _conditions.Select(c => $"({c})"));
    }
}
