using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SmartTrip.Core.Simulation;

/// <summary>What a simulated run through the API sent, and the truth of what it was shown.</summary>
public sealed record TrafficReport
{
    public int Sessions { get; init; }
    public int Searches { get; init; }

    /// <summary>Searches that got at least one click, and the events sent (every one accepted: a refusal stops the run).</summary>
    public int SearchesWithClick { get; init; }
    public int Clicks { get; init; }
    public int Contacts { get; init; }
    public int EventsSent { get; init; }

    /// <summary>The truth of the lists served, per experiment variant as the responses named it ("" outside an experiment).</summary>
    public IReadOnlyDictionary<string, RankingTruth> TruthByVariant { get; init; } = new Dictionary<string, RankingTruth>();

    /// <summary>The searches made, in order (to rank them again in process, by any engine).</summary>
    public IReadOnlyList<SimulatedSearch> Made { get; init; } = [];

    /// <summary>The browsers that searched: their events are the run's.</summary>
    public IReadOnlyList<Guid> Browsers => Made.Select(s => s.Browser.Id).Distinct().ToList();
}

/// <summary>
/// The simulated population searching the real API (docs/experiments.md §9): each session starts with
/// <c>POST /api/session/start</c>, each search is a <c>POST /api/v2/recommendations</c> with the browser's
/// <c>anonymous_id</c>, and what the traveller does with the list — impressions of the first ten, clicks, contacts — goes
/// through <c>POST /api/events/batch</c>, the queue and the drain, as a browser's would. The truth of every served list is
/// known, so what the product measures can be set against it.
/// </summary>
public sealed class ApiTraffic(HttpClient client, Population population, ClickModel clicks)
{
    public async Task<TrafficReport> RunAsync(int searches, int seed, CancellationToken ct)
    {
        var random = new Random(seed);
        var served = new Dictionary<string, List<(SimulatedBrowser Browser, int[] List)>>(StringComparer.Ordinal);
        var made = new List<SimulatedSearch>(searches);
        int sessions = 0, done = 0, withClick = 0, clicked = 0, contacted = 0, events = 0;
        while (done < searches)
        {
            var browser = population.Browsers[random.Next(population.Browsers.Count)];
            var started = false;
            foreach (var search in population.Session(browser, random))
            {
                if (done == searches)
                {
                    break;
                }

                if (!started)
                {
                    await SendAsync(HttpMethod.Post, "/api/session/start", $$"""{"session_id":"{{search.SessionId}}","anonymous_id":"{{browser.Id}}"}""", null, ct);
                    sessions++;
                    started = true;
                }

                var body = JsonNode.Parse(search.Body)!.AsObject();
                body["anonymous_id"] = browser.Id.ToString();
                var response = await SendAsync(HttpMethod.Post, "/api/v2/recommendations", body.ToJsonString(), search.SessionId, ct);
                var request = response.GetProperty("request_id").GetString()!;
                var list = response.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("id").GetInt32()).ToArray();
                var variant = response.TryGetProperty("experiment", out var experiment) ? experiment.GetProperty("variant").GetString()! : "";
                if (!served.TryGetValue(variant, out var lists))
                {
                    served[variant] = lists = [];
                }

                lists.Add((browser, list));
                made.Add(search);
                var (clickedPositions, contactPositions) = clicks.Sample(population.GradesOf(browser, list), random);
                var batch = new JsonArray();
                for (var k = 0; k < Math.Min(10, list.Length); k++)
                {
                    batch.Add(Event("impression", search, browser, request, list[k], k + 1));
                }

                foreach (var k in clickedPositions)
                {
                    batch.Add(Event("click_trip", search, browser, request, list[k - 1], k));
                }

                foreach (var k in contactPositions)
                {
                    batch.Add(Event("contact_whatsapp", search, browser, request, list[k - 1], k));
                }

                if (batch.Count > 0)
                {
                    var accepted = await SendAsync(HttpMethod.Post, "/api/events/batch", new JsonObject { ["events"] = batch }.ToJsonString(), null, ct);
                    if (accepted.GetProperty("processed").GetInt32() != batch.Count)
                    {
                        throw new InvalidOperationException($"The API refused simulated events: {accepted}");
                    }
                }

                events += batch.Count;
                withClick += clickedPositions.Count > 0 ? 1 : 0;
                clicked += clickedPositions.Count;
                contacted += contactPositions.Count;
                done++;
            }
        }

        return new TrafficReport
        {
            Made = made, Sessions = sessions, Searches = done, SearchesWithClick = withClick, Clicks = clicked, Contacts = contacted, EventsSent = events,
            TruthByVariant = served.ToDictionary(
                p => p.Key, p => RankingTruth.Of(population, clicks, p.Value.Select(v => (v.Browser, (IReadOnlyList<int>)v.List))), StringComparer.Ordinal),
        };
    }

    private static JsonObject Event(string type, SimulatedSearch search, SimulatedBrowser browser, string request, int trip, int position) => new()
    {
        ["event_type"] = type,
        ["session_id"] = search.SessionId.ToString(),
        ["anonymous_id"] = browser.Id.ToString(),
        ["trip_id"] = trip,
        ["recommendation_request_id"] = request,
        ["source"] = "search_results",
        ["position"] = position,
    };

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, string body, Guid? session, CancellationToken ct)
    {
        using var message = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (session is { } id)
        {
            message.Headers.Add("X-Session-ID", id.ToString());
        }

        using var response = await client.SendAsync(message, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{method} {path} answered {(int)response.StatusCode}: {text}");
        }

        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
