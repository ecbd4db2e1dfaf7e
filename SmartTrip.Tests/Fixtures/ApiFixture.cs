using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using SmartTrip.DevHost;

namespace SmartTrip.Tests.Fixtures;

/// <summary>
/// The development host in process (TestServer) over a seeded database of its own and the test Azurite,
/// with "today" pinned to 2026-11-25; or, when <c>SMARTTRIP_TEST_FUNCTIONS_HOST</c> names one, a real Functions host
/// running the app's build output with the same settings (see <see cref="ExternalFunctionsHost"/>), whose clock is the
/// machine's.
/// </summary>
public class ApiFixture : IAsyncLifetime
{
    private WebApplication? _app;
    private ExternalFunctionsHost? _externalHost;

    public string ConnectionString { get; private set; } = "";

    public FakeTimeProvider Clock { get; private set; } = TestServices.Clock();

    /// <summary>
    /// Whether this fixture runs on the real Functions host named by <c>SMARTTRIP_TEST_FUNCTIONS_HOST</c>. Fixtures that
    /// need the pinned clock or the host's services in process say no.
    /// </summary>
    protected virtual bool SupportsExternalHost => true;

    public bool OnExternalHost => _externalHost is not null;

    /// <summary>
    /// The storage account of this fixture's host: a host that drains the events queue has the development account;
    /// the others a second one, so their events never reach the draining host's database.
    /// </summary>
    public string StorageConnectionString => RunsBackgroundTriggers ? TestServices.StorageConnectionString : TestServices.SecondStorageConnectionString;

    private readonly CapturedLog _inProcessLog = new();

    /// <summary>What the host has logged so far (the real host's console, or the in-process host's log lines).</summary>
    public string HostLog => _externalHost?.Log ?? _inProcessLog.ToString();

    /// <summary>Reports the calling test as skipped when the host runs out of process, for the reason given.</summary>
    public void SkipOnExternalHost(string reason) => Skip.If(OnExternalHost, $"Not on an external Functions host: {reason}.");

    /// <summary>The real Functions host, when the fixture runs on one.</summary>
    public ExternalFunctionsHost? ExternalHost => _externalHost;

    public HttpClient Client { get; private set; } = null!;

    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException(
        "The host runs out of process (SMARTTRIP_TEST_FUNCTIONS_HOST): its services cannot be reached from a test.");

    protected virtual string DatabasePrefix => "api";

    /// <summary>
    /// Whether this host drains the queues and runs the timers. Test hosts share one storage emulator, so only the
    /// event-pipeline tests (one collection, run one at a time) do.
    /// </summary>
    protected virtual bool RunsBackgroundTriggers => false;

    /// <summary>
    /// Whether the host listens on a loopback port (for clients outside the process, such as a browser) instead of
    /// serving the in-memory test server.
    /// </summary>
    protected virtual bool ListensOnLoopback => false;

    /// <summary>The host's address when it listens on loopback.</summary>
    public Uri? Address { get; private set; }

    /// <summary>Last changes to the in-process host before it starts.</summary>
    protected virtual void Configure(WebApplicationBuilder builder)
    {
    }

    /// <summary>The app settings of the host, in process or not (configuration keys, <c>:</c> as separator).</summary>
    protected virtual void AddSettings(IDictionary<string, string?> settings)
    {
    }

    /// <summary>
    /// The database the host runs on: by default the schema with the catalogue data set, whose departures are moved to
    /// the machine's today when the host runs out of process with the machine's clock.
    /// </summary>
    protected virtual Task<string> CreateDatabaseAsync() => TestServices.CreateSeededDatabaseAsync(
        DatabasePrefix,
        WillRunOnExternalHost ? DateOnly.FromDateTime(DateTime.UtcNow).DayNumber - DateOnly.FromDateTime(TestServices.Today.UtcDateTime).DayNumber : 0);

    private bool WillRunOnExternalHost => SupportsExternalHost && ExternalFunctionsHost.Command is not null;

