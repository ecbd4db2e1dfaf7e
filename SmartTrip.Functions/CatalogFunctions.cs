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
    private const string StatusDescription =
        "Only this status: Open, Guaranteed, Last Places (or LAST_PLACES), Full, Cancelled, in any case; another value is ignored";

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
    [ApiQuery("continent", QueryShape.Text, "A continent name or label (recommendation.md §3.3)")]
    [ApiResponse(200, typeof(ListBody<Country>), "The countries")]
    [ApiResponse(400, typeof(ErrorBody), "An unknown continent or a bad parameter")]
    [Function(nameof(GetCountries))]
    public async Task<IActionResult> GetCountries(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "countries")] HttpRequest req, CancellationToken ct)
    {
        var q = QueryReader.Of(req);
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
    [ApiQuery("company_id", QueryShape.Integer, "Only this company's templates")]
    [ApiQuery("trip_type_id", QueryShape.Integer, "Only this trip type")]
    [ApiQuery("difficulty", QueryShape.Integer, "Only this difficulty level (1-5)")]
    [ApiQuery("country_id", QueryShape.Integer, "Only templates that visit this country (any of their countries)")]
    [ApiQuery("include_occurrences", QueryShape.Flag, "Add each template's next 5 occurrences (upcomingOccurrences)", Default = false)]
    [ApiQuery("limit", QueryShape.Count, "Templates per page; above 100 is 100", Default = Paging.DefaultLimit)]
    [ApiQuery("offset", QueryShape.Count, "Templates to skip", Default = 0)]
    [ApiResponse(200, typeof(PageBody<Template>), "A page of templates")]
    [ApiResponse(400, typeof(ErrorBody), "A bad filter or paging parameter")]
    [Function(nameof(GetTemplates))]
    public async Task<IActionResult> GetTemplates(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v2/templates")] HttpRequest req, CancellationToken ct)
    {
        var q = QueryReader.Of(req);
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
    [ApiQuery("template_id", QueryShape.Integer, "Only this template's occurrences")]
    [ApiQuery("guide_id", QueryShape.Integer, "Only this guide's occurrences")]
    [ApiQuery("status", QueryShape.Text, StatusDescription)]
    [ApiQuery("year", QueryShape.Integer, "Only occurrences starting in this year")]
    [ApiQuery("month", QueryShape.Integer, "Only occurrences starting in this month (1-12)")]
    [ApiQuery("start_date", QueryShape.Date, "Only occurrences starting on or after this date (YYYY-MM-DD; unreadable is ignored)")]
    [ApiQuery("end_date", QueryShape.Date, "Only occurrences ending on or before this date (YYYY-MM-DD; unreadable is ignored)")]
    [ApiQuery("min_price", QueryShape.Number, "Only occurrences whose effective price is at least this")]
    [ApiQuery("max_price", QueryShape.Number, "Only occurrences whose effective price is at most this")]
    [ApiQuery("include_template", QueryShape.Flag, "Accepted for the existing frontend; the template is always included", Default = true)]
    [ApiQuery("limit", QueryShape.Count, "Occurrences per page; above 100 is 100", Default = Paging.DefaultLimit)]
    [ApiQuery("offset", QueryShape.Count, "Occurrences to skip", Default = 0)]
    [ApiResponse(200, typeof(PageBody<Occurrence>), "A page of occurrences")]
    [ApiResponse(400, typeof(ErrorBody), "A bad filter or paging parameter")]
    [Function(nameof(GetOccurrences))]
    public async Task<IActionResult> GetOccurrences(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v2/occurrences")] HttpRequest req, CancellationToken ct)
    {
        var q = QueryReader.Of(req);
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
    [ApiQuery("country_id", QueryShape.Integer, "Only templates whose primary country is this one")]
    [ApiQuery("trip_type_id", QueryShape.Integer, "Only this trip type (Private Groups lists its occurrences whatever their date and spots)")]
    [ApiQuery("guide_id", QueryShape.Integer, "Only this guide's occurrences")]
    [ApiQuery("status", QueryShape.Text, StatusDescription)]
    [ApiQuery("difficulty", QueryShape.Integer, "Only this difficulty level (1-5)")]
    [ApiQuery("limit", QueryShape.Integer, "Occurrences per page, clamped to 1-1000; absent: all of them")]
    [ApiQuery("offset", QueryShape.Count, "Occurrences to skip", Default = 0)]
    [ApiResponse(200, typeof(PageBody<Occurrence>), "A page of occurrences")]
    [ApiResponse(400, typeof(ErrorBody), "A bad filter or paging parameter")]
    [Function(nameof(GetTripOccurrences))]
    public async Task<IActionResult> GetTripOccurrences(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v2/trip-occurrences")] HttpRequest req, CancellationToken ct)
    {
        var q = QueryReader.Of(req);
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
