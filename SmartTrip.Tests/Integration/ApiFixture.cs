using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using SmartTrip.DevHost;

namespace SmartTrip.Tests.Integration;

/// <summary>
/// The development host in process (TestServer) over a seeded database of its own and the test Azurite,
/// with "today" pinned to 2026-11-25.
/// </summary>
public class ApiFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public string ConnectionString { get; private set; } = "";

    public FakeTimeProvider Clock { get; } = TestServices.Clock();

    public HttpClient Client { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    protected virtual string DatabasePrefix => "api";

    public async Task InitializeAsync()
    {
        ConnectionString = await TestServices.CreateSeededDatabaseAsync(DatabasePrefix);
        await TestServices.EnsureQueuesAsync();
        _app = DevHostApplication.Build([], builder =>
        {
            builder.WebHost.UseTestServer();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:SmartTripDb"] = ConnectionString,
                ["AzureWebJobsStorage"] = TestServices.StorageConnectionString,
            });
            builder.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock));
        });
        await _app.StartAsync();
        Client = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    /// <summary>GETs a path and returns the status and the parsed JSON body.</summary>
    public async Task<(int Status, JsonElement Body)> GetJsonAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        using var document = JsonDocument.Parse(text);
        return ((int)response.StatusCode, document.RootElement.Clone());
    }
}

[CollectionDefinition(Name)]
public sealed class CatalogApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "catalog api";
}
