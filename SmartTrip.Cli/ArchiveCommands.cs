using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using SmartTrip.Core.Data.Archive;

namespace SmartTrip.Cli;

/// <summary><c>smarttrip archive</c>: run, list and restore the archive of the logs' old months (decision 0013).</summary>
internal static class ArchiveCommands
{
    public static Command Archive()
    {
        var run = new Command("run", "Archive every month partition past Lifecycle__ArchiveAfterMonths to Blob Storage as Parquet, then drop it (no time limit).");
        run.SetAction((_, ct) => Commands.RunAsync(async services =>
        {
            var result = await services.GetRequiredService<PartitionArchiver>().RunAsync(budget: null, Print, ct);
            Console.WriteLine(result.Locked
                ? "Another archive run or restore holds the lock; nothing done."
                : $"{result.MonthsArchived} month(s) archived: {result.RowsArchived} rows, {result.BytesWritten} bytes written; {result.MonthsHeld} held after a restore.");
        }));

        var list = new Command("list", "Every month of both logs: in PostgreSQL (estimated rows), archived (rows, files, bytes), or both.");
        list.SetAction((_, ct) => Commands.RunAsync(async services =>
        {
            Console.WriteLine($"{"table",-24} {"month",-7}  {"hot rows (est.)",15}  {"archived rows",13} {"files",5} {"bytes",12}  archived at / restored at");
            foreach (var m in await services.GetRequiredService<PartitionArchiver>().ListAsync(ct))
            {
                var hot = m.Hot ? m.HotRowsEstimate.ToString("N0", CultureInfo.InvariantCulture) : "-";
                var a = m.Archive;
                Console.WriteLine(a is null
                    ? $"{m.Table,-24} {ArchiveStore.MonthText(m.Month),-7}  {hot,15}  {"-",13} {"-",5} {"-",12}"
                    : $"{m.Table,-24} {ArchiveStore.MonthText(m.Month),-7}  {hot,15}  {a.Rows,13:N0} {a.Files.Count,5} {a.Bytes,12:N0}  {a.ArchivedAt:u}{(a.RestoredAt is { } r ? $" / {r:u}" : "")}");
            }
        }));

        var table = new Argument<string>("table") { Description = "events or recommendation_requests." };
        var month = new Argument<string>("month") { Description = "The month, YYYY-MM (UTC)." };
        var restore = new Command("restore", "Bring an archived month back into its partition (one transaction; the archive stays).") { table, month };
        restore.SetAction((parse, ct) => Commands.RunAsync(async services =>
        {
            if (!DateOnly.TryParseExact(parse.GetValue(month), "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first))
            {
                throw new ArgumentException("The month must be YYYY-MM.");
            }

            var rows = await services.GetRequiredService<PartitionArchiver>().RestoreAsync(ArchivedTable.Parse(parse.GetValue(table)!), first, Print, ct);
            Console.WriteLine($"Restored {rows} rows; the archive leaves this month in PostgreSQL for Lifecycle__RestoreHoldDays days.");
        }));

        return new Command("archive", "The archive of the logs' old months in Blob Storage (Parquet): run, list, restore.") { run, list, restore };
    }

    private static ValueTask Print(ArchiveProgress p)
    {
        Console.WriteLine($"{p.Table} {ArchiveStore.MonthText(p.Month)}: {p.Step}{(p.Part is null ? "" : " " + p.Part)} ({p.Rows} rows)");
        return ValueTask.CompletedTask;
    }
}
