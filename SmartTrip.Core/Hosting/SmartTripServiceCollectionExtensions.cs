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
using SmartTrip.Core.Health;
using SmartTrip.Core.Recommendations;
using SmartTrip.Core.Telemetry;
using SmartTrip.Core.Tracking;

namespace SmartTrip.Core.Hosting;

public static class SmartTripServiceCollectionExtensions
{
    /// <summary>
    /// Registers the whole product service graph. The Functions worker, the development host, the command-line
    /// tool and the tests all call this, so they run the same services.
    /// </summary>
    public static IServiceCollection AddSmartTrip(this IServiceCollection services, IConfiguration configuration)
    {
        DapperSetup.EnsureConfigured();

        services.TryAddSingleton(TimeProvider.System);
        AddValidatedOptions<ApiOptions, ApiOptionsValidator>(services).Bind(configuration);
        services.AddOptions<CorsOptions>().Bind(configuration.GetSection(CorsOptions.Section));

        services.TryAddSingleton(_ => CreateDataSource(RequiredConnectionString(configuration)));
        services.TryAddSingleton<IQueueClientFactory>(_ => new QueueClientFactory(configuration));
        services.TryAddSingleton<DatabaseMigrator>();
        services.TryAddSingleton<CatalogSeeder>();
        services.TryAddSingleton<CatalogRepository>();
        services.TryAddSingleton<HealthService>();

        AddValidatedOptions<RecommendationOptions, RecommendationOptionsValidator>(services).Bind(configuration.GetSection(RecommendationOptions.Section));
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<RecommendationOptions>>().Value);
        services.TryAddSingleton<RecommendationEngine>();
        services.TryAddSingleton<RecommendationRepository>();
        services.TryAddSingleton<SmartTripMetrics>();
        services.TryAddSingleton<CatalogSnapshotCache>();
        services.TryAddSingleton<RecommendationRequestLog>();
        AddValidatedOptions<ExplorationOptions, ExplorationOptionsValidator>(services).Bind(configuration.GetSection(ExplorationOptions.Section));
        services.TryAddSingleton<RecommendationService>();

        AddValidatedOptions<AuthOptions, AuthOptionsValidator>(services).Bind(configuration.GetSection(AuthOptions.Section));
        AddValidatedOptions<TrackingOptions, TrackingOptionsValidator>(services).Bind(configuration.GetSection(TrackingOptions.Section))
            .PostConfigure(o => o.MaxDequeueCount = configuration.GetValue(TrackingOptions.MaxDequeueCountKey, o.MaxDequeueCount));
        AddValidatedOptions<LifecycleOptions, LifecycleOptionsValidator>(services).Bind(configuration.GetSection(LifecycleOptions.Section));
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
        services.TryAddSingleton<PositionBiasService>();
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

    /// <summary>Options checked at start-up by their validator (which sits beside them), so a bad setting stops the host.</summary>
    private static OptionsBuilder<TOptions> AddValidatedOptions<TOptions, TValidator>(IServiceCollection services)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return services.AddOptions<TOptions>().ValidateOnStart();
    }

    public static string RequiredConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString(SettingNames.ConnectionStringName) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "The setting ConnectionStrings__SmartTripDb (the PostgreSQL connection string) is not set.");
}
