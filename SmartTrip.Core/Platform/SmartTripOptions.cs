namespace SmartTrip.Core.Platform;

/// <summary>Settings every host shares (spec README, "Configuration").</summary>
public sealed class ApiOptions
{
    /// <summary><c>Retry-After</c> seconds on a 503.</summary>
    public int RetryAfterSeconds { get; set; } = 5;

    /// <summary>
    /// Seconds the anonymous <c>GET /api/health</c> answer is reused (0-60): however often it is asked, the database and
    /// the queue are checked at most once in this time.
    /// </summary>
    public int HealthCacheSeconds { get; set; } = 5;
}

/// <summary><c>Cors__AllowedOrigins</c>: comma-separated origins that may call the API with credentials.</summary>
public sealed class CorsOptions
{
    public const string Section = "Cors";

    public string AllowedOrigins { get; set; } = "http://localhost:3000";

    public IReadOnlyList<string> Origins =>
        AllowedOrigins.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>Names of the settings read directly from configuration.</summary>
public static class SettingNames
{
    public const string ConnectionStringName = "SmartTripDb";
    public const string Storage = "AzureWebJobsStorage";
}

/// <summary>The Storage queues of the event pipeline.</summary>
public static class QueueNames
{
    public const string Events = "events";
    public const string EventsPoison = "events-poison";
}
