using Azure.Storage.Queues;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.Tokens;
using Npgsql;
using SmartTrip.Core.Auth;
using SmartTrip.Core.Data;
using SmartTrip.Core.Hosting;
using SmartTrip.DevHost;
using SmartTrip.Tests.Auth;

namespace SmartTrip.Tests.Fixtures;

/// <summary>
/// The development host with its queue listener running against the test Azurite and a migrated database of its own,
/// failed messages retried after one second, and JWT keys the tests sign with (an HS256 secret and an RSA JWKS).
/// </summary>
public sealed class EventsFixture : ApiFixture
{
    public const string JwtSecret = TestTokens.JwtSecret;

    public EventsFixture() => Tokens = new TestTokens(() => Clock.GetUtcNow());

    /// <summary>The keys the host verifies with, and tokens signed with them at the fixture's clock.</summary>
    public TestTokens Tokens { get; }

    /// <summary>The app's Core services (what the tools and the functions resolve) on this fixture's database and queues.</summary>
    public ServiceProvider CoreServices() => new ServiceCollection()
        .AddLogging()
        .AddSmartTrip(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:SmartTripDb"] = ConnectionString,
            ["AzureWebJobsStorage"] = TestServices.StorageConnectionString,
        }).Build())
        .BuildServiceProvider();

    protected override string DatabasePrefix => "events";

    protected override bool RunsBackgroundTriggers => true;

    protected override async Task<string> CreateDatabaseAsync()
    {
        await ClearQueuesAsync();
        var connectionString = await TestServices.CreateDatabaseAsync(DatabasePrefix);
        new DatabaseMigrator(NullLogger<DatabaseMigrator>.Instance).Migrate(connectionString);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.ExecuteAsync(
            """
            INSERT INTO countries (id, name, name_he, continent) VALUES (1, 'Kenya', 'קניה', 'AFRICA');
            INSERT INTO trip_types (id, name, name_he) VALUES (3, 'African Safari', 'ספארי');
            INSERT INTO companies (id, name, name_he) VALUES (1, 'Example Tours', 'טיולים');
            INSERT INTO guides (id, name, email, gender) VALUES (1, 'Dana', 'dana@example.com', 'FEMALE');
            INSERT INTO trip_templates (id, title, title_he, description, description_he, base_price, typical_duration_days,
                                        default_max_capacity, difficulty_level, company_id, trip_type_id, primary_country_id)
            VALUES (1, 'Safari', 'ספארי', 'Safari', 'ספארי', 9000, 10, 20, 2, 1, 3, 1);
            INSERT INTO trip_occurrences (id, trip_template_id, guide_id, start_date, end_date, spots_left, status)
            SELECT id, 1, 1, DATE '2027-03-01', DATE '2027-03-10', 10, 'Open' FROM generate_series(1, 20) AS id
            UNION ALL
            SELECT id, 1, 1, DATE '2027-03-01', DATE '2027-03-10', 10, 'Open' FROM generate_series(5001, 5020) AS id;
            """);
        return connectionString;
    }

    /// <summary>The JWT settings the host runs with: the HS256 secret and a JWKS of the RSA and EC public keys.</summary>
    public AuthOptions Auth => Tokens.Options;

    /// <summary>The host's connection pool: small, so that a drain holding more than half of it would starve the rest.</summary>
    public const int PoolSize = 10;

    protected override void AddSettings(IDictionary<string, string?> settings)
    {
        settings["ConnectionStrings:SmartTripDb"] = new NpgsqlConnectionStringBuilder(ConnectionString) { MaxPoolSize = PoolSize }.ConnectionString;
        settings["Auth:JwtSecret"] = Auth.JwtSecret;
        settings["Auth:Jwks"] = Auth.Jwks;

        // A real host reads host.json from the app's folder; these settings override it the way Azure's app settings do.
        settings["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:01";
        settings["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"] = "00:00:00.200";
    }

    protected override void Configure(WebApplicationBuilder builder)
    {
        var hostJson = HostJson.Load(HostJson.DefaultPath);
        builder.Services.Replace(ServiceDescriptor.Singleton(hostJson with
        {
            Queues = hostJson.Queues with { VisibilityTimeout = TimeSpan.FromSeconds(1), MaxPollingInterval = TimeSpan.FromMilliseconds(200) },
        }));
    }

    public static async Task ClearQueuesAsync()
    {
        await TestServices.EnsureQueuesAsync();
        foreach (var name in new[] { QueueNames.Events, QueueNames.EventsPoison })
        {
            await new QueueClient(TestServices.StorageConnectionString, name).ClearMessagesAsync();
        }
    }

    public QueueClient Queue(string name) =>
        new(TestServices.StorageConnectionString, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    public NpgsqlConnection Database() => new(ConnectionString);

    /// <summary>Waits until the query returns true (the drain runs in the background), at most 30 seconds.</summary>
    public async Task WaitUntilAsync(string sql, object? args = null, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        await using var connection = Database();
        while (!await connection.ExecuteScalarAsync<bool>(sql, args))
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for: {sql}");
            await Task.Delay(100);
        }
    }

    public string HsToken(string sub, string? email = null, string audience = "authenticated", DateTime? expires = null, string? secret = null) =>
        Tokens.HsToken(sub, email, audience, expires, secret);

    public string RsToken(string sub, string? email = null, RsaSecurityKey? key = null) => Tokens.RsToken(sub, email, key);

    public string EsToken(string sub) => Tokens.EsToken(sub);
}

[CollectionDefinition(Name)]
public sealed class EventPipelineCollection : ICollectionFixture<EventsFixture>
{
    public const string Name = "event pipeline";
}
