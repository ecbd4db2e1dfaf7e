using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using SmartTrip.Core.Data;
using SmartTrip.Core.Platform;

namespace SmartTrip.Functions;

/// <summary>
/// MaintainPartitions on <c>PartitionMaintenanceSchedule</c> (default daily 00:30 UTC): keeps the logs' month partitions
/// <c>Lifecycle__MonthsAhead</c> ahead and forgets event ids past <c>Lifecycle__DedupeDays</c> (decision 0012); a span
/// with what it did.
/// </summary>
public sealed class PartitionMaintenanceTimer(PartitionMaintenance maintenance, ILogger<PartitionMaintenanceTimer> logger)
{
    [Function(nameof(MaintainPartitions))]
    public Task MaintainPartitions([TimerTrigger("%PartitionMaintenanceSchedule%")] TimerInfo timer, CancellationToken ct) =>
        SmartTripTracing.RunAsync(nameof(MaintainPartitions), async activity =>
        {
            var result = await maintenance.RunAsync(ct);
            activity?.SetTag("smarttrip.partitions.created", result.PartitionsCreated);
            activity?.SetTag("smarttrip.event_ids.pruned", result.EventIdsPruned);
            logger.LogInformation("Partitions created: {PartitionsCreated}; event ids past the dedupe window forgotten: {EventIdsPruned}",
                result.PartitionsCreated, result.EventIdsPruned);
        });
}
