using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using SmartTrip.Functions.Http;

namespace SmartTrip.Tests.Http;

public sealed class QueryReaderTests
{
    private static QueryReader Reader(string name, string value) =>
        new(new QueryCollection(new Dictionary<string, StringValues> { [name] = value }));

    [Theory]
    [InlineData("42", 42)]
    [InlineData("-7", -7)]
    [InlineData("007", 7)]
    [InlineData("2147483647", int.MaxValue)]
    [InlineData("-2147483648", int.MinValue)]
    public void Integers_are_optional_minus_and_ascii_digits(string text, int expected)
    {
        var reader = Reader("id", text);
        Assert.Equal(expected, reader.Int("id"));
        Assert.True(reader.IsValid);
    }

    [Theory]
    [InlineData("+1")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("1.0")]
    [InlineData("1e3")]
    [InlineData("2147483648")]
    [InlineData("-")]
    [InlineData("١٢")]
    [InlineData("0x10")]
    public void Anything_else_is_a_bad_integer(string text)
    {
        var reader = Reader("company_id", text);
        Assert.Null(reader.Int("company_id"));
        Assert.Equal("Invalid query parameter: company_id must be an integer", reader.Error);
    }

    [Fact]
    public void Empty_and_absent_parameters_are_not_given()
    {
        var reader = Reader("limit", "");
        Assert.Null(reader.Int("limit"));
        Assert.Null(reader.Int("offset"));
        Assert.Null(reader.Number("min_price"));
        Assert.True(reader.IsValid);
    }

    [Fact]
    public void Negative_counts_are_refused()
    {
        var reader = Reader("offset", "-1");
        Assert.Null(reader.Count("offset"));
        Assert.Equal("Invalid query parameter: offset must not be negative", reader.Error);
    }

    [Theory]
    [InlineData("9000", 9000)]
    [InlineData("9000.5", 9000.5)]
    [InlineData("-1.25", -1.25)]
    public void Numbers_are_invariant_decimals(string text, double expected) =>
        Assert.Equal((decimal)expected, Reader("min_price", text).Number("min_price"));

    [Theory]
    [InlineData("9,000")]
    [InlineData("1e5")]
    [InlineData("NaN")]
    [InlineData("12.")]
    [InlineData(".5")]
    public void Other_numbers_are_refused(string text)
    {
        var reader = Reader("max_price", text);
        Assert.Null(reader.Number("max_price"));
        Assert.Equal("Invalid query parameter: max_price must be a number", reader.Error);
    }

    [Theory]
    [InlineData("2027-03-01", "2027-03-01")]
    [InlineData("2027-03-01T10:00:00Z", "2027-03-01")]
    [InlineData("2027-03-01T23:30:00-05:00", "2027-03-01")]
    [InlineData("2027-02-30", null)]
    [InlineData("01/03/2027", null)]
    [InlineData("soon", null)]
    [InlineData("2027-03-01junk", null)]
    public void Dates_use_their_date_part_and_bad_dates_are_ignored(string text, string? expected)
    {
        var reader = Reader("start_date", text);
        Assert.Equal(expected is null ? null : DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), reader.Date("start_date"));
        Assert.True(reader.IsValid);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("1", false)]
    [InlineData("yes", false)]
    public void Flags_are_true_only_for_true(string text, bool expected) =>
        Assert.Equal(expected, Reader("include_occurrences", text).Flag("include_occurrences"));

    [Fact]
    public void The_first_error_is_kept()
    {
        var reader = new QueryReader(new QueryCollection(new Dictionary<string, StringValues>
        {
            ["a"] = "x", ["b"] = "y",
        }));
        reader.Int("a");
        reader.Number("b");
        Assert.Equal("Invalid query parameter: a must be an integer", reader.Error);
    }
}
