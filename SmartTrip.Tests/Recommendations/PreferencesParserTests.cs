using System.Text;
using SmartTrip.Core.Recommendations;
using SmartTrip.Core.Wire;

namespace SmartTrip.Tests.Recommendations;

[Trait("Category", "Unit")]
public sealed class PreferencesParserTests
{
    private static PreferencesParseResult Parse(string body) => PreferencesParser.Parse(Encoding.UTF8.GetBytes(body));

    private static string[] Errors(string body) =>
        Parse(body).FieldErrors.Select(e => $"{e.Field}: {e.Message}").ToArray();

    [Theory]
    [InlineData("""{"difficulty":"2"}""", "difficulty: difficulty must be an integer from 1 to 5, or null")]
    [InlineData("""{"difficulty":0}""", "difficulty: difficulty must be an integer from 1 to 5, or null")]
    [InlineData("""{"difficulty":2.5}""", "difficulty: difficulty must be an integer from 1 to 5, or null")]
    [InlineData("""{"difficulty":true}""", "difficulty: difficulty must be an integer from 1 to 5, or null")]
    [InlineData("""{"budget":"9000"}""", "budget: budget must be a number greater than 0, or null")]
    [InlineData("""{"budget":0}""", "budget: budget must be a number greater than 0, or null")]
    [InlineData("""{"budget":-5}""", "budget: budget must be a number greater than 0, or null")]
    [InlineData("""{"selected_continents":["Narnia"]}""",
        "selected_continents: Invalid continent: Narnia. Valid continents: Africa, Antarctica, Asia, Europe, North & Central America, Oceania, South America")]
    [InlineData("""{"selected_continents":[" Asia"]}""",
        "selected_continents: Invalid continent:  Asia. Valid continents: Africa, Antarctica, Asia, Europe, North & Central America, Oceania, South America")]
    [InlineData("""{"selected_continents":"Asia"}""", "selected_continents: selected_continents must be an array of strings")]
    [InlineData("""{"selected_continents":["Asia",3]}""", "selected_continents: selected_continents must be an array of strings")]
    [InlineData("""{"selected_countries":[1,"2"]}""", "selected_countries: selected_countries must be an array of integers")]
    [InlineData("""{"selected_countries":5}""", "selected_countries: selected_countries must be an array of integers")]
    [InlineData("""{"preferred_theme_ids":[1.5]}""", "preferred_theme_ids: preferred_theme_ids must be an array of integers")]
    [InlineData("""{"preferred_type_id":"3"}""", "preferred_type_id: preferred_type_id must be an integer or null")]
    [InlineData("""{"preferred_type_id":3000000000}""", "preferred_type_id: preferred_type_id must be an integer or null")]
    [InlineData("""{"min_duration":20,"max_duration":10}""", "min_duration: min_duration must not be greater than max_duration")]
    [InlineData("""{"min_duration":0}""", "min_duration: min_duration must be an integer from 1 to 365, or null")]
    [InlineData("""{"max_duration":366}""", "max_duration: max_duration must be an integer from 1 to 365, or null")]
    [InlineData("""{"year":0}""", "year: year must be an integer from 1 to 9999, a numeric string, or 'all'")]
    [InlineData("""{"year":"20x7"}""", "year: year must be an integer from 1 to 9999, a numeric string, or 'all'")]
    [InlineData("""{"year":"ALL"}""", "year: year must be an integer from 1 to 9999, a numeric string, or 'all'")]
    [InlineData("""{"month":"13"}""", "month: month must be an integer from 1 to 12, a numeric string, or 'all'")]
    [InlineData("""{"month":"-1"}""", "month: month must be an integer from 1 to 12, a numeric string, or 'all'")]
    public void A_bad_field_gets_its_own_message(string body, string expected)
    {
        var result = Parse(body);

        Assert.False(result.IsValid);
        Assert.Equal(ErrorMessages.Recommendations.InvalidPreferences, result.Error);
        Assert.Equal([expected], Errors(body));
    }

