using Microsoft.Azure.Functions.Worker;
using SmartTrip.Core.Analytics;
using SmartTrip.Core.Telemetry;

namespace SmartTrip.Functions;

/// <summary>
/// DailyMetrics (analytics.md §5) on <c>DailyMetricsSchedule</c> (default 00:15 UTC); failures throw. Each run is a
/// span (source SmartTrip) with the number of days it stored, its database work under it.
/// </summary>
public sealed class DailyMetricsTimer(DailyMetricsRun run)
{
    [Function(nameof(DailyMetrics))]
    public Task DailyMetrics([TimerTrigger("%DailyMetricsSchedule%")] TimerInfo timer, CancellationToken ct) =>
        SmartTripTracing.RunAsync(nameof(DailyMetrics), async activity =>
        {
            var days = await run.RunAsync(ct);
            activity?.SetTag("smarttrip.metrics.days", days.Count);
        });
}
