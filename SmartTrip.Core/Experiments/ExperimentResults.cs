using System.Text.Json.Serialization;
using Dapper;
using Npgsql;
using SmartTrip.Core.Analytics;

namespace SmartTrip.Core.Experiments;

/// <summary>One variant's figures over the experiment's searches by assigned browsers.</summary>
public sealed record VariantResults
{
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    [JsonPropertyName("share")] public int Share { get; init; }
    [JsonPropertyName("is_control")] public bool IsControl { get; init; }
    [JsonPropertyName("browsers")] public long Browsers { get; init; }
    [JsonPropertyName("searches")] public long Searches { get; init; }
    [JsonPropertyName("impressions")] public long Impressions { get; init; }
    [JsonPropertyName("clicks")] public long Clicks { get; init; }

    /// <summary>Clicks per impression.</summary>
    [JsonPropertyName("click_through_rate")] public RateEstimate ClickThroughRate { get; init; } = new();

    /// <summary>Searches with at least one click, per search.</summary>
    [JsonPropertyName("search_click_rate")] public RateEstimate SearchClickRate { get; init; } = new();

    /// <summary>Searches with at least one WhatsApp or phone contact, per search.</summary>
    [JsonPropertyName("contact_rate")] public RateEstimate ContactRate { get; init; } = new();
}

/// <summary><c>GET /api/experiments/{id}/results</c> (docs/experiments.md §4).</summary>
public sealed record ExperimentResults
{
    [JsonPropertyName("experiment")] public required Experiment Experiment { get; init; }

    /// <summary>The searches counted: from the start to the stop (or now). Null bounds: never started.</summary>
    [JsonPropertyName("from")] public DateTimeOffset? From { get; init; }
    [JsonPropertyName("to")] public DateTimeOffset? To { get; init; }

    /// <summary>Searches served during the experiment without a known browser: given the control, not counted.</summary>
    [JsonPropertyName("unassigned_searches")] public long UnassignedSearches { get; init; }
    [JsonPropertyName("variants")] public IReadOnlyList<VariantResults> Variants { get; init; } = [];
    [JsonPropertyName("sample_ratio")] public SampleRatioCheck SampleRatio { get; init; } = new();

