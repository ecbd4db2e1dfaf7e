using System.Net;
using System.Text.Json;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Catalog;

[Collection(CatalogApiCollection.Name)]
public sealed class CatalogApiTests(ApiFixture api)
{
    private static string[] Keys(JsonElement obj) => obj.EnumerateObject().Select(p => p.Name).Order().ToArray();

    private static int[] Ids(JsonElement array) => array.EnumerateArray().Select(e => e.GetProperty("id").GetInt32()).ToArray();

    [Fact]
    public async Task Locations_lists_every_country_by_hebrew_name_and_the_continents_that_have_countries()
    {
        var (status, body) = await api.GetJsonAsync("/api/locations");

        Assert.Equal(200, status);
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.Equal(105, body.GetProperty("count").GetInt32());
        var countries = body.GetProperty("countries").EnumerateArray().ToList();
        Assert.Equal(105, countries.Count);
        Assert.Contains(countries, c => c.GetProperty("name").GetString() == "Antarctica");
        var hebrew = countries.Select(c => c.GetProperty("nameHe").GetString()!).ToList();
        Assert.Equal(hebrew.Order(StringComparer.Ordinal), hebrew);
        var continents = body.GetProperty("continents").EnumerateArray()
            .Select(c => (c.GetProperty("value").GetString(), c.GetProperty("nameHe").GetString())).ToList();
        Assert.Equal(
            [("Africa", "אפריקה"), ("Antarctica", "אנטארקטיקה"), ("Asia", "אסיה"), ("Europe", "אירופה"),
             ("North & Central America", "צפון ומרכז אמריקה"), ("South America", "דרום אמריקה")],
            continents);
    }

