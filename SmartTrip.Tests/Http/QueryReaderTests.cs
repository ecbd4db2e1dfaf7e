using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using SmartTrip.Functions.Http;

namespace SmartTrip.Tests.Http;

[Trait("Category", "Unit")]
public sealed class QueryReaderTests
{
    private static QueryReader Reader(string name, string value, QueryShape shape) =>
        Reader(new Dictionary<string, StringValues> { [name] = value }, new ApiQueryAttribute(name, shape, ""));

    private static QueryReader Reader(Dictionary<string, StringValues> query, params ApiQueryAttribute[] declared) =>
        new(new QueryCollection(query), "GetSomething", declared);

    [Theory]
    [InlineData("42", 42)]
    [InlineData("-7", -7)]
    [InlineData("007", 7)]
    [InlineData("2147483647", int.MaxValue)]
    [InlineData("-2147483648", int.MinValue)]
    public void Integers_are_optional_minus_and_ascii_digits(string text, int expected)
    {
        var reader = Reader("id", text, QueryShape.Integer);
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
        var reader = Reader("company_id", text, QueryShape.Integer);
        Assert.Null(reader.Int("company_id"));
        Assert.Equal("Invalid query parameter: company_id must be an integer", reader.Error);
    }

    [Fact]
    public void Empty_and_absent_parameters_are_not_given()
    {
        var reader = Reader(
            new Dictionary<string, StringValues> { ["limit"] = "" },
            new ApiQueryAttribute("limit", QueryShape.Integer, ""), new ApiQueryAttribute("offset", QueryShape.Integer, ""),
            new ApiQueryAttribute("min_price", QueryShape.Number, ""));
        Assert.Null(reader.Int("limit"));
        Assert.Null(reader.Int("offset"));
        Assert.Null(reader.Number("min_price"));
        Assert.True(reader.IsValid);
    }

    [Fact]
    public void Negative_counts_are_refused()
    {
        var reader = Reader("offset", "-1", QueryShape.Count);
        Assert.Null(reader.Count("offset"));
        Assert.Equal("Invalid query parameter: offset must not be negative", reader.Error);
    }

    [Theory]
    [InlineData("9000", 9000)]
    [InlineData("9000.5", 9000.5)]
    [InlineData("-1.25", -1.25)]
    public void Numbers_are_invariant_decimals(string text, double expected) =>
        Assert.Equal((decimal)expected, Reader("min_price", text, QueryShape.Number).Number("min_price"));

    [Theory]
    [InlineData("9,000")]
    [InlineData("1e5")]
    [InlineData("NaN")]
    [InlineData("12.")]
    [InlineData(".5")]
    public void Other_numbers_are_refused(string text)
    {
        var reader = Reader("max_price", text, QueryShape.Number);
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
        var reader = Reader("start_date", text, QueryShape.Date);
        Assert.Equal(expected is null ? null : DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), reader.Date("start_date"));
        Assert.True(reader.IsValid);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("1", false)]
    [InlineData("yes", false)]
    public void Flags_are_true_only_for_true(string text, bool expected) =>
        Assert.Equal(expected, Reader("include_occurrences", text, QueryShape.Flag).Flag("include_occurrences"));

    [Fact]
    public void The_first_error_is_kept()
    {
        var reader = Reader(
            new Dictionary<string, StringValues> { ["a"] = "x", ["b"] = "y" },
            new ApiQueryAttribute("a", QueryShape.Integer, ""), new ApiQueryAttribute("b", QueryShape.Number, ""));
        reader.Int("a");
        reader.Number("b");
        Assert.Equal("Invalid query parameter: a must be an integer", reader.Error);
    }

    /// <summary>Change that this catches: a function reading a parameter its [ApiQuery] attributes do not declare.</summary>
    [Fact]
    public void A_parameter_that_is_not_declared_or_is_declared_in_another_shape_cannot_be_read()
    {
        var reader = Reader("limit", "5", QueryShape.Count);

        var undeclared = Assert.Throws<InvalidOperationException>(() => reader.Int("page"));
        var otherShape = Assert.Throws<InvalidOperationException>(() => reader.Int("limit"));

        Assert.Equal("GetSomething reads the query parameter 'page', but it is read as Integer, and its [ApiQuery] attributes do not declare it.", undeclared.Message);
        Assert.Contains("declare Count", otherShape.Message);
        Assert.Equal(5, reader.Count("limit"));
    }

    [Theory]
    [InlineData("30", 30)]
    [InlineData("0", 1)]
    [InlineData("500", 90)]
    [InlineData("-3", 1)]
    [InlineData("soon", 7)]
    [InlineData("", 7)]
    public void Clamped_numbers_take_their_declared_default_when_unreadable_then_their_bounds(string text, int expected) =>
        Assert.Equal(expected, Reader(
                new Dictionary<string, StringValues> { ["days"] = text },
                new ApiQueryAttribute("days", QueryShape.Clamped, "") { Minimum = 1, Maximum = 90, Default = 7 })
            .Clamped("days"));

    [Fact]
    public void A_choice_is_one_of_its_values_or_its_default_and_another_value_lists_them()
    {
        var by = new ApiQueryAttribute("by", QueryShape.Choice, "") { Values = ["clicks", "ctr", "contacts"], Default = "clicks" };

        Assert.Equal("clicks", Reader([], by).Choice("by"));
        Assert.Equal("ctr", Reader(new Dictionary<string, StringValues> { ["by"] = "ctr" }, by).Choice("by"));
        var wrong = Reader(new Dictionary<string, StringValues> { ["by"] = "CTR" }, by);
        Assert.Null(wrong.Choice("by"));
        Assert.Equal("Invalid by: CTR. Valid values: clicks, contacts, ctr", wrong.Error);
    }

    [Theory]
    [InlineData(null, null, "2026-11-18", "2026-11-25")]
    [InlineData("2026-11-01", null, "2026-11-01", "2026-11-25")]
    [InlineData(null, "2026-10-10", "2026-10-03", "2026-10-10")]
    [InlineData("2026-01-01", "2026-11-25", "2026-08-27", "2026-11-25")] // longer than 90 days: keeps its end
    [InlineData("2026-11-1", "25/11/2026", "2026-11-18", "2026-11-25")] // not YYYY-MM-DD: the defaults
    [InlineData(null, "0001-01-03", "0001-01-01", "0001-01-03")]
    public void A_day_range_has_the_defaults_and_the_bound_of_the_metrics_endpoints(string? start, string? end, string from, string to)
    {
        var query = new Dictionary<string, StringValues>();
        if (start is not null)
        {
            query["start"] = start;
        }

        if (end is not null)
        {
            query["end"] = end;
        }

        var reader = Reader(query, new ApiQueryAttribute("start", QueryShape.Day, ""), new ApiQueryAttribute("end", QueryShape.Day, ""));

        var (first, last) = reader.DayRange("start", "end", new DateOnly(2026, 11, 25), defaultDays: 7, maxDays: 90);

        Assert.Equal((DateOnly.Parse(from, System.Globalization.CultureInfo.InvariantCulture), DateOnly.Parse(to, System.Globalization.CultureInfo.InvariantCulture)), (first, last));
    }
}
