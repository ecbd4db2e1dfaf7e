using Microsoft.Azure.Functions.Worker;
using SmartTrip.Core.Analytics;

namespace SmartTrip.Functions;

/// <summary>DailyMetrics (analytics.md §5) on <c>DailyMetricsSchedule</c> (default 00:15 UTC); failures throw.</summary>
public sealed class DailyMetricsTimer(DailyMetricsService metrics)
{
    [Function(nameof(DailyMetrics))]
    public Task DailyMetrics([TimerTrigger("%DailyMetricsSchedule%")] TimerInfo timer, CancellationToken ct) => metrics.RunAsync(ct);
}
