using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using SmartTrip.Core.Catalog;
using SmartTrip.Core.Wire;
using SmartTrip.Functions.Http;

namespace SmartTrip.Functions;

/// <summary>Reference data and the v2 catalogue reads (api.md §4–§5).</summary>
public sealed class CatalogFunctions(CatalogRepository catalog)
{
    [ApiSummary("Countries with trips and the continents, for the search form")]
    [ApiResponse(200, typeof(LocationsBody), "The countries and continents")]
    [Function(nameof(GetLocations))]
    public async Task<IActionResult> GetLocations(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "locations")] HttpRequest req, CancellationToken ct)
    {
        var countries = await catalog.GetLocationsAsync(ct);
        var present = countries.Select(c => c.ContinentLabel).ToHashSet();
        var continents = Continents.All.Where(c => present.Contains(c.Label)).Select(c => new ContinentOption(c.DisplayName, c.NameHe)).ToList();
        return Respond.Ok(new LocationsBody(countries, continents));
    }

    [ApiSummary("Countries, optionally of one continent")]
    [ApiQuery("continent", typeof(string), "A continent name or label (recommendation.md §3.3)")]
    [ApiResponse(200, typeof(ListBody<Country>), "The countries")]
    [ApiResponse(400, typeof(ErrorBody), "An unknown continent or a bad parameter")]
    [Function(nameof(GetCountries))]
    public async Task<IActionResult> GetCountries(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "countries")] HttpRequest req, CancellationToken ct)
    {
        var q = new QueryReader(req.Query);
        var continent = q.String("continent");
        if (!q.IsValid)
        {
            return Respond.BadRequest(q.Error!);
        }

        string? label = null;
        if (continent is not null && !Continents.TryNormalize(continent, out label))
        {
            return Respond.BadRequest(Continents.InvalidMessage(continent));
        }

        return Respond.List(await catalog.GetCountriesAsync(label, ct));
    }

    [ApiSummary("One country")]
    [ApiResponse(200, typeof(ItemBody<Country>), "The country")]
    [ApiResponse(404, typeof(ErrorBody), "No such country")]
    [Function(nameof(GetCountry))]
    public async Task<IActionResult> GetCountry(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "countries/{id}")] HttpRequest req, string id, CancellationToken ct) =>
        await Respond.ItemByIdAsync(id, value => catalog.GetCountryAsync(value, ct), "Country not found");

    [ApiSummary("Active guides")]
    [ApiResponse(200, typeof(ListBody<Guide>), "The guides")]
    [Function(nameof(GetGuides))]
    public async Task<IActionResult> GetGuides(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "guides")] HttpRequest req, CancellationToken ct) =>
        Respond.List(await catalog.GetActiveGuidesAsync(ct));

    [ApiSummary("One guide")]
    [ApiResponse(200, typeof(ItemBody<Guide>), "The guide")]
    [ApiResponse(404, typeof(ErrorBody), "No such guide")]
    [Function(nameof(GetGuide))]
    public async Task<IActionResult> GetGuide(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "guides/{id}")] HttpRequest req, string id, CancellationToken ct) =>
        await Respond.ItemByIdAsync(id, value => catalog.GetGuideAsync(value, ct), "Guide not found");

    [ApiSummary("Trip types")]
    [ApiResponse(200, typeof(ListBody<Taxon>), "The trip types")]
    [Function(nameof(GetTripTypes))]
    public async Task<IActionResult> GetTripTypes(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "trip-types")] HttpRequest req, CancellationToken ct) =>
        Respond.List(await catalog.GetTripTypesAsync(ct));

    [ApiSummary("Theme tags")]
    [ApiResponse(200, typeof(ListBody<Taxon>), "The tags")]
    [Function(nameof(GetTags))]
    public async Task<IActionResult> GetTags(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "tags")] HttpRequest req, CancellationToken ct) =>
        Respond.List(await catalog.GetTagsAsync(ct));

    [ApiSummary("Active companies")]
    [ApiResponse(200, typeof(ListBody<Company>), "The companies")]
    [Function(nameof(GetCompanies))]
    public async Task<IActionResult> GetCompanies(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v2/companies")] HttpRequest req, CancellationToken ct) =>
        Respond.List(await catalog.GetActiveCompaniesAsync(ct));

    [ApiSummary("One company")]
    [ApiResponse(200, typeof(ItemBody<Company>), "The company")]
    [ApiResponse(404, typeof(ErrorBody), "No such company")]
    [Function(nameof(GetCompany))]
    public async Task<IActionResult> GetCompany(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v2/companies/{id}")] HttpRequest req, string id, CancellationToken ct) =>
        await Respond.ItemByIdAsync(id, value => catalog.GetCompanyAsync(value, ct), "Company not found");

    [ApiSummary("Trip templates, filtered and paged (api.md §5.3)")]
    [ApiResponse(200, typeof(PageBody<Template>), "A page of templates")]
    [ApiResponse(400, typeof(ErrorBody), "A bad filter or paging parameter")]
    [Function(nameof(GetTemplates))]
    public async Task<IActionResult> GetTemplates(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v2/templates")] HttpRequest req, CancellationToken ct)
    {
        var q = new QueryReader(req.Query);
        var query = new TemplateQuery
        {
            CompanyId = q.Int("company_id"),
            TripTypeId = q.Int("trip_type_id"),
            Difficulty = q.Int("difficulty"),
            CountryId = q.Int("country_id"),
            IncludeOccurrences = q.Flag("include_occurrences"),
            Limit = q.Count("limit"),
            Offset = q.Count("offset") ?? 0,
        };
        return q.IsValid ? Respond.Page(await catalog.ListTemplatesAsync(query, ct)) : Respond.BadRequest(q.Error!);
    }

    [ApiSummary("One trip template with its occurrences")]
    [ApiResponse(200, typeof(ItemBody<Template>), "The template")]
    [ApiResponse(404, typeof(ErrorBody), "No such template")]
    [Function(nameof(GetTemplate))]
    public async Task<IActionResult> GetTemplate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v2/templates/{id}")] HttpRequest req, string id, CancellationToken ct) =>
        await Respond.ItemByIdAsync(id, value => catalog.GetTemplateAsync(value, ct), "Template not found");

    [ApiSummary("Trip occurrences, filtered and paged (api.md §5.5)")]
    [ApiResponse(200, typeof(PageBody<Occurrence>), "A page of occurrences")]
    [ApiResponse(400, typeof(ErrorBody), "A bad filter or paging parameter")]
    [Function(nameof(GetOccurrences))]
    public async Task<IActionResult> GetOccurrences(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v2/occurrences")] HttpRequest req, CancellationToken ct)
    {
        var q = new QueryReader(req.Query);
        var query = new OccurrenceQuery
        {
            TemplateId = q.Int("template_id"),
            GuideId = q.Int("guide_id"),
            Status = TripStatuses.FromQuery(q.String("status")),
            Year = q.Int("year"),
            Month = q.Int("month"),
            StartDate = q.Date("start_date"),
            EndDate = q.Date("end_date"),
            MinPrice = q.Number("min_price"),
            MaxPrice = q.Number("max_price"),
            Limit = q.Count("limit"),
            Offset = q.Count("offset") ?? 0,
        };
        return q.IsValid ? Respond.Page(await catalog.ListOccurrencesAsync(query, ct)) : Respond.BadRequest(q.Error!);
    }

    [ApiSummary("One trip occurrence")]
    [ApiResponse(200, typeof(ItemBody<Occurrence>), "The occurrence")]
    [ApiResponse(404, typeof(ErrorBody), "No such occurrence")]
    [Function(nameof(GetOccurrence))]
    public async Task<IActionResult> GetOccurrence(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v2/occurrences/{id}")] HttpRequest req, string id, CancellationToken ct) =>
        await Respond.ItemByIdAsync(id, value => catalog.GetOccurrenceAsync(value, ct), "Occurrence not found");

    [ApiSummary("Occurrences for the listing pages (api.md §5.7)")]
    [ApiResponse(200, typeof(PageBody<Occurrence>), "A page of occurrences")]
    [ApiResponse(400, typeof(ErrorBody), "A bad filter or paging parameter")]
    [Function(nameof(GetTripOccurrences))]
    public async Task<IActionResult> GetTripOccurrences(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v2/trip-occurrences")] HttpRequest req, CancellationToken ct)
    {
        var q = new QueryReader(req.Query);
        var query = new TripOccurrenceQuery
        {
            CountryId = q.Int("country_id"),
            TripTypeId = q.Int("trip_type_id"),
            GuideId = q.Int("guide_id"),
            Status = TripStatuses.FromQuery(q.String("status")),
            Difficulty = q.Int("difficulty"),
            Limit = q.Int("limit"),
            Offset = q.Count("offset") ?? 0,
        };
        return q.IsValid ? Respond.Page(await catalog.ListTripOccurrencesAsync(query, ct)) : Respond.BadRequest(q.Error!);
    }

    [ApiSummary("Catalogue statistics")]
    [ApiResponse(200, typeof(SchemaInfoBody), "The statistics")]
    [Function(nameof(GetSchemaInfo))]
    public async Task<IActionResult> GetSchemaInfo(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v2/schema-info")] HttpRequest req, CancellationToken ct) =>
        Respond.Ok(new SchemaInfoBody(await catalog.GetStatisticsAsync(ct)));
}