    public async Task InitializeAsync()
    {
        ConnectionString = await CreateDatabaseAsync();
        await TestServices.EnsureQueuesAsync(StorageConnectionString);
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:SmartTripDb"] = ConnectionString,
            ["AzureWebJobsStorage"] = StorageConnectionString,
            ["Recommendations:CatalogRefreshMilliseconds"] = "0",
            ["DevHost:BackgroundTriggers"] = RunsBackgroundTriggers ? "true" : "false",
            ["DailyMetricsSchedule"] = "0 15 0 * * *",
            ["CloseIdleSessionsSchedule"] = "0 */15 * * * *",
            ["PartitionMaintenanceSchedule"] = "0 30 0 * * *",
        };
        AddSettings(settings);

        if (WillRunOnExternalHost)
        {
            await StartExternalHostAsync(settings);
            return;
        }

        _app = DevHostApplication.Build([], builder =>
        {
            if (ListensOnLoopback)
            {
                builder.WebHost.UseUrls("http://127.0.0.1:0");
            }
            else
            {
                builder.WebHost.UseTestServer();
            }

            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.AddProvider(_inProcessLog);
            builder.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock));
            Configure(builder);
        });
        await _app.StartAsync();
        if (ListensOnLoopback)
        {
            Address = new Uri(_app.Urls.Single());
            Client = Http.ContractCheckingHandler.Over(Address);
        }
        else
        {
            var server = _app.GetTestServer();
            Client = new HttpClient(new Http.ContractCheckingHandler { InnerHandler = server.CreateHandler() }) { BaseAddress = server.BaseAddress };
        }
    }

    /// <summary>
    /// The real host always runs the queue and timer functions; where this fixture must not (hosts share one storage
    /// emulator), they are turned off by the host's own <c>AzureWebJobs.{name}.Disabled</c> settings.
    /// </summary>
    private async Task StartExternalHostAsync(Dictionary<string, string?> settings)
    {
        if (!RunsBackgroundTriggers)
        {
            foreach (var function in DevHostApplication.BackgroundFunctions)
            {
                settings[$"AzureWebJobs.{function.Name}.Disabled"] = "true";
            }
        }

        // host.json keeps the host's two lines per invocation out of production logs; tests read them.
        settings["AzureFunctionsJobHost:logging:logLevel:Function"] = "Information";
        Clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _externalHost = await ExternalFunctionsHost.StartAsync(DatabasePrefix, settings);
        Address = _externalHost.Address;
        Client = Http.ContractCheckingHandler.Over(Address);
    }

    public async Task DisposeAsync()
    {
        if (ListensOnLoopback || _externalHost is not null)
        {
            Client.Dispose();
        }

        if (_externalHost is not null)
        {
            await _externalHost.DisposeAsync();
        }

        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    /// <summary>POSTs a body and returns the status and the parsed JSON body.</summary>
    public async Task<(int Status, JsonElement Body)> PostJsonAsync(string path, string body, IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body) };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.Add(name, value);
        }

        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        using var document = JsonDocument.Parse(text);
        return ((int)response.StatusCode, document.RootElement.Clone());
    }

    /// <summary>
    /// Sends a request with a function key (none when <paramref name="functionKey"/> is null) and returns the status and
    /// the parsed JSON body (undefined when the body is empty, as in the platform's 401).
    /// </summary>
    public async Task<(int Status, JsonElement Body)> SendWithKeyAsync(
        HttpMethod method, string path, string? body = null, string? functionKey = FunctionKeyPolicy.DefaultKey)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : new StringContent(body) };
        if (functionKey is not null)
        {
            request.Headers.Add(FunctionKeyPolicy.HeaderName, functionKey);
        }

        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
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

/// <summary>
/// The development host in process even when <c>SMARTTRIP_TEST_FUNCTIONS_HOST</c> is set: for tests that call the host's
/// services directly or need "today" pinned.
/// </summary>
public sealed class InProcessApiFixture : ApiFixture
{
    protected override bool SupportsExternalHost => false;
}

[CollectionDefinition(Name)]
public sealed class CatalogApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "catalog api";
}
