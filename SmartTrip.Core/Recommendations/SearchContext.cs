namespace SmartTrip.Core.Recommendations;

/// <summary>
/// Everything one search depends on besides the catalogue (recommendation.md §3.2): the preferences,
/// "today" (UTC, from the TimeProvider) and the id of the private-groups trip type.
/// </summary>
public sealed record SearchContext(TripPreferences Preferences, DateOnly Today, int PrivateTypeId)
{
    /// <summary>The search asks for the private-groups type, which lifts the date and spots rules.</summary>
    public bool PrivateSearch => Preferences.TypeId == PrivateTypeId;

    /// <summary>A trip whose template has the private-groups type, whatever was searched.</summary>
    public bool IsPrivateTrip(TripCandidate trip) => trip.TripTypeId == PrivateTypeId;
}

/// <summary>The start-date window of the relaxed search (recommendation.md §7.3); bounds inclusive.</summary>
public readonly record struct DateWindow(DateOnly From, DateOnly To, int MonthMask)
{
    private const int AllMonths = 0xFFF;

    public bool Contains(DateOnly date) =>
        date >= From && date <= To && (MonthMask & (1 << (date.Month - 1))) != 0;

    /// <summary>The window for the preferences' year and month, N months either side, never before today.</summary>
    public static DateWindow For(TripPreferences preferences, DateOnly today, int months)
    {
        if (preferences.Year is { } year)
        {
            var firstMonth = preferences.Month is { } month ? year * 12 + month - 1 : year * 12;
            var lastMonth = preferences.Month is { } m ? year * 12 + m - 1 : year * 12 + 11;
            var from = MonthStart(firstMonth - months) is { } start && start > today ? start : today;
            var to = MonthStart(lastMonth + months + 1) is { } next ? next.AddDays(-1) : DateOnly.MaxValue;
            return new DateWindow(from, to, AllMonths);
        }

        if (preferences.Month is { } onlyMonth)
        {
            var mask = 0;
            for (var k = -months; k <= months; k++)
            {
                mask |= 1 << (((onlyMonth - 1 + k) % 12 + 12) % 12);
            }

            return new DateWindow(today, DateOnly.MaxValue, mask);
        }

        return new DateWindow(today, DateOnly.MaxValue, AllMonths);
    }

    /// <summary>The first day of an absolute month index (year × 12 + month − 1); null outside years 1..9999.</summary>
    private static DateOnly? MonthStart(int monthIndex) =>
        monthIndex is >= 12 and < 10000 * 12 ? new DateOnly(monthIndex / 12, monthIndex % 12 + 1, 1) : null;
}
