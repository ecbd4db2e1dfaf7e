using System.Text;
using Azure.Storage.Queues;
using SmartTrip.Core.Hosting;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Tracking;

/// <summary>
/// Hosts that share the test Azurite do not see each other's events: a host that does not drain the events queue sends
/// to a storage account of its own, so the draining host (the events fixture's) never stores them in its database, and
/// the counts the pipeline tests assert are only their own.
/// </summary>
public sealed class QueueIsolationTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    /// <summary>Change that this catches: every fixture given the development account again (ApiFixture.StorageConnectionString).</summary>
    [Fact]
    public async Task Events_accepted_by_a_host_that_does_not_drain_wait_on_its_own_account()
    {
        var session = Guid.NewGuid();
        using var response = await api.Client.PostAsync("/api/events", new StringContent(
            $$"""{"event_type":"page_view","session_id":"{{session}}","anonymous_id":"{{Guid.NewGuid()}}"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);

        Assert.NotEqual(TestServices.StorageConnectionString, api.StorageConnectionString);
        var queue = new QueueClient(api.StorageConnectionString, QueueNames.Events);
        var messages = (await queue.PeekMessagesAsync(32)).Value;
        Assert.Contains(messages, m => Encoding.UTF8.GetString(Convert.FromBase64String(m.MessageText)).Contains(session.ToString(), StringComparison.Ordinal));
    }
}
