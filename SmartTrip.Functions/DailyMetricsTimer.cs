using Microsoft.Azure.Functions.Worker;
using SmartTrip.Core.Analytics;

namespace SmartTrip.Functions;

/// <summary>DailyMetrics (analytics.md §5) on <c>DailyMetricsSchedule</c> (default 00:15 UTC); failures throw.</summary>
public sealed class DailyMetricsTimer(DailyMetricsRun run)
{
    [Function(nameof(DailyMetrics))]
    public Task DailyMetrics([TimerTrigger("%DailyMetricsSchedule%")] TimerInfo timer, CancellationToken ct) => run.RunAsync(ct);
}
