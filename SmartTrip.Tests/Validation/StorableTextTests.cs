using System.Globalization;
using System.Text;
using CsCheck;
using Npgsql;
using SmartTrip.Core.Validation;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Validation;

/// <summary>The one check of request text and numbers: what it refuses, and the path it names.</summary>
[Trait("Category", "Unit")]
public sealed class StorableTextTests
{
    [Theory]
    [InlineData("""{"metadata":{"note":"a\u0000b"}}""", "metadata.note")]
    [InlineData("""{"selected_countries":[1,2,"\ud800"]}""", "selected_countries[2]")]
    [InlineData("""{"a":{"b":[0,1,2,{"c":"\udc00"}]}}""", "a.b[3].c")]
    [InlineData("""{"a":[[0],[1,"\u0000"]]}""", "a[1][1]")]
    [InlineData("""{"\u05d8\u05d9\u05d5\u05dc":{"x\u0000":1}}""", "טיול.x\uFFFD")]
    [InlineData("""{"metadata":{"\ud800key":1}}""", "metadata.(property name)")]
    [InlineData("""{"a":{},"b":[],"c":"\ud83d\ude00","d":"\ud83dx"}""", "d")]
    public void The_first_unstorable_string_is_named_by_its_path(string json, string field)
    {
        var refused = StorableText.Check(Encoding.UTF8.GetBytes(json));

        Assert.NotNull(refused);
        Assert.Equal(field, refused.Field);
        Assert.Equal($"{field} {StorableText.Refused}", refused.Message);
    }

    [Theory]
    [InlineData("""{"a":"\\u0000"}""")]          // an escaped backslash, then the text u0000
    [InlineData("""{"a":"\ud83d\ude00\u00e9\n"}""")]
    [InlineData("""{"a":"\uDBFF\uDFFF"}""")]
    [InlineData("""{"a":"😀 טיול \u202e"}""")]
    [InlineData("""[1,{"b":null},true,false,"x"]""")]
    public void Storable_text_passes(string json) => Assert.Null(StorableText.Check(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void A_number_too_large_for_numeric_is_named_with_its_own_message()
    {
        var refused = StorableText.Check("""{"metadata":{"n":1e200000}}"""u8);

        Assert.Equal("metadata.n", refused?.Field);
        Assert.Equal($"metadata.n {StorableText.NumberRefused}", refused?.Message);
    }

    /// <summary>
    /// Strings of characters drawn from the classes that matter (U+0000, lone and paired surrogates, ASCII, Hebrew), each
    /// character written raw or as a \u escape at random: the check refuses exactly the strings <see
    /// cref="StorableText.IsStorable"/> refuses once decoded.
    /// </summary>
    [Fact]
    public void The_escape_scan_agrees_with_the_decoded_text()
    {
        var chars = Gen.OneOf(Gen.Const('\0'), Gen.Const('\uD83D'), Gen.Const('\uDE00'), Gen.Const('\uDBFF'), Gen.Const('\uDC00'),
            Gen.Char['a', 'z'], Gen.Char['\u05d0', '\u05ea'], Gen.Const('"'), Gen.Const('\\'), Gen.Const('\n'));
        Gen.Select(chars.Array[0, 12], Gen.Bool.Array[12]).Sample((text, escape) =>
        {
            var json = new StringBuilder("{\"k\":\"");
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                var mustEscape = c is '\0' or '"' or '\\' or '\n' || char.IsSurrogate(c);
                json.Append(escape[i] || mustEscape ? $"\\u{(int)c:x4}" : c.ToString());
            }

            var refused = StorableText.Check(Encoding.UTF8.GetBytes(json.Append("\"}").ToString()));
            return (refused is null) == StorableText.IsStorable(new string(text));
        }, iter: 5000);
    }

    [Fact]
    public void Bytes_that_are_not_utf8_or_not_json_are_refused_at_the_root()
    {
        Assert.Equal("body", StorableText.Check([(byte)'"', 0xC3, 0x28, (byte)'"'])?.Field);
        Assert.Equal("body", StorableText.Check("{\"a\":"u8)?.Field);
    }
}

/// <summary>The number rule against PostgreSQL itself: the check accepts exactly what <c>jsonb</c> stores.</summary>
public sealed class StorableNumberTests
{
    private static readonly string[] Boundaries =
    [
        "1e131071", "1e131072", "9.99e131071", "10e131070", "100e131069", "100e131070", "0.001e131074", "0.001e131075",
        "1e-16383", "1e-16384", "1.5e-16382", "1.5e-16383", "0e-16383", "0e-16384", "0.0e-16382", "0.0e-16383",
        "0e999999", "0.00000e131080", "-0", "-0.0e-16383", "1e+0005", "1E131071", "-1e131072", "1e2147483647",
        "1e-2147483648", "1e99999999999999999999", "0e-99999999999999999999", "123.456", "-999.995", "1e200000",
        "0.000000000000000000000000000000000000000000000000001e131121",
    ];

    [Fact]
    public async Task The_rule_matches_jsonb_at_every_boundary_and_every_combination_near_them()
    {
        await using var db = new NpgsqlConnection(TestServices.AdminConnectionString);
        await db.OpenAsync();

        // Every combination of sign, integer digits, fraction digits and an exponent near either limit.
        var numbers = (
            from sign in new[] { "", "-" }
            from integer in new[] { "0", "1", "10", "999", "12345678" }
            from fraction in new[] { "", ".0", ".5", ".000", ".001", ".12345" }
            from exponent in Enumerable.Range(131_066, 11).Concat(Enumerable.Range(-16_390, 11)).Concat([-1, 0, 1])
            select $"{sign}{integer}{fraction}e{exponent.ToString(CultureInfo.InvariantCulture)}").Concat(Boundaries).ToList();

        var disagreements = new List<string>();
        foreach (var number in numbers)
        {
            bool stored;
            try
            {
                await using var command = new NpgsqlCommand($"SELECT ('{{\"n\":{number}}}'::jsonb) IS NOT NULL", db);
                stored = (bool)(await command.ExecuteScalarAsync())!;
            }
            catch (PostgresException e) when (e.SqlState is "22003" or "22P02")
            {
                stored = false;
            }

            if (StorableText.IsStorableNumber(Encoding.ASCII.GetBytes(number)) != stored)
            {
                disagreements.Add($"{number}: PostgreSQL {(stored ? "stores" : "refuses")} it");
            }
        }

        Assert.Empty(disagreements);
        Assert.Contains(numbers, n => !StorableText.IsStorableNumber(Encoding.ASCII.GetBytes(n)));
    }
}
