using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using SmartTrip.Tests.Fixtures;
using SmartTrip.Tests.Generated;
using SmartTrip.Tests.Generated.Models;

namespace SmartTrip.Tests.Http;

/// <summary>
/// The C# client Kiota generates from the OpenAPI document on every build (SmartTrip.Tests.csproj, GenerateApiClient)
/// calls the host for a read, a search and an events batch, and reads each answer into its typed model.
/// </summary>
public sealed class GeneratedClientTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private SmartTripClient Client => new(new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: api.Client)
    {
        BaseUrl = api.Client.BaseAddress!.ToString().TrimEnd('/'),
    });

    [Fact]
    public async Task The_generated_client_reads_a_country_searches_and_sends_an_events_batch()
    {
        var country = await Client.Api.Countries[1].GetAsync();
        var search = await Client.Api.V2.Recommendations.PostAsync(new RecommendationRequestBody { SelectedContinents = ["Asia"], Budget = 15000 });
        var (session, browser) = (Guid.NewGuid(), Guid.NewGuid());
        var batch = await Client.Api.Events.Batch.PostAsync(new EventBatchBody
        {
            Events =
            [
                new EventBody { EventType = "page_view", SessionId = session, AnonymousId = browser, PageUrl = "/search" },
                new EventBody { EventType = "impression", SessionId = session, AnonymousId = browser, TripId = search!.Data![0].Id, Source = "search_results", Position = 1 },
                new EventBody { EventType = "bogus", SessionId = session, AnonymousId = browser },
            ],
        });

        Assert.Equal((true, 1), (country!.Success, country.Data!.Id));
        Assert.False(string.IsNullOrEmpty(country.Data.Name));
        Assert.True(search.Success);
        Assert.Equal(search.Count, search.Data.Count);
        Assert.InRange(search.Data.Count, 1, 10);
        Assert.All(search.Data, item => Assert.InRange(item.MatchScore!.Value, 0, 100));
        Assert.NotEqual(Guid.Empty, search.RequestId);
        Assert.Equal((true, 2, 3), (batch!.Success, batch.Processed, batch.Total));
        var refused = Assert.Single(batch.Errors!);
        Assert.Equal(2, refused.Index);
        Assert.StartsWith("Invalid event type: bogus.", refused.Error);
    }

    [Fact]
    public async Task The_generated_client_sends_a_filtered_catalogue_query_with_the_parameters_the_document_declares()
    {
        var page = await Client.Api.V2.Occurrences.GetAsync(request =>
        {
            request.QueryParameters.MinPrice = 5000;
            request.QueryParameters.MaxPrice = 9000.5;
            request.QueryParameters.Status = "Guaranteed";
            request.QueryParameters.Limit = 5;
            request.QueryParameters.Offset = 1;
        });
        using var direct = System.Text.Json.JsonDocument.Parse(await api.Client.GetStringAsync(
            "/api/v2/occurrences?min_price=5000&max_price=9000.5&status=Guaranteed&limit=5&offset=1"));

        Assert.Equal(direct.RootElement.GetProperty("total").GetInt32(), page!.Total);
        Assert.InRange(page.Total!.Value, 6, 1000); // the filter leaves a page and more to page through
        Assert.Equal((5, 1), (page.Limit, page.Offset));
        Assert.Equal(5, page.Data!.Count);
        Assert.All(page.Data, o => Assert.Equal(("Guaranteed", true), (o.Status, o.EffectivePrice is >= 5000 and <= 9000.5)));
    }
}
