using System.Globalization;

namespace SmartTrip.Core.Json;

/// <summary>The lenient date input of the API: <c>YYYY-MM-DD</c> or an ISO 8601 date-time (its date part).</summary>
public static class IsoDates
{
    /// <summary>The date, or null when the text is neither form.</summary>
    public static DateOnly? Parse(string? text)
    {
        if (text is null || text.Length < 10 ||
            !DateOnly.TryParseExact(text.AsSpan(0, 10), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return null;
        }

        if (text.Length == 10)
        {
            return date;
        }

        return text[10] is 'T' or 't' or ' ' &&
               DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _)
            ? date
            : null;
    }
}
