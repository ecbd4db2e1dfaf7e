using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using SmartTrip.Core.Analytics;
using SmartTrip.Core.Auth;
using SmartTrip.Core.Catalog;
using SmartTrip.Core.Data;
using SmartTrip.Core.Data.Archive;
using SmartTrip.Core.Experiments;
using SmartTrip.Core.Recommendations;
using SmartTrip.Core.Tracking;

namespace SmartTrip.Core.Platform;

public static partial class SmartTripServiceCollectionExtensions
{
    [System.Text.RegularExpressions.GeneratedRegex("^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial System.Text.RegularExpressions.Regex BlobContainerName();

    /// <summary>
    /// Registers the whole product service graph. The Functions worker, the development host, the command-line
    /// tool and the tests all call this, so they run the same services.
    /// </summary>
    public static IServiceCollection AddSmartTrip(this IServiceCollection services, IConfiguration configuration)
    {
        DapperSetup.EnsureConfigured();

        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<ApiOptions>().Bind(configuration)
            .Validate(o => o.RetryAfterSeconds is >= 1 and <= 3600, "RetryAfterSeconds must be between 1 and 3600.")
            .Validate(o => o.HealthCacheSeconds is >= 0 and <= 60, "HealthCacheSeconds must be between 0 and 60.")
            .ValidateOnStart();
        services.AddOptions<CorsOptions>().Bind(configuration.GetSection(CorsOptions.Section));

        services.TryAddSingleton(_ => CreateDataSource(RequiredConnectionString(configuration)));
        services.TryAddSingleton<IQueueClientFactory>(_ => new QueueClientFactory(configuration));
        services.TryAddSingleton<DatabaseMigrator>();
        services.TryAddSingleton<CatalogSeeder>();
        services.TryAddSingleton<CatalogRepository>();
        services.TryAddSingleton<HealthService>();

        services.AddOptions<RecommendationOptions>().Bind(configuration.GetSection(RecommendationOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RecommendationOptions>, RecommendationOptionsValidator>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<RecommendationOptions>>().Value);
        services.TryAddSingleton<RecommendationEngine>();
        services.TryAddSingleton<RecommendationRepository>();
        services.TryAddSingleton<SmartTripMetrics>();
        services.TryAddSingleton<CatalogSnapshotCache>();
        services.TryAddSingleton<RecommendationRequestLog>();
        services.TryAddSingleton<RecommendationService>();

        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.Section))
            .Validate(o => string.IsNullOrWhiteSpace(o.Jwks) || IsJwks(o.Jwks), "Auth:Jwks is not a JWKS document.")
            .Validate(o => AuthOptions.IsAllowedJwksUrl(o.JwksUrl), "Auth:JwksUrl must be an https URL (http only on a loopback address).")
            .ValidateOnStart();
        services.AddOptions<TrackingOptions>().Bind(configuration.GetSection(TrackingOptions.Section))
            .PostConfigure(o => o.MaxDequeueCount = configuration.GetValue(TrackingOptions.MaxDequeueCountKey, o.MaxDequeueCount))
            .Validate(o => o.SessionIdleMinutes is >= 1 and <= 1440, "Tracking:SessionIdleMinutes must be between 1 and 1440.")
            .Validate(o => o.TrustedProxyHops is >= 0 and <= 5, "Tracking:TrustedProxyHops must be between 0 and 5.")
            .Validate(o => o.MaxDequeueCount >= 1, "The queues' maxDequeueCount must be at least 1.")
            .ValidateOnStart();
        services.AddOptions<LifecycleOptions>().Bind(configuration.GetSection(LifecycleOptions.Section))
            .Validate(o => o.MonthsAhead is >= 0 and <= 24, "Lifecycle:MonthsAhead must be between 0 and 24.")
            .Validate(o => o.DedupeDays is >= 1 and <= 400, "Lifecycle:DedupeDays must be between 1 and 400.")
            .Validate(o => o.DeadLetterRetentionDays is >= 1 and <= 3650, "Lifecycle:DeadLetterRetentionDays must be between 1 and 3650.")
            .Validate(o => o.ArchiveAfterMonths is >= 1 and <= 120, "Lifecycle:ArchiveAfterMonths must be between 1 and 120.")
            .Validate(o => o.ArchiveRowsPerFile is >= 1 and <= 100_000_000, "Lifecycle:ArchiveRowsPerFile must be between 1 and 100000000.")
            .Validate(o => o.ArchiveRowGroupSize is >= 1 and <= 1_000_000, "Lifecycle:ArchiveRowGroupSize must be between 1 and 1000000.")
            .Validate(o => o.ArchiveRunMinutes is > 0 and <= 600, "Lifecycle:ArchiveRunMinutes must be above 0 and at most 600.")
            .Validate(o => o.RestoreHoldDays is >= 0 and <= 3650, "Lifecycle:RestoreHoldDays must be between 0 and 3650.")
            .Validate(o => BlobContainerName().IsMatch(o.ArchiveContainer), "Lifecycle:ArchiveContainer must be a Blob container name (3-63 lower-case letters, digits and single hyphens).")
            .ValidateOnStart();
        services.TryAddSingleton<PartitionMaintenance>();
        services.TryAddSingleton(sp => new ArchiveStore(
            new StorageAccount(configuration).GetBlobContainer(sp.GetRequiredService<IOptions<LifecycleOptions>>().Value.ArchiveContainer)));
        services.TryAddSingleton<PartitionArchiver>();
        services.TryAddSingleton<JwtVerifier>();
        services.TryAddSingleton<EventIngestion>();
        services.TryAddSingleton<SessionService>();
        services.TryAddSingleton<EventsDrainService>();
        services.TryAddSingleton<DeadLetterService>();
        services.TryAddSingleton<EvaluationService>();
        services.TryAddSingleton<ExperimentStore>();
        services.TryAddSingleton<ExperimentRouter>();
        services.TryAddSingleton<ExperimentResultsService>();
        services.TryAddSingleton<ExperimentPreview>();
        services.TryAddSingleton<RequestMetrics>();
        services.TryAddSingleton<TopLists>();
        services.TryAddSingleton<EngagementMetricsService>();
        services.TryAddSingleton<TripInteractionRecompute>();
        services.TryAddSingleton<DailyMetricsRun>();
        // The parts of a stored day, in the order a run writes them (the top lists fill the request metrics' row).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDailyMetricsPart, RequestMetrics>(sp => sp.GetRequiredService<RequestMetrics>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDailyMetricsPart, TopLists>(sp => sp.GetRequiredService<TopLists>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDailyMetricsPart, EngagementMetricsService>(sp => sp.GetRequiredService<EngagementMetricsService>()));
        return services;
    }

    /// <summary>
    /// The app's data source. Statements are prepared automatically (the same few queries run on every request),
    /// unless the connection string says otherwise.
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }

        return NpgsqlDataSource.Create(builder);
    }

    private static bool IsJwks(string text)
    {
        try
        {
            return new Microsoft.IdentityModel.Tokens.JsonWebKeySet(text).Keys.Count > 0;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public static string RequiredConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString(SettingNames.ConnectionStringName) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "The setting ConnectionStrings__SmartTripDb (the PostgreSQL connection string) is not set.");
}
