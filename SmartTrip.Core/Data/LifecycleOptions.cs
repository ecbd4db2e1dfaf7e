using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace SmartTrip.Core.Data;

/// <summary>Settings of the data lifecycle (<c>Lifecycle__*</c>, decision 0012).</summary>
public sealed class LifecycleOptions
{
    public const string Section = "Lifecycle";

    /// <summary>Monthly partitions of the two logs kept ready beyond the current month (0-24).</summary>
    public int MonthsAhead { get; set; } = 3;

    /// <summary>
    /// Days an event id stays claimed in <c>event_ids</c> (1-400): a client's retry of an event within this many days of
    /// its first receipt is stored once; a copy arriving later would be stored again.
    /// </summary>
    public int DedupeDays { get; set; } = 35;

    /// <summary>
    /// Days a dead letter is kept (1-3650), replayed or not: rows set aside longer ago are deleted by the maintenance run.
    /// The events-set-aside alert fires on the first ones, so operators have this long to look and replay.
    /// </summary>
    public int DeadLetterRetentionDays { get; set; } = 30;

    /// <summary>Months kept in PostgreSQL (1-120): a month partition is archived once its end is this many months ago.</summary>
    public int ArchiveAfterMonths { get; set; } = 13;

    /// <summary>The Blob container of the archive.</summary>
    public string ArchiveContainer { get; set; } = "archive";

    /// <summary>Rows per Parquet file of an archived month (a run stops between files when out of time).</summary>
    public int ArchiveRowsPerFile { get; set; } = 1_000_000;

    /// <summary>Rows per Parquet row group (what the archive holds in memory at once).</summary>
    public int ArchiveRowGroupSize { get; set; } = 100_000;

    /// <summary>Minutes an ArchivePartitions timer run may spend before it stops between files (the function timeout is 5).</summary>
    public double ArchiveRunMinutes { get; set; } = 4;

    /// <summary>Days a restored month stays in PostgreSQL before the archive drops it again.</summary>
    public int RestoreHoldDays { get; set; } = 30;
}

/// <summary>The start-up checks of <see cref="LifecycleOptions"/>.</summary>
public sealed partial class LifecycleOptionsValidator : IValidateOptions<LifecycleOptions>
{
    public ValidateOptionsResult Validate(string? name, LifecycleOptions o)
    {
        List<string> failures = [];
        void Require(bool holds, string message)
        {
            if (!holds)
            {
                failures.Add(message);
            }
        }

        Require(o.MonthsAhead is >= 0 and <= 24, "Lifecycle:MonthsAhead must be between 0 and 24.");
        Require(o.DedupeDays is >= 1 and <= 400, "Lifecycle:DedupeDays must be between 1 and 400.");
        Require(o.DeadLetterRetentionDays is >= 1 and <= 3650, "Lifecycle:DeadLetterRetentionDays must be between 1 and 3650.");
        Require(o.ArchiveAfterMonths is >= 1 and <= 120, "Lifecycle:ArchiveAfterMonths must be between 1 and 120.");
        Require(o.ArchiveRowsPerFile is >= 1 and <= 100_000_000, "Lifecycle:ArchiveRowsPerFile must be between 1 and 100000000.");
        Require(o.ArchiveRowGroupSize is >= 1 and <= 1_000_000, "Lifecycle:ArchiveRowGroupSize must be between 1 and 1000000.");
        Require(o.ArchiveRunMinutes is > 0 and <= 600, "Lifecycle:ArchiveRunMinutes must be above 0 and at most 600.");
        Require(o.RestoreHoldDays is >= 0 and <= 3650, "Lifecycle:RestoreHoldDays must be between 0 and 3650.");
        Require(BlobContainerName().IsMatch(o.ArchiveContainer),
            "Lifecycle:ArchiveContainer must be a Blob container name (3-63 lower-case letters, digits and single hyphens).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex BlobContainerName();
}