    [Fact]
    public void All_field_errors_are_reported_in_table_order()
    {
        Assert.Equal(
            [
                "selected_countries: selected_countries must be an array of integers",
                "min_duration: min_duration must be an integer from 1 to 365, or null",
                "budget: budget must be a number greater than 0, or null",
                "year: year must be an integer from 1 to 9999, a numeric string, or 'all'",
                "month: month must be an integer from 1 to 12, a numeric string, or 'all'",
            ],
            Errors("""{"month":13,"year":"abc","budget":"x","min_duration":0,"selected_countries":"1"}"""));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    [InlineData("42")]
    [InlineData("{} {}")]
    [InlineData("{\"budget\":")]
    public void A_body_that_is_not_a_json_object_is_rejected_as_a_whole(string body)
    {
        var result = Parse(body);

        Assert.Equal(ErrorMessages.NotAnObject, result.Error);
        Assert.Empty(result.FieldErrors);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \r\n")]
    [InlineData("{}")]
    [InlineData("{\"unknown\":[1,2,{}]}")]
    public void An_empty_body_is_an_empty_search(string body)
    {
        var preferences = Parse(body).Preferences!;

        Assert.Equal(1, preferences.MinDuration);
        Assert.Equal(365, preferences.MaxDuration);
        Assert.Null(preferences.Budget);
        Assert.False(preferences.HasGeography);
        Assert.Equal(SearchTypes.Exploration, preferences.SearchType);
    }

    [Fact]
    public void Values_are_read_as_the_spec_says()
    {
        var p = Parse("""
            {"selected_countries":[3,3.0,1],"selected_continents":["north and central america","NORTH_AMERICA","Asia"],
             "preferred_type_id":0,"preferred_theme_ids":[2,2],"min_duration":null,"max_duration":30,"budget":9000.5,
             "difficulty":3.0,"year":"02027","month":"all","start_date":"2027-03-05T10:00:00Z","session_id":"s-1"}
            """).Preferences!;

        Assert.Equal([3, 3, 1], p.SelectedCountries);
        Assert.Equal([1, 3], p.Countries.Order());
        Assert.Equal(["north and central america", "NORTH_AMERICA", "Asia"], p.SelectedContinents);
        Assert.Equal(0, p.PreferredTypeId);
        Assert.Null(p.TypeId);
        Assert.Equal([2], p.Themes);
        Assert.Null(p.MinDurationGiven);
        Assert.Equal(1, p.MinDuration);
        Assert.Equal(30, p.MaxDuration);
        Assert.Equal(9000.5, p.Budget);
        Assert.Equal(9000.5m, p.BudgetDecimal);
        Assert.Equal(3, p.Difficulty);
        Assert.Equal(2027, p.Year);
        Assert.Equal("02027", p.YearText);
        Assert.Null(p.Month);
        Assert.Equal("all", p.MonthText);
        Assert.Equal(new DateOnly(2027, 3, 5), p.LegacyStart);
        Assert.Equal("s-1", p.SessionId);
    }

    [Theory]
    [InlineData("""{"start_date":"next week"}""")]
    [InlineData("""{"start_date":20270305}""")]
    [InlineData("""{"session_id":""}""")]
    public void Unparseable_legacy_values_are_ignored(string body)
    {
        var p = Parse(body).Preferences!;

        Assert.Null(p.LegacyStart);
        Assert.Null(p.SessionId);
    }

    [Theory]
    [InlineData("{}", "exploration")]
    [InlineData("""{"budget":15000,"difficulty":2,"min_duration":5,"max_duration":30,"year":"all","month":"all"}""", "focused_search")]
    [InlineData("""{"selected_continents":["Asia"],"min_duration":1,"max_duration":365}""", "exploration")]
    [InlineData("""{"min_duration":null,"max_duration":null,"budget":1}""", "exploration")]
    [InlineData("""{"min_duration":2,"preferred_type_id":0,"selected_countries":[]}""", "exploration")]
    [InlineData("""{"min_duration":2,"preferred_type_id":4}""", "focused_search")]
    [InlineData("""{"year":2027,"month":3}""", "focused_search")]
    [InlineData("""{"start_date":"2027-01-01","session_id":"x","budget":1}""", "exploration")]
    public void Search_type_counts_the_filters_the_body_sets(string body, string expected)
    {
        Assert.Equal(expected, Parse(body).Preferences!.SearchType);
    }
}
