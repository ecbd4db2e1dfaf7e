using Microsoft.Extensions.Options;

namespace SmartTrip.Core.Tracking;

/// <summary>Settings of the tracking pipeline (<c>Tracking__*</c>).</summary>
public sealed class TrackingOptions
{
    public const string Section = "Tracking";

    /// <summary>Sessions idle for longer than this are closed by CloseIdleSessions (events.md §1.4).</summary>
    public int SessionIdleMinutes { get; set; } = 30;

    /// <summary>
    /// How many proxies in front of the app append the caller's address to <c>X-Forwarded-For</c> (Azure's front end: 1;
    /// with Front Door before it: 2). The client's address is the entry that many from the right; what the client wrote
    /// itself is further left and never used. 0 (the default, for a host nobody proxies): the connection's address.
    /// </summary>
    public int TrustedProxyHops { get; set; }

    /// <summary>The configuration key of the host's delivery limit: host.json's, or the app setting that overrides it.</summary>
    public const string MaxDequeueCountKey = "AzureFunctionsJobHost:extensions:queues:maxDequeueCount";

    /// <summary>
    /// Deliveries of a queue message before the Functions host moves it to its poison queue: host.json's
    /// <c>extensions.queues.maxDequeueCount</c> (5; a test holds the two equal), or the app setting
    /// <c>AzureFunctionsJobHost__extensions__queues__maxDequeueCount</c> when one overrides it. The drain counts a message
    /// that fails its last delivery as poisoned.
    /// </summary>
    public int MaxDequeueCount { get; set; } = 5;
}

/// <summary>The start-up checks of <see cref="TrackingOptions"/>.</summary>
public sealed class TrackingOptionsValidator : IValidateOptions<TrackingOptions>
{
    public ValidateOptionsResult Validate(string? name, TrackingOptions options)
    {
        List<string> failures = [];
        if (options.SessionIdleMinutes is < 1 or > 1440)
        {
            failures.Add("Tracking:SessionIdleMinutes must be between 1 and 1440.");
        }

        if (options.TrustedProxyHops is < 0 or > 5)
        {
            failures.Add("Tracking:TrustedProxyHops must be between 0 and 5.");
        }

        if (options.MaxDequeueCount < 1)
        {
            failures.Add("The queues' maxDequeueCount must be at least 1.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
