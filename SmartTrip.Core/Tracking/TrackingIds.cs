using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace SmartTrip.Core.Tracking;

/// <summary>UUIDs as the tracking API accepts them, and the client IP rule (events.md §1.2, §1.3).</summary>
public static class TrackingIds
{
    /// <summary>36-character hyphenated, 32 hex digits, or either in braces; any case.</summary>
    public static bool TryParseUuid(string? text, out Guid value)
    {
        value = Guid.Empty;
        if (text is null)
        {
            return false;
        }

        return Guid.TryParseExact(text, "D", out value) || Guid.TryParseExact(text, "N", out value) ||
               Guid.TryParseExact(text, "B", out value) || BracedDigits(text, out value);
    }

    private static bool BracedDigits(string text, out Guid value)
    {
        value = Guid.Empty;
        return text.Length == 34 && text[0] == '{' && text[^1] == '}' && Guid.TryParseExact(text[1..^1], "N", out value);
    }

    /// <summary>
    /// The caller's address (events.md §1.3, decision 0009): with <paramref name="trustedHops"/> proxies in front, the
    /// <c>X-Forwarded-For</c> entry that many from the right, the one the nearest trusted proxy saw; entries further left
    /// were written by the client and are ignored, as are headers any client can set (<c>X-Real-IP</c>,
    /// <c>CF-Connecting-IP</c>). With no trusted proxy, or fewer entries than proxies, the connection's address. A
    /// trailing port is removed; only a dotted-quad IPv4 or a valid IPv6 address is kept, anything else is null.
    /// </summary>
    public static IPAddress? ClientIp(string? forwardedFor, IPAddress? remote, int trustedHops)
    {
        var entries = string.IsNullOrWhiteSpace(forwardedFor) ? [] : forwardedFor.Split(',', StringSplitOptions.TrimEntries);
        if (trustedHops == 0 || entries.Length < trustedHops)
        {
            return remote is null ? null : remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote;
        }

        return ParseAddress(StripPort(entries[^trustedHops]));
    }

    private static string StripPort(string value)
    {
        if (value.StartsWith('['))
        {
            var close = value.IndexOf(']');
            return close > 0 ? value[1..close] : value;
        }

        var colon = value.IndexOf(':');
        return colon > 0 && colon == value.LastIndexOf(':') ? value[..colon] : value;
    }

    private static IPAddress? ParseAddress(string value)
    {
        if (value.Contains(':'))
        {
            return IPAddress.TryParse(value, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 ? v6 : null;
        }

        var parts = value.Split('.');
        if (parts.Length != 4 || parts.Any(p => p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit) ||
                                              int.Parse(p, CultureInfo.InvariantCulture) > 255))
        {
            return null;
        }

        return IPAddress.Parse(value);
    }
}
