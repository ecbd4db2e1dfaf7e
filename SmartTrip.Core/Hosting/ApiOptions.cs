using Microsoft.Extensions.Options;

namespace SmartTrip.Core.Hosting;

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

/// <summary>The start-up checks of <see cref="ApiOptions"/>.</summary>
public sealed class ApiOptionsValidator : IValidateOptions<ApiOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiOptions options)
    {
        List<string> failures = [];
        if (options.RetryAfterSeconds is < 1 or > 3600)
        {
            failures.Add("RetryAfterSeconds must be between 1 and 3600.");
        }

        if (options.HealthCacheSeconds is < 0 or > 60)
        {
            failures.Add("HealthCacheSeconds must be between 0 and 60.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
