using SmartTrip.Core.Catalog;

namespace SmartTrip.Tests.Catalog;

[Trait("Category", "Unit")]
public sealed class ContinentsTests
{
    [Theory]
    [InlineData("Asia", "ASIA")]
    [InlineData("asia", "ASIA")]
    [InlineData("ASIA", "ASIA")]
    [InlineData("North & Central America", "NORTH_AND_CENTRAL_AMERICA")]
    [InlineData("north and central america", "NORTH_AND_CENTRAL_AMERICA")]
    [InlineData("NORTH_AND_CENTRAL_AMERICA", "NORTH_AND_CENTRAL_AMERICA")]
    [InlineData("North America", "NORTH_AND_CENTRAL_AMERICA")]
    [InlineData("south america", "SOUTH_AMERICA")]
    [InlineData("Oceania", "OCEANIA")]
    [InlineData("antarctica", "ANTARCTICA")]
    public void Accepted_spellings_normalise_to_the_enum_label(string input, string label)
    {
        Assert.True(Continents.TryNormalize(input, out var normalised));
        Assert.Equal(label, normalised);
    }

    [Theory]
    [InlineData(" Asia")]
    [InlineData("Asia ")]
    [InlineData("Mars")]
    [InlineData("")]
    [InlineData("Central America")]
    [InlineData(null)]
    public void Anything_else_is_not_a_continent(string? input)
    {
        Assert.False(Continents.TryNormalize(input, out _));
    }

    [Fact]
    public void The_error_lists_display_names_alphabetically()
    {
        Assert.Equal(
            "Invalid continent: Mars. Valid continents: Africa, Antarctica, Asia, Europe, North & Central America, Oceania, South America",
            Continents.InvalidMessage("Mars"));
    }

    [Fact]
    public void Display_names_come_from_labels()
    {
        Assert.Equal("North & Central America", Continents.DisplayName("NORTH_AND_CENTRAL_AMERICA"));
        Assert.Equal(
            ["AFRICA", "ANTARCTICA", "ASIA", "EUROPE", "NORTH_AND_CENTRAL_AMERICA", "OCEANIA", "SOUTH_AMERICA"],
            Continents.All.Select(c => c.Label));
    }
}

[Trait("Category", "Unit")]
public sealed class TripStatusesTests
{
    [Theory]
    [InlineData("OPEN", "Open")]
    [InlineData("open", "Open")]
    [InlineData("GUARANTEED", "Guaranteed")]
    [InlineData("LAST_PLACES", "Last Places")]
    [InlineData("last places", "Last Places")]
    [InlineData("Full", "Full")]
    [InlineData("cancelled", "Cancelled")]
    [InlineData("sold out", null)]
    [InlineData(null, null)]
    public void Query_values_map_to_stored_statuses(string? query, string? status) =>
        Assert.Equal(status, TripStatuses.FromQuery(query));
}

[Trait("Category", "Unit")]
public sealed class PagingTests
{
    [Theory]
    [InlineData(null, 50)]
    [InlineData(0, 0)]
    [InlineData(20, 20)]
    [InlineData(100, 100)]
    [InlineData(101, 100)]
    public void Listing_limit_defaults_to_50_and_caps_at_100(int? requested, int effective) =>
        Assert.Equal(effective, Paging.ListingLimit(requested));

    [Theory]
    [InlineData(null, null)]
    [InlineData(-3, 1)]
    [InlineData(0, 1)]
    [InlineData(250, 250)]
    [InlineData(5000, 1000)]
    public void Trip_occurrences_limit_is_optional_and_clamped(int? requested, int? effective) =>
        Assert.Equal(effective, Paging.TripOccurrencesLimit(requested));
}
