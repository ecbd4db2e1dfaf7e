using SmartTrip.Core.Tracking;

namespace SmartTrip.Tests.Tracking;

/// <summary>The UUID spellings the tracking API accepts for its ids (events.md §1.2), and the ones it refuses.</summary>
[Trait("Category", "Unit")]
public sealed class UuidFormTests
{
    private static readonly Guid Id = Guid.Parse("7d9c3a52-1b7e-4f0a-9a55-2f6c1d0e8b31");

    [Theory]
    [InlineData("7d9c3a52-1b7e-4f0a-9a55-2f6c1d0e8b31")]
    [InlineData("7D9C3A52-1B7E-4F0A-9A55-2F6C1D0E8B31")]
    [InlineData("7d9c3a521b7e4f0a9a552f6c1d0e8b31")]
    [InlineData("{7d9c3a52-1b7e-4f0a-9a55-2f6c1d0e8b31}")]
    [InlineData("{7d9c3a521b7e4f0a9a552f6c1d0e8b31}")]
    public void Hyphenated_or_plain_digits_bare_or_in_braces_are_accepted(string text)
    {
        Assert.True(TrackingIds.TryParseUuid(text, out var value));
        Assert.Equal(Id, value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("(7d9c3a52-1b7e-4f0a-9a55-2f6c1d0e8b31)")]
    [InlineData("x7d9c3a521b7e4f0a9a552f6c1d0e8b31}")]
    [InlineData("{7d9c3a521b7e4f0a9a552f6c1d0e8b31x")]
    [InlineData("{7d9c3a521b7e4f0a9a552f6c1d0e8b3}")]
    [InlineData("7d9c3a52-1b7e-4f0a-9a55-2f6c1d0e8b3g")]
    [InlineData("{0x7d9c3a52,0x1b7e,0x4f0a,{0x9a,0x55,0x2f,0x6c,0x1d,0x0e,0x8b,0x31}}")]
    public void Anything_else_is_refused(string? text)
    {
        Assert.False(TrackingIds.TryParseUuid(text, out var value));
        Assert.Equal(Guid.Empty, value);
    }
}
