using Dapper;
using Npgsql;

namespace SmartTrip.Core.Catalog;

/// <summary>
/// Loads everything that hangs off a set of templates (company, trip type, countries, tags) and a set of
/// guides in one round trip, so a page costs the same number of queries whatever its size.
/// </summary>
internal sealed class CatalogGraph
{
    internal const string CountryColumns =
        "c.id, c.name, c.name_he, c.continent::text AS continent_label, c.created_at, c.updated_at";

    internal const string GuideColumns =
        "g.id, g.name, g.name_he, g.email, g.phone, g.gender::text AS gender_label, g.age, g.bio, g.bio_he, " +
        "g.image_url, g.is_active, g.created_at, g.updated_at";

    internal const string TaxonColumns =
        "x.id, x.name, x.name_he, x.description AS stored_description, x.created_at, x.updated_at";

    internal const string CompanyColumns =
        "co.id, co.name, co.name_he, co.description, co.description_he, co.logo_url, co.website_url, co.email, " +
        "co.phone, co.address, co.is_active, co.created_at, co.updated_at";

    internal const string TemplateColumns =
        "t.id, t.title, t.title_he, t.description, t.description_he, t.short_description, t.short_description_he, " +
        "t.image_url, t.base_price, t.single_supplement_price, t.typical_duration_days, t.default_max_capacity, " +
        "t.difficulty_level, t.company_id, t.trip_type_id, t.primary_country_id, t.is_active, " +
        "t.properties::text AS properties, t.created_at, t.updated_at";

    internal const string OccurrenceColumns =
        "o.id, o.trip_template_id, o.guide_id, o.start_date, o.end_date, o.price_override, " +
        "o.single_supplement_override, o.max_capacity_override, o.spots_left, o.status, o.image_url_override, " +
        "o.notes, o.notes_he, o.properties::text AS properties, o.created_at, o.updated_at";

    private const string Sql = $"""
        SELECT {TemplateColumns} FROM trip_templates t WHERE t.id = ANY(@templateIds);
        SELECT {CompanyColumns} FROM companies co
         WHERE co.id IN (SELECT company_id FROM trip_templates WHERE id = ANY(@templateIds));
        SELECT {TaxonColumns} FROM trip_types x
         WHERE x.id IN (SELECT trip_type_id FROM trip_templates WHERE id = ANY(@templateIds));
        SELECT {CountryColumns} FROM countries c
         WHERE c.id IN (SELECT primary_country_id FROM trip_templates WHERE id = ANY(@templateIds)
                        UNION SELECT country_id FROM trip_template_countries WHERE trip_template_id = ANY(@templateIds));
        SELECT tc.trip_template_id AS template_id, tc.country_id AS item_id FROM trip_template_countries tc
         WHERE tc.trip_template_id = ANY(@templateIds) ORDER BY tc.trip_template_id, tc.visit_order, tc.country_id;
        SELECT {TaxonColumns} FROM tags x
         WHERE x.id IN (SELECT tag_id FROM trip_template_tags WHERE trip_template_id = ANY(@templateIds));
        SELECT tt.trip_template_id AS template_id, tt.tag_id AS item_id FROM trip_template_tags tt
         WHERE tt.trip_template_id = ANY(@templateIds) ORDER BY tt.trip_template_id, tt.tag_id;
        SELECT {GuideColumns} FROM guides g WHERE g.id = ANY(@guideIds);
        """;

    private readonly Dictionary<int, Template> _templates;
    private readonly Dictionary<int, Guide> _guides;

    private CatalogGraph(Dictionary<int, Template> templates, Dictionary<int, Guide> guides)
    {
        _templates = templates;
        _guides = guides;
    }

    public static async Task<CatalogGraph> LoadAsync(
        NpgsqlConnection connection, IEnumerable<int> templateIds, IEnumerable<int> guideIds, CancellationToken ct)
    {
        var parameters = new { templateIds = templateIds.Distinct().ToArray(), guideIds = guideIds.Distinct().ToArray() };
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(Sql, parameters, cancellationToken: ct));

        var templates = (await grid.ReadAsync<Template>()).ToList();
        var companies = (await grid.ReadAsync<Company>()).ToDictionary(c => c.Id);
        var tripTypes = (await grid.ReadAsync<Taxon>()).ToDictionary(t => t.Id);
        var countries = (await grid.ReadAsync<Country>()).ToDictionary(c => c.Id);
        var countryLinks = (await grid.ReadAsync<Link>()).ToLookup(l => l.TemplateId, l => countries[l.ItemId]);
        var tags = (await grid.ReadAsync<Taxon>()).ToDictionary(t => t.Id);
        var tagLinks = (await grid.ReadAsync<Link>()).ToLookup(l => l.TemplateId, l => tags[l.ItemId]);
        var guides = (await grid.ReadAsync<Guide>()).ToDictionary(g => g.Id);

        var assembled = templates.ToDictionary(
            t => t.Id,
            t => t with
            {
                Company = companies.GetValueOrDefault(t.CompanyId),
                TripType = t.TripTypeId is { } typeId ? tripTypes.GetValueOrDefault(typeId) : null,
                PrimaryCountry = t.PrimaryCountryId is { } countryId ? countries.GetValueOrDefault(countryId) : null,
                Countries = countryLinks[t.Id].ToList(),
                Tags = tagLinks[t.Id].ToList(),
            });
        return new CatalogGraph(assembled, guides);
    }

    public Template Template(int id) => _templates[id];

    public Template? TryGetTemplate(int id) => _templates.GetValueOrDefault(id);

    public Occurrence Attach(Occurrence occurrence) => occurrence with
    {
        Template = _templates[occurrence.TripTemplateId],
        Guide = occurrence.GuideId is { } guideId ? _guides.GetValueOrDefault(guideId) : null,
    };

    private sealed record Link
    {
        public int TemplateId { get; init; }
        public int ItemId { get; init; }
    }
}
