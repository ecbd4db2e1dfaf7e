using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartTrip.Core.Telemetry;
using SmartTrip.Core.Tracking;

namespace SmartTrip.Functions;

/// <summary>
/// CloseIdleSessions (events.md §1.4) on <c>CloseIdleSessionsSchedule</c> (default every 15 minutes); each run is a span
/// (source SmartTrip) with the number of sessions it closed.
/// </summary>
public sealed class SessionCleanupTimer(SessionService sessions, IOptions<TrackingOptions> options, ILogger<SessionCleanupTimer> logger)
{
    [Function(nameof(CloseIdleSessions))]
    public Task CloseIdleSessions([TimerTrigger("%CloseIdleSessionsSchedule%")] TimerInfo timer, CancellationToken ct) =>
        SmartTripTracing.RunAsync(nameof(CloseIdleSessions), async activity =>
        {
            var closed = await sessions.CloseIdleSessionsAsync(TimeSpan.FromMinutes(options.Value.SessionIdleMinutes), ct);
            activity?.SetTag("smarttrip.sessions.closed", closed);
            logger.LogInformation("Closed {SessionCount} idle sessions", closed);
        });
}