    [Fact]
    public async Task Countries_hide_antarctica_and_sort_by_name()
    {
        var (status, body) = await api.GetJsonAsync("/api/countries");

        Assert.Equal(200, status);
        Assert.Equal(104, body.GetProperty("count").GetInt32());
        var names = body.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).ToList();
        Assert.DoesNotContain("Antarctica", names);
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Equal(["continent", "createdAt", "id", "name", "nameHe", "updatedAt"], Keys(body.GetProperty("data")[0]));
    }

    [Theory]
    [InlineData("asia", 29)]
    [InlineData("Asia", 29)]
    [InlineData("EUROPE", 48)]
    [InlineData("North%20%26%20Central%20America", 8)]
    [InlineData("NORTH_AND_CENTRAL_AMERICA", 8)]
    [InlineData("north%20america", 8)]
    [InlineData("Oceania", 0)]
    [InlineData("Antarctica", 0)]
    public async Task Countries_filter_by_continent_in_any_accepted_spelling(string continent, int expected)
    {
        var (status, body) = await api.GetJsonAsync($"/api/countries?continent={continent}");

        Assert.Equal(200, status);
        Assert.Equal(expected, body.GetProperty("count").GetInt32());
        Assert.Equal(expected, body.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task Countries_for_asia_start_with_azerbaijan()
    {
        var (_, body) = await api.GetJsonAsync("/api/countries?continent=asia");

        var first = body.GetProperty("data")[0];
        Assert.Equal(14, first.GetProperty("id").GetInt32());
        Assert.Equal("Azerbaijan", first.GetProperty("name").GetString());
        Assert.Equal("אזרבייג'ן", first.GetProperty("nameHe").GetString());
        Assert.Equal("Asia", first.GetProperty("continent").GetString());
        Assert.Equal("2026-10-01T00:00:00Z", first.GetProperty("createdAt").GetString());
    }

    [Theory]
    [InlineData("Mars")]
    [InlineData("%20Asia")]
    public async Task Countries_reject_an_unknown_continent_with_the_valid_list(string continent)
    {
        var (status, body) = await api.GetJsonAsync($"/api/countries?continent={continent}");

        Assert.Equal(400, status);
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Equal(
            $"Invalid continent: {Uri.UnescapeDataString(continent)}. Valid continents: Africa, Antarctica, Asia, Europe, North & Central America, Oceania, South America",
            body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Country_by_id_and_unknown_country()
    {
        var (status, body) = await api.GetJsonAsync("/api/countries/26");
        Assert.Equal(200, status);
        Assert.Equal("Japan", body.GetProperty("data").GetProperty("name").GetString());
        Assert.Equal("יפן", body.GetProperty("data").GetProperty("nameHe").GetString());

        var (missing, error) = await api.GetJsonAsync("/api/countries/9999");
        Assert.Equal(404, missing);
        Assert.Equal("""{"success":false,"error":"Country not found"}""", error.GetRawText());
    }

    [Fact]
    public async Task Guides_are_the_active_guides_by_name_with_display_genders()
    {
        var (status, body) = await api.GetJsonAsync("/api/guides");

        Assert.Equal(200, status);
        Assert.Equal(25, body.GetProperty("count").GetInt32());
        var data = body.GetProperty("data");
        Assert.Equal(
            ["age", "bio", "bioHe", "createdAt", "email", "gender", "id", "imageUrl", "isActive", "name", "nameHe", "phone", "updatedAt"],
            Keys(data[0]));
        Expect.All(data.EnumerateArray(), 25, g => Assert.Contains(g.GetProperty("gender").GetString(), new[] { "Male", "Female" }));

        var (_, guide) = await api.GetJsonAsync("/api/guides/2");
        var david = guide.GetProperty("data");
        Assert.Equal("דוד לוי", david.GetProperty("name").GetString());
        Assert.Equal("Male", david.GetProperty("gender").GetString());
        Assert.Equal(38, david.GetProperty("age").GetInt32());
        Assert.Equal(JsonValueKind.Null, david.GetProperty("imageUrl").ValueKind);

        var (missing, error) = await api.GetJsonAsync("/api/guides/0");
        Assert.Equal(404, missing);
        Assert.Equal("Guide not found", error.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("/api/trip-types", 3, "African Safari")]
    [InlineData("/api/tags", 8, "Arctic & Snow")]
    public async Task Trip_types_and_tags_are_sorted_by_name(string path, int firstId, string firstName)
    {
        var (status, body) = await api.GetJsonAsync(path);

        Assert.Equal(200, status);
        Assert.Equal(10, body.GetProperty("count").GetInt32());
        var first = body.GetProperty("data")[0];
        Assert.Equal(firstId, first.GetProperty("id").GetInt32());
        Assert.Equal(firstName, first.GetProperty("name").GetString());
        Assert.Equal(["createdAt", "description", "id", "name", "nameHe", "updatedAt"], Keys(first));
        Assert.Equal(JsonValueKind.String, first.GetProperty("description").ValueKind);
    }

    [Fact]
    public async Task Companies_and_a_company_with_its_active_template_count()
    {
        var (status, body) = await api.GetJsonAsync("/api/v2/companies");
        Assert.Equal(200, status);
        Assert.Equal(10, body.GetProperty("count").GetInt32());
        Assert.Equal("Blue Ocean Cruises", body.GetProperty("data")[0].GetProperty("name").GetString());
        Assert.False(body.GetProperty("data")[0].TryGetProperty("templateCount", out _));

        var (_, one) = await api.GetJsonAsync("/api/v2/companies/1");
        var company = one.GetProperty("data");
        Assert.Equal("Global Horizons Travel", company.GetProperty("name").GetString());
        Assert.Equal(53, company.GetProperty("templateCount").GetInt32());

        var (missing, error) = await api.GetJsonAsync("/api/v2/companies/77");
        Assert.Equal(404, missing);
        Assert.Equal("Company not found", error.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Template_one_comes_with_company_type_country_and_tags()
    {
        var (status, body) = await api.GetJsonAsync("/api/v2/templates/1");

        Assert.Equal(200, status);
        var t = body.GetProperty("data");
        Assert.Equal("Discover Czech Republic", t.GetProperty("title").GetString());
        Assert.Equal("פלאי צ'כיה", t.GetProperty("titleHe").GetString());
        Assert.Equal(4850.00m, t.GetProperty("basePrice").GetDecimal());
        Assert.Equal(847.11m, t.GetProperty("singleSupplementPrice").GetDecimal());
        Assert.Equal(13, t.GetProperty("typicalDurationDays").GetInt32());
        Assert.Equal(JsonValueKind.Null, t.GetProperty("properties").ValueKind);
        Assert.Equal("Wanderlust World Tours", t.GetProperty("company").GetProperty("name").GetString());
        Assert.Equal("Geographic Depth", t.GetProperty("tripType").GetProperty("name").GetString());
        Assert.Equal("Europe", t.GetProperty("primaryCountry").GetProperty("continent").GetString());
        Assert.Equal([83], Ids(t.GetProperty("countries")));
        Assert.Equal([1, 6, 8], Ids(t.GetProperty("tags")));
        Assert.Equal("Mountain", t.GetProperty("tags")[1].GetProperty("name").GetString());
        Assert.Equal(
            ["basePrice", "company", "companyId", "countries", "createdAt", "defaultMaxCapacity", "description",
             "descriptionHe", "difficultyLevel", "id", "imageUrl", "isActive", "primaryCountry", "primaryCountryId",
             "properties", "shortDescription", "shortDescriptionHe", "singleSupplementPrice", "tags", "title", "titleHe",
             "tripType", "tripTypeId", "typicalDurationDays", "updatedAt"],
            Keys(t));

        var (missing, error) = await api.GetJsonAsync("/api/v2/templates/100000");
        Assert.Equal(404, missing);
        Assert.Equal("Template not found", error.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Templates_page_by_title_with_total_before_paging()
    {
        var (status, body) = await api.GetJsonAsync("/api/v2/templates?limit=3&offset=2");

        Assert.Equal(200, status);
        Assert.Equal(374, body.GetProperty("total").GetInt32());
        Assert.Equal(3, body.GetProperty("count").GetInt32());
        Assert.Equal(2, body.GetProperty("offset").GetInt32());
        Assert.Equal(3, body.GetProperty("limit").GetInt32());
        var titles = body.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("title").GetString()!).ToList();
        Assert.Equal(titles.Order(StringComparer.Ordinal), titles);
        Expect.All(body.GetProperty("data").EnumerateArray(), 3, t => Assert.False(t.TryGetProperty("upcomingOccurrences", out _)));
    }

    [Fact]
    public async Task Templates_limit_is_capped_at_100_and_zero_is_allowed()
    {
        var (_, capped) = await api.GetJsonAsync("/api/v2/templates?limit=500");
        Assert.Equal(100, capped.GetProperty("limit").GetInt32());
        Assert.Equal(100, capped.GetProperty("count").GetInt32());

        var (_, zero) = await api.GetJsonAsync("/api/v2/templates?limit=0");
        Assert.Equal(0, zero.GetProperty("count").GetInt32());
        Assert.Equal(374, zero.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Templates_filter_by_visited_country_type_company_and_difficulty()
    {
        var (_, body) = await api.GetJsonAsync("/api/v2/templates?country_id=83&trip_type_id=1&difficulty=3&company_id=6&limit=100");

        var items = body.GetProperty("data").EnumerateArray().ToList();
        Assert.NotEmpty(items);
        Assert.Contains(items, t => t.GetProperty("id").GetInt32() == 1);
        Expect.All(items, 1, t =>
        {
            Assert.Contains(83, Ids(t.GetProperty("countries")));
            Assert.Equal(1, t.GetProperty("tripTypeId").GetInt32());
            Assert.Equal(3, t.GetProperty("difficultyLevel").GetInt32());
            Assert.Equal(6, t.GetProperty("companyId").GetInt32());
        });
        Assert.Equal(items.Count, body.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Templates_with_occurrences_carry_up_to_five_coming_departures_each()
    {
        var (_, body) = await api.GetJsonAsync("/api/v2/templates?include_occurrences=TRUE&limit=100");

        var withDepartures = 0;
        foreach (var template in body.GetProperty("data").EnumerateArray())
        {
            var upcoming = template.GetProperty("upcomingOccurrences").EnumerateArray().ToList();
            Assert.True(upcoming.Count <= 5);
            withDepartures += upcoming.Count > 0 ? 1 : 0;
            var starts = upcoming.Select(o => o.GetProperty("startDate").GetString()!).ToList();
            Assert.Equal(starts.Order(StringComparer.Ordinal), starts);
            Assert.All(upcoming, o =>
            {
                Assert.True(string.CompareOrdinal(o.GetProperty("startDate").GetString(), "2026-11-25") >= 0);
                Assert.NotEqual("Cancelled", o.GetProperty("status").GetString());
                Assert.Equal(template.GetProperty("id").GetInt32(), o.GetProperty("template").GetProperty("id").GetInt32());
            });
        }

        Assert.True(withDepartures > 50);
    }

    [Theory]
    [InlineData("/api/v2/templates?limit=-1", "Invalid query parameter: limit must not be negative")]
    [InlineData("/api/v2/templates?offset=-5", "Invalid query parameter: offset must not be negative")]
    [InlineData("/api/v2/templates?company_id=abc", "Invalid query parameter: company_id must be an integer")]
    [InlineData("/api/v2/templates?difficulty=1.5", "Invalid query parameter: difficulty must be an integer")]
    [InlineData("/api/v2/templates?country_id=99999999999", "Invalid query parameter: country_id must be an integer")]
    [InlineData("/api/v2/occurrences?limit=ten", "Invalid query parameter: limit must be an integer")]
    [InlineData("/api/v2/occurrences?min_price=cheap", "Invalid query parameter: min_price must be a number")]
    [InlineData("/api/v2/occurrences?max_price=1e5", "Invalid query parameter: max_price must be a number")]
    [InlineData("/api/v2/occurrences?year=%2B2027", "Invalid query parameter: year must be an integer")]
    [InlineData("/api/v2/trip-occurrences?offset=-1", "Invalid query parameter: offset must not be negative")]
    [InlineData("/api/v2/trip-occurrences?guide_id=x", "Invalid query parameter: guide_id must be an integer")]
    public async Task Bad_query_parameters_get_a_400_naming_the_parameter(string path, string message)
    {
        var (status, body) = await api.GetJsonAsync(path);

        Assert.Equal(400, status);
        Assert.Equal($$"""{"success":false,"error":"{{message}}"}""", body.GetRawText());
    }

    [SkippableFact]
    public async Task Occurrence_one_matches_the_documented_example()
    {
        api.SkipOnExternalHost("the documented example has the data set's own dates, which an external host's catalogue moves to today");
        var (status, body) = await api.GetJsonAsync("/api/v2/occurrences/1");

        Assert.Equal(200, status);
        var o = body.GetProperty("data");
        Assert.Equal("2027-01-12", o.GetProperty("startDate").GetString());
        Assert.Equal("2027-01-25", o.GetProperty("endDate").GetString());
        Assert.Equal("Last Places", o.GetProperty("status").GetString());
        Assert.Equal(17, o.GetProperty("spotsLeft").GetInt32());
        Assert.Equal(4850.00m, o.GetProperty("effectivePrice").GetDecimal());
        Assert.Equal(24, o.GetProperty("effectiveMaxCapacity").GetInt32());
        Assert.Equal(JsonValueKind.Null, o.GetProperty("effectiveImageUrl").ValueKind);
        Assert.Equal(14, o.GetProperty("durationDays").GetInt32());
        Assert.Equal(JsonValueKind.Null, o.GetProperty("priceOverride").ValueKind);
        Assert.Equal("Discover Czech Republic", o.GetProperty("template").GetProperty("title").GetString());
        Assert.Equal([1, 6, 8], Ids(o.GetProperty("template").GetProperty("tags")));
        Assert.Equal("מיכל אבו ליל", o.GetProperty("guide").GetProperty("name").GetString());
        Assert.Equal(
            ["createdAt", "durationDays", "effectiveImageUrl", "effectiveMaxCapacity", "effectivePrice", "endDate", "guide",
             "guideId", "id", "imageUrlOverride", "maxCapacityOverride", "notes", "notesHe", "priceOverride", "properties",
             "singleSupplementOverride", "spotsLeft", "startDate", "status", "template", "tripTemplateId", "updatedAt"],
            Keys(o));

        var (missing, error) = await api.GetJsonAsync("/api/v2/occurrences/999999");
        Assert.Equal(404, missing);
        Assert.Equal("Occurrence not found", error.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Occurrences_list_coming_open_departures_by_date()
    {
        var (status, body) = await api.GetJsonAsync("/api/v2/occurrences?limit=100");

        Assert.Equal(200, status);
        Assert.Equal(498, body.GetProperty("total").GetInt32());
        Assert.Equal(50, (await api.GetJsonAsync("/api/v2/occurrences")).Body.GetProperty("limit").GetInt32());
        var items = body.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(154, items[0].GetProperty("id").GetInt32());
        var keys = items.Select(o => (o.GetProperty("startDate").GetString()!, o.GetProperty("id").GetInt32())).ToList();
        Assert.Equal(keys.OrderBy(k => k.Item1, StringComparer.Ordinal).ThenBy(k => k.Item2), keys);
        Expect.All(items, 100, o => Assert.DoesNotContain(o.GetProperty("status").GetString(), new[] { "Full", "Cancelled" }));
    }

    [Fact]
    public async Task Occurrences_filter_on_end_date_price_status_and_month()
    {
        var (_, byEnd) = await api.GetJsonAsync("/api/v2/occurrences?end_date=2026-12-31&limit=100");
        Assert.NotEqual(0, byEnd.GetProperty("total").GetInt32());
        // Date filters: on an external host the catalogue's dates are shifted to today, so the page holds what the total says.
        Expect.All(byEnd.GetProperty("data").EnumerateArray(), api.OnExternalHost ? Math.Min(100, byEnd.GetProperty("total").GetInt32()) : 15,
            o => Assert.True(string.CompareOrdinal(o.GetProperty("endDate").GetString(), "2026-12-31") <= 0));

        var (_, byPrice) = await api.GetJsonAsync("/api/v2/occurrences?min_price=9000&max_price=12000.5&limit=100");
        Assert.NotEqual(0, byPrice.GetProperty("total").GetInt32());
        Expect.All(byPrice.GetProperty("data").EnumerateArray(), 100,
            o => Assert.InRange(o.GetProperty("effectivePrice").GetDecimal(), 9000m, 12000.5m));

        var (_, lastPlaces) = await api.GetJsonAsync("/api/v2/occurrences?status=last%20places&limit=100");
        Assert.NotEqual(0, lastPlaces.GetProperty("total").GetInt32());
        Expect.All(lastPlaces.GetProperty("data").EnumerateArray(), 100, o => Assert.Equal("Last Places", o.GetProperty("status").GetString()));

        var (_, full) = await api.GetJsonAsync("/api/v2/occurrences?status=FULL");
        Assert.Equal(0, full.GetProperty("total").GetInt32());

        var (_, march) = await api.GetJsonAsync("/api/v2/occurrences?year=2027&month=3&limit=100");
        Assert.NotEqual(0, march.GetProperty("total").GetInt32());
        Expect.All(march.GetProperty("data").EnumerateArray(), api.OnExternalHost ? Math.Min(100, march.GetProperty("total").GetInt32()) : 28, o => Assert.StartsWith("2027-03-", o.GetProperty("startDate").GetString()));

        var (_, ignoredDate) = await api.GetJsonAsync("/api/v2/occurrences?start_date=not-a-date&status=whatever");
        Assert.Equal(498, ignoredDate.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Trip_occurrences_list_bookable_departures_and_honour_limit_and_offset()
    {
        var (status, all) = await api.GetJsonAsync("/api/v2/trip-occurrences");
        Assert.Equal(200, status);
        Assert.Equal(462, all.GetProperty("total").GetInt32());
        Assert.Equal(462, all.GetProperty("count").GetInt32());
        Assert.Equal(JsonValueKind.Null, all.GetProperty("limit").ValueKind);
        Expect.All(all.GetProperty("data").EnumerateArray(), 462, o => Assert.True(o.GetProperty("spotsLeft").GetInt32() > 0));

        var (_, page) = await api.GetJsonAsync("/api/v2/trip-occurrences?limit=2&offset=1");
        Assert.Equal(2, page.GetProperty("count").GetInt32());
        Assert.Equal(Ids(all.GetProperty("data"))[1..3], Ids(page.GetProperty("data")));

        var (_, clamped) = await api.GetJsonAsync("/api/v2/trip-occurrences?limit=0");
        Assert.Equal(1, clamped.GetProperty("limit").GetInt32());
        Assert.Equal(1, clamped.GetProperty("count").GetInt32());
    }

    [SkippableFact]
    public async Task Private_groups_trip_occurrences_skip_the_date_and_spots_rules()
    {
        api.SkipOnExternalHost("it counts departures against the pinned today");
        var (_, body) = await api.GetJsonAsync("/api/v2/trip-occurrences?trip_type_id=10");

        var items = body.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(body.GetProperty("total").GetInt32(), items.Count);
        Expect.All(items, 46, o => Assert.Equal(10, o.GetProperty("template").GetProperty("tripTypeId").GetInt32()));
        Assert.Contains(items, o => o.GetProperty("spotsLeft").GetInt32() == 0 && o.GetProperty("startDate").GetString() == "2099-12-31");
    }

    [Fact]
    public async Task Schema_info_reports_catalogue_statistics_and_working_endpoints()
    {
        var (status, body) = await api.GetJsonAsync("/api/v2/schema-info");

        Assert.Equal(200, status);
        Assert.Equal("2.3", body.GetProperty("schema_version").GetString());
        Assert.Equal(
            """{"companies":10,"templates":374,"occurrences":542,"active_occurrences":528}""",
            body.GetProperty("statistics").GetRawText());
        Assert.Equal("/api/v2/trip-occurrences", body.GetProperty("endpoints").GetProperty("trips").GetString());
    }

    [Fact]
    public async Task Health_reports_database_and_queue_with_catalogue_counts()
    {
        var (status, body) = await api.GetJsonAsync("/api/health");

        Assert.Equal(200, status);
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.Equal("SmartTrip API", body.GetProperty("service").GetString());
        Assert.Equal("""{"database":"ok","queue":"ok"}""", body.GetProperty("checks").GetRawText());
        Assert.Equal(
            """{"trip_occurrences":542,"trip_templates":374,"countries":105,"guides":25,"tags":10,"trip_types":10}""",
            body.GetProperty("database").GetRawText());
        Assert.False(body.TryGetProperty("error", out _));
        Assert.False(body.TryGetProperty("success", out _));
    }

    /// <summary>
    /// Anonymous health is liveness only: what waits for an operator (dead letters, poison messages, the search log's
    /// buffer, the catalogue held in memory, rows in default partitions) is behind the function key. Before, the anonymous
    /// answer carried all of it.
    /// </summary>
    [Fact]
    public async Task Anonymous_health_is_liveness_and_the_details_need_the_function_key()
    {
        var (_, anonymous) = await api.GetJsonAsync("/api/health");
        var (withoutKey, _) = await api.SendWithKeyAsync(HttpMethod.Get, "/api/health/details", functionKey: null);
        var (withKey, details) = await api.SendWithKeyAsync(HttpMethod.Get, "/api/health/details");

        Assert.Equal(["checks", "database", "schema", "service", "status", "version"],
            anonymous.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(401, withoutKey);
        Assert.Equal(200, withKey);
        Assert.True(details.TryGetProperty("dead_letters", out _));
        Assert.True(details.TryGetProperty("request_log", out _));
        Assert.Equal(anonymous.GetProperty("database").GetRawText(), details.GetProperty("database").GetRawText());
    }

    [Theory]
    [InlineData("/api/nowhere")]
    [InlineData("/api/v2/trips")]
    [InlineData("/api/seed")]
    [InlineData("/api/v2/templates/1/extra")]
    public async Task Unknown_routes_get_the_json_404(string path)
    {
        var (status, body) = await api.GetJsonAsync(path);

        Assert.Equal(404, status);
        Assert.Equal("""{"success":false,"error":"Endpoint not found"}""", body.GetRawText());
    }

    /// <summary>
    /// An id the <c>int</c> route constraint refused matched no route at all: the host's empty 404 (found by the second
    /// security review on both hosts). The function now reads the id itself and answers its JSON 404.
    /// </summary>
    [Theory]
    [InlineData("/api/countries/2147483648", "Country not found")]
    [InlineData("/api/countries/99999999999999999999", "Country not found")]
    [InlineData("/api/countries/abc", "Country not found")]
    [InlineData("/api/guides/%EF%BC%91", "Guide not found")] // a full-width digit one
    [InlineData("/api/v2/templates/-0", "Template not found")]
    [InlineData("/api/v2/occurrences/1.5", "Occurrence not found")]
    public async Task An_id_that_is_no_32_bit_integer_gets_the_json_404(string path, string message)
    {
        var (status, body) = await api.GetJsonAsync(path);

        Assert.Equal(404, status);
        Assert.Equal($$"""{"success":false,"error":"{{message}}"}""", body.GetRawText());
    }

    [Fact]
    public async Task A_method_no_function_lists_on_an_unknown_path_gets_the_json_404()
    {
        using var response = await api.Client.SendAsync(new HttpRequestMessage(new HttpMethod("FOO"), "/api/nowhere"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("""{"success":false,"error":"Endpoint not found"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_id_with_white_space_and_a_sign_still_names_its_item()
    {
        var (status, body) = await api.GetJsonAsync("/api/countries/%20+1");

        Assert.Equal(200, status);
        Assert.Equal(1, body.GetProperty("data").GetProperty("id").GetInt32());
    }

    [Theory]
    [InlineData("POST", "/api/countries")]
    [InlineData("DELETE", "/api/v2/templates/1")]
    [InlineData("PUT", "/api/health")]
    [InlineData("FOO", "/api/health")] // a method no function lists: the host's empty 404 before the any-method fallback
    [InlineData("PROPFIND", "/api/countries/2147483648")]
    public async Task Known_paths_with_a_wrong_method_get_405_with_allow(string method, string path)
    {
        using var response = await api.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("GET, OPTIONS", string.Join(", ", response.Content.Headers.Allow));
        Assert.Equal("""{"success":false,"error":"Method not allowed"}""", await response.Content.ReadAsStringAsync());
    }

    [SkippableFact]
    public async Task Cors_preflight_from_the_frontend_allows_credentials()
    {
        api.SkipOnExternalHost("CORS is applied by the platform or Core Tools in front of the Functions host, not by the host");
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/v2/templates");
        request.Headers.Add("Origin", "http://localhost:3000");
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type,x-session-id");
        using var response = await api.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("http://localhost:3000", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("true", response.Headers.GetValues("Access-Control-Allow-Credentials").Single());
    }

    [Fact]
    public async Task Cors_ignores_other_origins()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/tags");
        request.Headers.Add("Origin", "https://evil.example.com");
        using var response = await api.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
