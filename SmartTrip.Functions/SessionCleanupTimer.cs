using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartTrip.Core.Tracking;

namespace SmartTrip.Functions;

/// <summary>CloseIdleSessions (events.md §1.4) on <c>CloseIdleSessionsSchedule</c> (default every 15 minutes).</summary>
public sealed class SessionCleanupTimer(SessionService sessions, IOptions<TrackingOptions> options, ILogger<SessionCleanupTimer> logger)
{
    [Function(nameof(CloseIdleSessions))]
    public async Task CloseIdleSessions([TimerTrigger("%CloseIdleSessionsSchedule%")] TimerInfo timer, CancellationToken ct)
    {
        var closed = await sessions.CloseIdleSessionsAsync(TimeSpan.FromMinutes(options.Value.SessionIdleMinutes), ct);
        logger.LogInformation("Closed {SessionCount} idle sessions", closed);
    }
}
