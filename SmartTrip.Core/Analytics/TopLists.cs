using System.Text.Json.Serialization;
using Dapper;
using Npgsql;
using SmartTrip.Core.Catalog;

namespace SmartTrip.Core.Analytics;

public sealed record NamedCount
{
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    [JsonPropertyName("count")] public int Count { get; init; }
}

public sealed record IdCount
{
    [JsonPropertyName("id")] public int Id { get; init; }
    [JsonPropertyName("count")] public int Count { get; init; }
}

public sealed record TopSearches(
    [property: JsonPropertyName("top_continents")] IReadOnlyList<NamedCount> TopContinents,
    [property: JsonPropertyName("top_types")] IReadOnlyList<IdCount> TopTypes);

/// <summary>What <c>/api/metrics/top-trips</c> ranks by (docs/engagement.md §3).</summary>
public enum TopTripsOrder
{
    Clicks,
    Ctr,
    Contacts,
}

/// <summary>One trip occurrence's engagement over the period, with its catalogue title (null when it no longer exists).</summary>
public sealed record TopTrip
{
    [JsonPropertyName("trip_id")] public int TripId { get; init; }
    [JsonPropertyName("title")] public string? Title { get; init; }
    [JsonPropertyName("title_he")] public string? TitleHe { get; init; }
    [JsonPropertyName("start_date")] public DateOnly? StartDate { get; init; }
    [JsonPropertyName("impressions")] public int Impressions { get; init; }
    [JsonPropertyName("clicks")] public int Clicks { get; init; }
    [JsonPropertyName("click_through_rate")] public decimal? ClickThroughRate { get; init; }
    [JsonPropertyName("saves")] public int Saves { get; init; }
    [JsonPropertyName("contacts")] public int Contacts { get; init; }
    [JsonPropertyName("whatsapp_contacts")] public int WhatsappContacts { get; init; }
    [JsonPropertyName("phone_contacts")] public int PhoneContacts { get; init; }
    [JsonPropertyName("booking_starts")] public int BookingStarts { get; init; }
}

public sealed record TopTrips(
    [property: JsonPropertyName("by")] string By,
    [property: JsonPropertyName("days")] int Days,
    [property: JsonPropertyName("min_impressions_for_ctr")] int MinImpressionsForCtr,
    [property: JsonPropertyName("trips")] IReadOnlyList<TopTrip> Trips);

/// <summary>
/// The ranked lists: what people search for (analytics.md §4, and the four lists stored with each day, §5) and which
/// trips they act on (docs/engagement.md §3). Continents are counted by their canonical name, however they were sent.
/// </summary>
public sealed class TopLists(NpgsqlDataSource dataSource, TimeProvider clock) : IDailyMetricsPart
{
    /// <summary>A trip is ranked by click-through rate only with at least this many impressions in the period.</summary>
    public const int MinImpressionsForCtr = 20;

    /// <summary>
    /// The display name of a continent as sent (<c>asia</c>, <c>ASIA</c>, <c>North America</c> → <c>Asia</c>, …, the
    /// normalisation of recommendation.md §3.3); a string that is no continent stays as it is.
    /// </summary>
    internal static string CanonicalContinent(string column)
    {
        var values = string.Join(", ", Continents.All.Select(c => $"('{c.Label}', '{c.DisplayName}')"));
        var key = $"replace(replace(upper({column}), ' ', '_'), '&', 'AND')";
        return $"coalesce((SELECT v.display FROM (VALUES {values}) AS v(label, display) "
            + $"WHERE v.label = CASE {key} WHEN 'NORTH_AMERICA' THEN 'NORTH_AND_CENTRAL_AMERICA' ELSE {key} END), {column})";
    }

    private static readonly string StoreSql = $"""
        UPDATE recommendation_metrics_daily SET
            top_countries = (SELECT coalesce(jsonb_agg(jsonb_build_object('id', x.id, 'name', x.name, 'count', x.n) ORDER BY x.n DESC, x.id), '[]')
               FROM (SELECT c.id, c.name, count(*) AS n FROM recommendation_requests r
                       CROSS JOIN LATERAL unnest(r.selected_countries) AS s(id) JOIN countries c ON c.id = s.id
                      WHERE r.created_at >= @from AND r.created_at < @to GROUP BY c.id, c.name ORDER BY n DESC, c.id LIMIT 10) x),
            top_continents = (SELECT coalesce(jsonb_agg(jsonb_build_object('name', x.name, 'count', x.n) ORDER BY x.n DESC, x.name COLLATE "C"), '[]')
               FROM (SELECT k.name, count(*) AS n
                       FROM (SELECT {CanonicalContinent("s.name")} AS name FROM recommendation_requests r
                               CROSS JOIN LATERAL unnest(r.selected_continents) AS s(name)
                              WHERE r.created_at >= @from AND r.created_at < @to) k
                      GROUP BY k.name ORDER BY n DESC, k.name COLLATE "C" LIMIT 10) x),
            top_types = (SELECT coalesce(jsonb_agg(jsonb_build_object('id', x.id, 'name', x.name, 'count', x.n) ORDER BY x.n DESC, x.id), '[]')
               FROM (SELECT t.id, t.name, count(*) AS n FROM recommendation_requests r JOIN trip_types t ON t.id = r.preferred_type_id
                      WHERE r.created_at >= @from AND r.created_at < @to GROUP BY t.id, t.name ORDER BY n DESC, t.id LIMIT 10) x),
            top_themes = (SELECT coalesce(jsonb_agg(jsonb_build_object('id', x.id, 'name', x.name, 'count', x.n) ORDER BY x.n DESC, x.id), '[]')
               FROM (SELECT g.id, g.name, count(*) AS n FROM recommendation_requests r
                       CROSS JOIN LATERAL unnest(r.preferred_theme_ids) AS s(id) JOIN tags g ON g.id = s.id
                      WHERE r.created_at >= @from AND r.created_at < @to GROUP BY g.id, g.name ORDER BY n DESC, g.id LIMIT 10) x)
         WHERE date = @date
        """;

