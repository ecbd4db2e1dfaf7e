using System.Text;
using System.Text.Json;
using CsCheck;
using Dapper;
using SmartTrip.DevHost;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Tracking;

/// <summary>
/// Generated bodies for every POST endpoint, their strings and numbers drawn from hostile classes: never a 5xx, and for
/// events, once drained, every event sent is stored or refused with its index, and nothing else.
/// </summary>
[Collection(EventPipelineCollection.Name)]
public sealed class HostileBodyPropertyTests(EventsFixture api)
{
    /// <summary>JSON values as text, so that escapes no serializer would write (a lone surrogate) can be sent.</summary>
    private static readonly Gen<string> HostileString = Gen.OneOf(
        Gen.Const("\"a\\u0000b\""),
        Gen.Const("\"\\ud800\""),
        Gen.Const("\"x\\udc00y\""),
        Gen.Const("\"\\ud83d\\ude00 emoji\""),
        Gen.Const("\"\u202eטיול\u0301\""),
        Gen.Const("\"\""),
        Gen.Char['a', 'z'].Array[1, 12].Select(c => $"\"{new string(c)}\""),
        Gen.Int[1, 3].Select(n => $"\"{new string('x', n * 5000)}\""));

    private static readonly Gen<string> HostileNumber = Gen.OneOf(
        Gen.Const("0"), Gen.Const("-1"), Gen.Const("2147483647"), Gen.Const("2147483648"), Gen.Const("-2147483649"),
        Gen.Const("9223372036854775808"), Gen.Const("1e309"), Gen.Const("1e200000"), Gen.Const("-1e-16384"), Gen.Const("-0.0"), Gen.Const("999.995"), Gen.Const("1.5"),
        Gen.Int.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private static readonly Gen<string> WrongType = Gen.OneOf(
        Gen.Const("null"), Gen.Const("true"), Gen.Const("[]"), Gen.Const("{}"), Gen.Const("[\"search_results\"]"),
        Gen.Const("{\"a\":\"\\u0000\"}"), Gen.Const("[1,2,3]"));

    private static readonly Gen<string> AnyValue = Gen.Frequency((4, HostileString), (3, HostileNumber), (2, WrongType));

    /// <summary>An object holding some of the given fields (and a stray key) with hostile values.</summary>
    private static readonly Gen<string> StrayKey = Gen.OneOf("\"extra\"", "\"extra\\u0000key\"", "\"\\ud800\"", "\"נוסף\"");

    private static Gen<string> ObjectOf(params string[] fields) =>
        Gen.Select(Gen.Bool.Array[fields.Length], AnyValue.Array[fields.Length + 1], StrayKey, (use, values, stray) =>
        {
            var members = fields.Where((_, i) => use[i]).Select((field, i) => $"\"{field}\":{values[i]}").ToList();
            members.Add($"{stray}:{values[^1]}");
            return "{" + string.Join(",", members) + "}";
        });

    private static readonly string[] EventFields =
        ["event_type", "trip_id", "source", "metadata", "position", "score", "page_url", "referrer", "client_timestamp", "event_id", "recommendation_request_id"];

    private static readonly Gen<string> EventType = Gen.OneOf("\"impression\"", "\"click_trip\"", "\"save_trip\"", "\"page_view\"", "\"trip_dwell_time\"");

    /// <summary>
    /// An event of the given session: two in five well formed (a valid type and trip), the others with a valid type
    /// most of the time and every other field hostile or absent.
    /// </summary>
    private static Gen<string> EventOf(Guid session, Guid anonymous) => Gen.Frequency(
        (2, Gen.Select(EventType, Gen.Int[1, 20], (type, trip) =>
            $"{{\"event_type\":{type},\"session_id\":\"{session}\",\"anonymous_id\":\"{anonymous}\",\"trip_id\":{trip},\"source\":\"search_results\"}}")),
        (3, Gen.Select(Gen.Frequency((4, EventType), (1, AnyValue)), ObjectOf(EventFields[1..]), (type, rest) =>
            $"{{\"event_type\":{type},\"session_id\":\"{session}\",\"anonymous_id\":\"{anonymous}\",{rest[1..]}")));

    private async Task<(int Status, string Body)> PostAsync(string path, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(json)) };
        request.Headers.Add(FunctionKeyPolicy.HeaderName, FunctionKeyPolicy.DefaultKey);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", api.HsToken("property-user"));
        using var response = await api.Client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/api/v2/recommendations", "selected_countries,selected_continents,preferred_type_id,preferred_theme_ids,min_duration,max_duration,budget,difficulty,year,month,start_date,session_id")]
    [InlineData("/api/session/start", "session_id,anonymous_id,device_type,referrer")]
    [InlineData("/api/user/identify", "anonymous_id")]
    [InlineData("/api/evaluation/run", "category,scenario_ids")]
    [InlineData("/api/events", "event_type,session_id,anonymous_id,trip_id,source,metadata,position,score,page_url,referrer")]
    public async Task No_generated_body_gets_a_5xx(string path, string fields)
    {
        var statuses = new List<int>();
        await ObjectOf(fields.Split(',')).SampleAsync(async body =>
        {
            var (status, answer) = await PostAsync(path, body);
            lock (statuses)
            {
                statuses.Add(status);
            }

            Assert.True(status < 500, $"{path} answered {status} {answer} to {body}");
            using var _ = JsonDocument.Parse(answer); // every answer is JSON
        }, iter: 60, threads: 1);

        Assert.Equal(60, statuses.Count);
        Assert.Contains(statuses, s => s == 400); // the generator does reach the validation
    }

    [Fact]
    public async Task Every_generated_event_is_stored_refused_by_index_or_dead_lettered()
    {
        var sessions = new List<Guid>();
        var (sent, accepted, refused) = (0, 0, 0);
        var batches = Gen.Select(Gen.Guid, Gen.Guid).SelectMany(ids => EventOf(ids.Item1, ids.Item2).Array[1, 8].Select(events => (Session: ids.Item1, Events: events)));
        await batches.SampleAsync(async batch =>
        {
            var (status, answer) = await PostAsync("/api/events/batch", $"{{\"events\":[{string.Join(",", batch.Events)}]}}");
            Assert.True(status == 202, $"batch answered {status} {answer}");
            using var document = JsonDocument.Parse(answer);
            var processed = document.RootElement.GetProperty("processed").GetInt32();
            var errors = document.RootElement.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Array ? e.GetArrayLength() : 0;
            Assert.Equal(batch.Events.Length, processed + errors);
            sessions.Add(batch.Session);
            (sent, accepted, refused) = (sent + batch.Events.Length, accepted + processed, refused + errors);
        }, iter: 60, threads: 1);

        var stored = 0L;
        var deadLettered = 0L;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        await using var db = api.Database();
        while (stored + deadLettered < accepted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            stored = await db.ExecuteScalarAsync<long>("SELECT count(*) FROM events WHERE session_id = ANY(@sessions)", new { sessions });
            deadLettered = await db.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM event_dead_letters d WHERE EXISTS (SELECT 1 FROM unnest(@sessions) s WHERE d.envelope LIKE '%' || s::text || '%')",
                new { sessions = sessions.ToArray() });
        }

        Assert.True(accepted > 0 && refused > 0, $"the generator should produce both accepted ({accepted}) and refused ({refused}) events");
        Assert.Equal(sent, accepted + refused);
        // Whatever the edge accepts the database stores: nothing a client sends can be dead-lettered (before numbers such
        // as 1e200000 were refused at the edge, they were accepted here and dead-lettered by the drain).
        Assert.Equal(accepted, stored);
        Assert.Equal(0, deadLettered);
    }
}