    /// <summary>The team-draft comparison of an interleaving experiment; absent for an A/B split.</summary>
    [JsonPropertyName("interleaving"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public InterleavingResults? Interleaving { get; init; }
}

/// <summary>The interleaved searches of an experiment, credited by team (docs/experiments.md §10).</summary>
public sealed record InterleavingResults
{
    [JsonPropertyName("searches")] public long Searches { get; init; }

    /// <summary>Clicked trips credited to the team that gave them: a win is a search where the candidate's got more.</summary>
    [JsonPropertyName("clicks")] public InterleavingComparison Clicks { get; init; } = new();

    /// <summary>The same for the trips contacted (WhatsApp or phone).</summary>
    [JsonPropertyName("contacts")] public InterleavingComparison Contacts { get; init; } = new();

    [JsonPropertyName("team_balance")] public TeamBalance TeamBalance { get; init; } = new();
}

/// <summary>Counts an experiment's searches and the events attributed to them per variant, and tests the differences.</summary>
public sealed class ExperimentResultsService(NpgsqlDataSource dataSource, ExperimentStore store, TimeProvider clock)
{
    private sealed record Counts(string Variant, long Browsers, long Searches, long Impressions, long Clicks, long SearchesWithClick, long SearchesWithContact);

    private const string CountsSql = $"""
        WITH searches AS (
            SELECT id, request_id, session_id, created_at, variant, anonymous_id
              FROM recommendation_requests
             WHERE experiment_id = @id AND anonymous_id IS NOT NULL AND created_at >= @from AND created_at < @to),
        {EventAttribution.Ctes},
        per_search AS (
            SELECT s.variant, s.anonymous_id,
                   count(*) FILTER (WHERE a.type = 'impression') AS impressions,
                   count(*) FILTER (WHERE a.type = 'click_trip') AS clicks,
                   coalesce(bool_or(a.type IN ('contact_whatsapp', 'contact_phone')), false) AS contacted
              FROM searches s LEFT JOIN attributed a ON a.request_id = s.request_id
             GROUP BY s.request_id, s.variant, s.anonymous_id)
        SELECT variant, count(DISTINCT anonymous_id) AS browsers, count(*) AS searches, sum(impressions)::bigint AS impressions,
               sum(clicks)::bigint AS clicks, count(*) FILTER (WHERE clicks > 0) AS searches_with_click,
               count(*) FILTER (WHERE contacted) AS searches_with_contact
          FROM per_search GROUP BY variant
        """;

    private sealed class InterleavedSearch
    {
        public string Teams { get; init; } = "";
        public int[] ResultTripIds { get; init; } = [];
        public int[] Clicked { get; init; } = [];
        public int[] Contacted { get; init; } = [];

        public TeamCredit Credit(int[] trips) =>
            TeamCredit.Of(Teams, trips.Distinct().Select(t => Array.IndexOf(ResultTripIds, t) + 1));
    }

    private const string InterleavedSql = $"""
        WITH searches AS (
            SELECT id, request_id, session_id, created_at, teams, result_trip_ids
              FROM recommendation_requests
             WHERE experiment_id = @id AND teams IS NOT NULL AND created_at >= @from AND created_at < @to),
        {EventAttribution.Ctes}
        SELECT s.teams, s.result_trip_ids,
               coalesce(array_agg(a.trip_id) FILTER (WHERE a.type = 'click_trip' AND a.trip_id IS NOT NULL), ARRAY[]::int[]) AS clicked,
               coalesce(array_agg(a.trip_id) FILTER (WHERE a.type IN ('contact_whatsapp', 'contact_phone') AND a.trip_id IS NOT NULL), ARRAY[]::int[]) AS contacted
          FROM searches s LEFT JOIN attributed a ON a.request_id = s.request_id
         GROUP BY s.request_id, s.teams, s.result_trip_ids
        """;

    /// <summary>The results of experiment <paramref name="id"/>; null when there is no such experiment.</summary>
    public async Task<ExperimentResults?> ResultsAsync(int id, CancellationToken ct)
    {
        if (await store.GetAsync(id, ct) is not { } experiment)
        {
            return null;
        }

        if (experiment.StartedAt is not { } from)
        {
            return Summarise(experiment, null, null, [], 0) with { Interleaving = experiment.Interleaves ? new InterleavingResults() : null };
        }

        var to = experiment.StoppedAt ?? clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var counts = (await connection.QueryAsync<Counts>(new CommandDefinition(CountsSql, new { id, from, to }, cancellationToken: ct))).ToList();
        var unassigned = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            SELECT count(*) FROM recommendation_requests
             WHERE experiment_id = @id AND anonymous_id IS NULL AND created_at >= @from AND created_at < @to
            """, new { id, from, to }, cancellationToken: ct));
        var results = Summarise(experiment, from, to, counts, unassigned);
        if (!experiment.Interleaves)
        {
            return results;
        }

        var interleaved = (await connection.QueryAsync<InterleavedSearch>(new CommandDefinition(
            InterleavedSql, new { id, from, to }, cancellationToken: ct))).ToList();
        return results with
        {
            Interleaving = new InterleavingResults
            {
                Searches = interleaved.Count,
                Clicks = InterleavingStatistics.Compare(interleaved.Select(s => s.Credit(s.Clicked))),
                Contacts = InterleavingStatistics.Compare(interleaved.Select(s => s.Credit(s.Contacted))),
                TeamBalance = InterleavingStatistics.Balance(interleaved.Select(s => s.Teams)),
            },
        };
    }

    private static ExperimentResults Summarise(
        Experiment experiment, DateTimeOffset? from, DateTimeOffset? to, IReadOnlyList<Counts> counts, long unassigned)
    {
        var byVariant = counts.ToDictionary(c => c.Variant, StringComparer.Ordinal);
        var raw = experiment.Variants.Select(v => (Variant: v, Counts: byVariant.GetValueOrDefault(v.Name) ?? new Counts(v.Name, 0, 0, 0, 0, 0, 0))).ToList();
        var control = raw[0].Counts;
        var controlCtr = ExperimentStatistics.Rate(control.Clicks, control.Impressions);
        var controlClick = ExperimentStatistics.Rate(control.SearchesWithClick, control.Searches);
        var controlContact = ExperimentStatistics.Rate(control.SearchesWithContact, control.Searches);
        var variants = raw.Select((r, index) =>
        {
            var c = r.Counts;
            var ctr = ExperimentStatistics.Rate(c.Clicks, c.Impressions);
            var click = ExperimentStatistics.Rate(c.SearchesWithClick, c.Searches);
            var contact = ExperimentStatistics.Rate(c.SearchesWithContact, c.Searches);
            return new VariantResults
            {
                Name = r.Variant.Name, Share = r.Variant.Share, IsControl = index == 0, Browsers = c.Browsers, Searches = c.Searches,
                Impressions = c.Impressions, Clicks = c.Clicks,
                ClickThroughRate = index == 0 ? ctr : ExperimentStatistics.Compare(ctr, controlCtr),
                SearchClickRate = index == 0 ? click : ExperimentStatistics.Compare(click, controlClick),
                ContactRate = index == 0 ? contact : ExperimentStatistics.Compare(contact, controlContact),
            };
        }).ToList();
        return new ExperimentResults
        {
            Experiment = experiment, From = from, To = to, UnassignedSearches = unassigned, Variants = variants,
            SampleRatio = ExperimentStatistics.SampleRatio(variants.Select(v => v.Browsers).ToList(), experiment.Variants.Select(v => v.Share).ToList()),
        };
    }
}
