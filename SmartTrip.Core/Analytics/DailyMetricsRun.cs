using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace SmartTrip.Core.Analytics;

/// <summary>
/// One DailyMetrics run (analytics.md §5): stores the recent days and catches up the missing days of the last week for
/// every part of the day's metrics, then recomputes the trip interactions.
/// </summary>
public sealed class DailyMetricsRun(
    NpgsqlDataSource dataSource, IEnumerable<IDailyMetricsPart> parts, TripInteractionRecompute trips, TimeProvider clock,
    ILogger<DailyMetricsRun> logger)
{
    /// <summary>How far back a missing day is caught up.</summary>
    public const int CatchUpDays = 7;

    private readonly IReadOnlyList<IDailyMetricsPart> _parts = parts.ToList();

    /// <summary>
    /// The target days (oldest first), each stored in its own transaction with every part that targets it: the part's
    /// recent days, plus the days of the last week its table has no row for. A failed day does not stop the others;
    /// the run then throws.
    /// </summary>
    public async Task<IReadOnlyList<DateOnly>> RunAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var targets = await TargetsAsync(MetricsDay.Today(clock), ct);
        var failures = new List<Exception>();
        foreach (var (day, dayParts) in targets)
        {
            try
            {
                await StoreAsync(new MetricsDay(day), dayParts, now, ct);
                logger.LogInformation("Daily metrics for {Day} stored: {Parts}", day, string.Join(", ", dayParts.Select(p => p.Name)));
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogError(exception, "Daily metrics for {Day} failed", day);
                failures.Add(exception);
            }
        }

        await trips.RunAsync(now, ct);
        if (failures.Count > 0)
        {
            throw new AggregateException("Daily metrics failed for some days.", failures);
        }

        return targets.Select(t => t.Day).ToList();
    }

    /// <summary>Stores every part of one day (a backfill), in one transaction.</summary>
    public Task StoreDayAsync(DateOnly day, CancellationToken ct) => StoreAsync(new MetricsDay(day), _parts, clock.GetUtcNow(), ct);

    private async Task StoreAsync(MetricsDay day, IReadOnlyList<IDailyMetricsPart> dayParts, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        foreach (var part in dayParts)
        {
            await part.StoreAsync(connection, transaction, day, now, ct);
        }

        await transaction.CommitAsync(ct);
    }

    private async Task<List<(DateOnly Day, IReadOnlyList<IDailyMetricsPart> Parts)>> TargetsAsync(DateOnly today, CancellationToken ct)
    {
        var (first, last) = (today.AddDays(-CatchUpDays), today.AddDays(-1));
        var storedByTable = new Dictionary<string, HashSet<DateOnly>>();
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        {
            foreach (var table in _parts.Select(p => p.Table).Distinct())
            {
                // The table names are the parts' own constants, never input.
                storedByTable[table] = (await connection.QueryAsync<DateOnly>(new CommandDefinition(
                    $"SELECT date FROM {table} WHERE date BETWEEN @first AND @last", new { first, last }, cancellationToken: ct))).ToHashSet();
            }
        }

        var targets = new List<(DateOnly, IReadOnlyList<IDailyMetricsPart>)>();
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            var age = today.DayNumber - day.DayNumber;
            var dayParts = _parts.Where(p => age <= p.RecentDays || !storedByTable[p.Table].Contains(day)).ToList();
            if (dayParts.Count > 0)
            {
                targets.Add((day, dayParts));
            }
        }

        return targets;
    }
}
