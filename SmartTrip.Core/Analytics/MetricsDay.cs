using System.Reflection;
using System.Text.Json.Serialization;
using Npgsql;

namespace SmartTrip.Core.Analytics;

/// <summary>A UTC day as the half-open window [From, To) the metrics read.</summary>
public readonly record struct MetricsDay(DateOnly Date)
{
    public DateTimeOffset From => new(Date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    public DateTimeOffset To => From.AddDays(1);

    public static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
}

/// <summary>The per-day lists of the metrics endpoints (analytics.md §5.1).</summary>
internal static class MetricsDays
{
    /// <summary>
    /// One entry per day of [start, end]: the stored row when there is one, an empty one for a day after today (which
    /// also keeps the dates of a query within what date and timestamptz hold: 9999-12-31 has no next day), otherwise
    /// computed now, so today is always live.
    /// </summary>
    public static async Task<IReadOnlyList<T>> ListAsync<T>(
        DateOnly start, DateOnly end, DateOnly today, IReadOnlyDictionary<DateOnly, T> stored, Func<DateOnly, T> empty,
        Func<DateOnly, Task<T>> compute)
    {
        var days = new List<T>();
        for (var number = start.DayNumber; number <= end.DayNumber; number++)
        {
            var day = DateOnly.FromDayNumber(number);
            days.Add(stored.TryGetValue(day, out var row) ? row : day > today ? empty(day) : await compute(day));
        }

        return days;
    }
}

/// <summary>
/// One part of a day's stored metrics. A DailyMetrics run stores, for each target day, every part that targets it in one
/// transaction; a part is written in one place (its SQL) and read back by its own endpoint.
/// </summary>
public interface IDailyMetricsPart
{
    /// <summary>A short name for logs.</summary>
    string Name { get; }

    /// <summary>The table with one row per stored day: a day of the last week without one is caught up.</summary>
    string Table { get; }

    /// <summary>
    /// How many days before today are stored on every run (1: yesterday; 2: also the day before, for figures that can
    /// still change a day later).
    /// </summary>
    int RecentDays { get; }

    Task StoreAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, MetricsDay day, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Seconds a part's store statement may run: more than an API call's 30 s (a day of a million searches takes its
    /// engagement statement about 20 s on 2 cores), within the timer function's 5 minutes.
    /// </summary>
    const int StoreTimeoutSeconds = 120;
}

/// <summary>Column lists of a metrics record whose wire names are its column names.</summary>
internal static class MetricColumns
{
    /// <summary>The <c>[JsonPropertyName]</c> of every property of <typeparamref name="T"/> except <c>date</c>, in declaration order.</summary>
    public static IReadOnlyList<string> Of<T>() =>
        typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name)
            .OfType<string>()
            .Where(name => name != "date")
            .ToList();
}
