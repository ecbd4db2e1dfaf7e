namespace SmartTrip.Core.Hosting;

/// <summary>
/// A clock whose date is fixed and whose time of day is the real one: "today" for replaying searches as of a
/// given day. Elapsed-time measurements are unaffected.
/// </summary>
public sealed class PinnedDateTimeProvider(DateOnly date) : TimeProvider
{
    public override DateTimeOffset GetUtcNow()
    {
        var now = System.GetUtcNow();
        return new DateTimeOffset(date.ToDateTime(TimeOnly.FromTimeSpan(now.TimeOfDay)), TimeSpan.Zero);
    }
}
