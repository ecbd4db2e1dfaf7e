using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartTrip.Core.Data;
using SmartTrip.Core.Data.Archive;
using SmartTrip.Core.Telemetry;

namespace SmartTrip.Functions;

/// <summary>
/// MaintainPartitions on <c>PartitionMaintenanceSchedule</c> (default daily 00:30 UTC): keeps the logs' month partitions
/// <c>Lifecycle__MonthsAhead</c> ahead, forgets event ids past <c>Lifecycle__DedupeDays</c> (decision 0012) and deletes
/// dead letters past <c>Lifecycle__DeadLetterRetentionDays</c>, then
/// archives the months past <c>Lifecycle__ArchiveAfterMonths</c> to Blob Storage for at most
/// <c>Lifecycle__ArchiveRunMinutes</c> (decision 0013; a month left unfinished goes on in the next run). A span with
/// what it did.
/// </summary>
public sealed class PartitionMaintenanceTimer(
    PartitionMaintenance maintenance,
    PartitionArchiver archiver,
    IOptions<LifecycleOptions> options,
    ILogger<PartitionMaintenanceTimer> logger)
{
    [Function(nameof(MaintainPartitions))]
    public Task MaintainPartitions([TimerTrigger("%PartitionMaintenanceSchedule%")] TimerInfo timer, CancellationToken ct) =>
        SmartTripTracing.RunAsync(nameof(MaintainPartitions), async activity =>
        {
            var result = await maintenance.RunAsync(ct);
            activity?.SetTag("smarttrip.partitions.created", result.PartitionsCreated);
            activity?.SetTag("smarttrip.event_ids.pruned", result.EventIdsPruned);
            activity?.SetTag("smarttrip.dead_letters.deleted", result.DeadLettersDeleted);
            logger.LogInformation(
                "Partitions created: {PartitionsCreated}; event ids past the dedupe window forgotten: {EventIdsPruned}; dead letters past their retention deleted: {DeadLettersDeleted}",
                result.PartitionsCreated, result.EventIdsPruned, result.DeadLettersDeleted);

            var archive = await archiver.RunAsync(TimeSpan.FromMinutes(options.Value.ArchiveRunMinutes), progress: null, ct);
            activity?.SetTag("smarttrip.archive.months", archive.MonthsArchived);
            activity?.SetTag("smarttrip.archive.rows", archive.RowsArchived);
            activity?.SetTag("smarttrip.archive.unfinished", archive.MonthsUnfinished);
            logger.LogInformation(
                "Archive: {MonthsArchived} months archived ({RowsArchived} rows, {BytesWritten} bytes), {MonthsUnfinished} unfinished, {MonthsHeld} held after a restore, another run in progress: {Locked}",
                archive.MonthsArchived, archive.RowsArchived, archive.BytesWritten, archive.MonthsUnfinished, archive.MonthsHeld, archive.Locked);
        });
}