    private static readonly string TopContinentsSql = $"""
        SELECT k.name, count(*)::int AS count
          FROM (SELECT {CanonicalContinent("s.name")} AS name FROM recommendation_requests r
                  CROSS JOIN LATERAL unnest(r.selected_continents) AS s(name)
                 WHERE r.created_at >= @from) k
         GROUP BY k.name ORDER BY count(*) DESC, k.name COLLATE "C" LIMIT @limit
        """;

    private const string TopTripsSql = """
        WITH counts AS (
            SELECT e.trip_id,
                   count(*) FILTER (WHERE t.name = 'impression')::int AS impressions,
                   count(*) FILTER (WHERE t.name = 'click_trip')::int AS clicks,
                   count(*) FILTER (WHERE t.name = 'save_trip')::int AS saves,
                   count(*) FILTER (WHERE t.name = 'contact_whatsapp')::int AS whatsapp_contacts,
                   count(*) FILTER (WHERE t.name = 'contact_phone')::int AS phone_contacts,
                   count(*) FILTER (WHERE t.name = 'booking_start')::int AS booking_starts
              FROM events e JOIN event_types t ON t.id = e.event_type_id
             WHERE e."timestamp" >= @from AND e.trip_id IS NOT NULL
               AND t.name IN ('impression', 'click_trip', 'save_trip', 'contact_whatsapp', 'contact_phone', 'booking_start')
             GROUP BY e.trip_id),
        ranked AS (
            SELECT c.*, c.whatsapp_contacts + c.phone_contacts AS contacts,
                   CASE WHEN c.impressions > 0 THEN metrics_round(c.clicks::numeric / c.impressions, 4) END AS click_through_rate
              FROM counts c)
        SELECT r.*, tt.title, tt.title_he, o.start_date
          FROM ranked r
          LEFT JOIN trip_occurrences o ON o.id = r.trip_id
          LEFT JOIN trip_templates tt ON tt.id = o.trip_template_id
        """;

    private static readonly Dictionary<TopTripsOrder, string> TopTripsOrders = new()
    {
        [TopTripsOrder.Clicks] = "WHERE r.clicks > 0 ORDER BY r.clicks DESC, r.trip_id",
        [TopTripsOrder.Ctr] = "WHERE r.impressions >= @minImpressions ORDER BY r.click_through_rate DESC, r.clicks DESC, r.trip_id",
        [TopTripsOrder.Contacts] = "WHERE r.contacts > 0 ORDER BY r.contacts DESC, r.trip_id",
    };

    /// <summary>The statement that stores a day's four lists (<c>date</c>, <c>from</c>, <c>to</c>), for the analytics scale run.</summary>
    internal static string StoreStatement => StoreSql;

    public string Name => "top lists";

    public string Table => "recommendation_metrics_daily";

    public int RecentDays => 1;

    /// <summary>Runs after <see cref="RequestMetrics"/> has written the day's row, in the same transaction.</summary>
    public Task StoreAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, MetricsDay day, DateTimeOffset now, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            StoreSql, new { date = day.Date, from = day.From, to = day.To }, transaction, IDailyMetricsPart.StoreTimeoutSeconds, cancellationToken: ct));

    /// <summary><c>/api/metrics/top-searches</c> (analytics.md §4) over the last <paramref name="days"/> × 24 hours.</summary>
    public async Task<TopSearches> TopSearchesAsync(int days, int limit, CancellationToken ct)
    {
        var from = clock.GetUtcNow().AddDays(-days);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var continents = await connection.QueryAsync<NamedCount>(new CommandDefinition(TopContinentsSql, new { from, limit }, cancellationToken: ct));
        var types = await connection.QueryAsync<IdCount>(new CommandDefinition(
            """
            SELECT preferred_type_id AS id, count(*)::int AS count FROM recommendation_requests
             WHERE created_at >= @from AND preferred_type_id IS NOT NULL
             GROUP BY preferred_type_id ORDER BY count(*) DESC, preferred_type_id LIMIT @limit
            """, new { from, limit }, cancellationToken: ct));
        return new TopSearches(continents.ToList(), types.ToList());
    }

    /// <summary><c>/api/metrics/top-trips</c>: events received in the last <paramref name="days"/> × 24 hours, per trip.</summary>
    public async Task<TopTrips> TopTripsAsync(int days, int limit, TopTripsOrder by, CancellationToken ct)
    {
        var from = clock.GetUtcNow().AddDays(-days);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var trips = await connection.QueryAsync<TopTrip>(new CommandDefinition(
            $"{TopTripsSql} {TopTripsOrders[by]} LIMIT @limit",
            new { from, limit, minImpressions = MinImpressionsForCtr }, cancellationToken: ct));
        return new TopTrips(by.ToString().ToLowerInvariant(), days, MinImpressionsForCtr, trips.ToList());
    }
}
