using System.Net;
using System.Text.Json;
using SmartTrip.Core.Tracking;

namespace SmartTrip.Tests.Tracking;

/// <summary>The checks of <c>session/start</c> and <c>user/identify</c> at their boundaries (events.md §1.2).</summary>
[Trait("Category", "Unit")]
public sealed class SessionStartReadTests
{
    private const string Ids = """
        "session_id":"7d9c3a52-1b7e-4f0a-9a55-2f6c1d0e8b31","anonymous_id":"c2a6f0d4-98e1-4b3a-a7f5-0e4d1c2b3a59"
        """;

    private static (SessionStart? Start, string? Error) Read(string fields, string? userAgent = null) =>
        SessionService.ReadStart(JsonDocument.Parse($"{{{Ids}{fields}}}").RootElement, userAgent, IPAddress.Loopback);

    [Fact]
    public void A_device_type_of_20_characters_is_kept_and_21_is_refused()
    {
        Assert.Equal(new string('d', 20), Read($",\"device_type\":\"{new string('d', 20)}\"").Start!.DeviceType);
        Assert.Equal((null, "device_type must be a string of at most 20 characters"), Read($",\"device_type\":\"{new string('d', 21)}\""));
        Assert.Null(Read(",\"device_type\":null").Start!.DeviceType);
    }

    [Theory]
    // Exactly 512 UTF-8 bytes are kept whole; a character the limit would split is cut before it, never stored in part.
    [InlineData(512, 0, 0, 512)]
    [InlineData(513, 0, 0, 512)]
    [InlineData(508, 1, 0, 510)]  // 508 + 4 bytes: kept whole (510 UTF-16 units)
    [InlineData(509, 1, 0, 509)]  // 513 bytes: the emoji goes
    [InlineData(0, 0, 256, 256)]  // 256 Hebrew letters: 512 bytes
    [InlineData(1, 0, 256, 256)]  // 513 bytes: the last letter goes
    public void A_long_user_agent_is_cut_at_512_bytes_and_never_inside_a_character(int ascii, int emoji, int hebrew, int storedLength)
    {
        var agent = new string('a', ascii) + string.Concat(Enumerable.Repeat("\U0001F600", emoji)) + new string('\u05d0', hebrew);

        Assert.Equal(agent[..storedLength], Read("", agent).Start!.UserAgent);
    }

    [Fact]
    public void A_referrer_of_2048_utf8_bytes_is_kept_and_2049_refused()
    {
        var letters = new string('\u05d0', 1024);

        Assert.Equal(letters, Read($",\"referrer\":\"{letters}\"").Start!.Referrer);
        Assert.Equal((null, "referrer must be a string of at most 2048 bytes (UTF-8)"), Read($",\"referrer\":\"{letters}a\""));
    }

    [Theory]
    [InlineData("""{}""", "anonymous_id required")]
    [InlineData("""{"anonymous_id":""}""", "anonymous_id required")]
    [InlineData("""{"anonymous_id":"nope"}""", "Invalid UUID format for anonymous_id")]
    [InlineData("""{"anonymous_id":7}""", "Invalid UUID format for anonymous_id")]
    public void Identify_needs_a_browser_id(string body, string message)
    {
        Assert.Equal((null, message), SessionService.ReadIdentify(JsonDocument.Parse(body).RootElement));
    }

    [Fact]
    public void Identify_reads_the_browser_id()
    {
        Assert.Equal(Guid.Parse("c2a6f0d4-98e1-4b3a-a7f5-0e4d1c2b3a59"),
            SessionService.ReadIdentify(JsonDocument.Parse("""{"anonymous_id":"C2A6F0D4-98E1-4B3A-A7F5-0E4D1C2B3A59"}""").RootElement).AnonymousId);
    }
}
