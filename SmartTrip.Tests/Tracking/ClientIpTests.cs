using System.Net;
using SmartTrip.Core.Tracking;

namespace SmartTrip.Tests.Tracking;

/// <summary>The address stored for a session: the one the trusted proxy saw, never one the client wrote.</summary>
[Trait("Category", "Unit")]
public sealed class ClientIpTests
{
    private static readonly IPAddress Connection = IPAddress.Parse("10.0.0.9");

    [Theory]
    // Azure's front end (one hop) appends the caller: a spoofed entry to its left is ignored.
    [InlineData("6.6.6.6, 203.0.113.5:51234", 1, "203.0.113.5")]
    [InlineData("203.0.113.5", 1, "203.0.113.5")]
    [InlineData("[2001:db8::1]:443", 1, "2001:db8::1")]
    [InlineData("[192.0.2.1]:443", 1, "192.0.2.1")]
    [InlineData("255.255.255.255", 1, "255.255.255.255")]
    // Front Door, then Azure's front end: the second entry from the right.
    [InlineData("6.6.6.6, 198.51.100.7, 147.243.1.1", 2, "198.51.100.7")]
    // Fewer entries than trusted proxies: the request did not come the expected way, so the connection's address.
    [InlineData("6.6.6.6", 2, "10.0.0.9")]
    [InlineData(null, 1, "10.0.0.9")]
    [InlineData("", 1, "10.0.0.9")]
    // Nobody trusted: the header, whatever it says, is the client's.
    [InlineData("6.6.6.6", 0, "10.0.0.9")]
    public void The_stored_address_is_the_one_the_trusted_proxy_saw(string? forwardedFor, int hops, string expected)
    {
        Assert.Equal(IPAddress.Parse(expected), TrackingIds.ClientIp(forwardedFor, Connection, hops));
    }

    [Theory]
    [InlineData("not-an-address")]
    [InlineData("1.2.3")]
    [InlineData("256.1.1.1")]
    [InlineData("01.2.3.4567")]
    [InlineData("1a.2.3.4")]
    [InlineData("1:2:3:zz")]
    [InlineData("[1.2.3.4")]
    [InlineData("[2001:db8::1")]
    public void An_entry_that_is_not_an_address_is_stored_as_null(string entry)
    {
        Assert.Null(TrackingIds.ClientIp("6.6.6.6, " + entry, Connection, 1));
    }

    [Fact]
    public void A_mapped_ipv4_connection_address_is_stored_as_ipv4()
    {
        Assert.Equal(IPAddress.Parse("192.0.2.4"), TrackingIds.ClientIp(null, IPAddress.Parse("::ffff:192.0.2.4"), 0));
        Assert.Equal(IPAddress.Parse("2001:db8::7"), TrackingIds.ClientIp(null, IPAddress.Parse("2001:db8::7"), 0));
        Assert.Null(TrackingIds.ClientIp(null, null, 0));
    }
}
