using Microsoft.Extensions.Logging;
using SmartTrip.Core.Experiments;
using SmartTrip.Core.Wire;

namespace SmartTrip.Core.Recommendations;

/// <summary>One recommendations call as the endpoint and the command-line tool receive it.</summary>
public sealed record RecommendationRequest(ReadOnlyMemory<byte> Body, string? SessionIdHeader = null, bool Log = true);

/// <summary>
/// The recommendation pipeline of recommendation.md §1: validate, load candidates, rank both tiers, load the
/// winners, assemble the response, log the request. The endpoint and <c>smarttrip recommend</c> both run it.
/// </summary>
public sealed class RecommendationService(
    CatalogSnapshotCache catalog,
    RecommendationRequestLog requestLog,
    RecommendationEngine engine,
    ExperimentRouter experiments,
    Microsoft.Extensions.Options.IOptions<ExplorationOptions> exploration,
    TimeProvider clock,
    ILogger<RecommendationService> logger,
    Telemetry.SmartTripMetrics? metrics = null)
{
    public const string EmptyMessage = "No trips match your criteria. Try adjusting your preferences.";

    private RecommendationOptions Options => engine.Options;

    /// <summary>
    /// Answers a request: the response, or the refusal of a body the API rejects (not logged). A failing database and
    /// defects escape as exceptions, which the caller's error path turns into its answer (<c>ApiErrors</c> for the
    /// endpoint, an exit code for the command-line tool); a defect of the ranking itself is a
    /// <see cref="RecommendationEngineException"/>.
    /// </summary>
    public async Task<RecommendationOutcome> RecommendAsync(RecommendationRequest request, CancellationToken ct)
    {
        var parsed = PreferencesParser.Parse(request.Body, ct);
        if (parsed.Preferences is not { } preferences)
        {
            return RecommendationOutcome.Refused(new RecommendationErrorBody(parsed.Error!, parsed.FieldErrors.Count > 0 ? parsed.FieldErrors : null));
        }

        var started = clock.GetTimestamp();
        var sessionId = request.SessionIdHeader is { Length: >= 1 and <= 64 } header ? header : preferences.SessionId;
        var serving = await experiments.ServeAsync(preferences.AnonymousId, sessionId, ct);
        var response = await SearchAsync(preferences, ct, serving);
        metrics?.Searched(clock.GetElapsedTime(started).TotalMilliseconds, response.PrimaryCount, response.RelaxedCount);
        // The request's span says which logged search it was, so a trace leads to its recommendation_requests row.
        System.Diagnostics.Activity.Current?.SetTag("smarttrip.request_id", response.RequestId.ToString());
        if (request.Log)
        {
            await LogAsync(sessionId, serving?.AnonymousId, preferences, response, started);
        }

        return RecommendationOutcome.Found(response);
    }

    /// <summary>
    /// Runs both tiers over the current catalogue and assembles the response (no logging), with the engine of the
    /// experiment's variant when one is served.
    /// </summary>
    public async Task<RecommendationResponse> SearchAsync(TripPreferences preferences, CancellationToken ct, ExperimentServing? serving = null)
    {
        var requestId = Guid.NewGuid();
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var snapshot = await catalog.GetAsync(today, ct);
        var by = serving?.Engine ?? engine;
        EngineResult result;
        ServedList served;
        try
        {
            result = Rank(preferences, snapshot.Data, today, by);
            (result, served) = serving?.Candidate is { } candidate
                ? Interleave(result, Rank(preferences, snapshot.Data, today, candidate))
                : Explore(result, serving);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            throw new RecommendationEngineException(exception);
        }

        var winners = result.Primary.Results.Concat(result.Relaxed).ToList();
        var occurrences = await snapshot.GetOccurrencesAsync(winners.Select(w => w.Trip.Id).ToList(), ct);
        var data = winners.Select((w, i) => new RecommendedOccurrence(occurrences[i].Occurrence, w, occurrences[i].Json)).ToList();
        return Assemble(requestId, preferences, result, snapshot.TotalTripsInDb(today), data, by.Options) with
        {
            Experiment = serving is { } s ? new ExperimentTag(s.Experiment.Id, s.Variant.Name) : null,
            Served = served,
        };
    }

    /// <summary>
    /// The control's and the candidate's rankings merged by team draft (docs/experiments.md §10): the recommended results
    /// first, then the relaxed ones, each position remembering the team that gave it.
    /// </summary>
    private static (EngineResult, ServedList) Interleave(EngineResult control, EngineResult candidate)
    {
        var draft = new TeamDraft<ScoredTrip>(t => t.Trip.Id, Random.Shared)
            .Draft(control.Primary.Results, candidate.Primary.Results, Math.Max(control.Primary.Results.Count, candidate.Primary.Results.Count));
        var recommended = draft.Items.Count;
        draft.Draft(control.Relaxed, candidate.Relaxed, Math.Max(
            control.Primary.Results.Count + control.Relaxed.Count, candidate.Primary.Results.Count + candidate.Relaxed.Count));
        var merged = new EngineResult(control.Primary with { Results = draft.Items.Take(recommended).ToList() }, draft.Items.Skip(recommended).ToList());
        return (merged, new ServedList(LoggingPolicy.Ranked, null, draft.Probability, 1, draft.Teams));
    }

    /// <summary>
    /// The list to show: the engine's ranking, changed by the randomised slice when the search falls in it
    /// (docs/experiments.md §7), with what the log must keep to reweight it later.
    /// </summary>
    private (EngineResult, ServedList) Explore(EngineResult result, ExperimentServing? serving)
    {
        var recommended = result.Primary.Results.Count;
        var policy = exploration.Value.PolicyFor(recommended > 0 ? recommended : result.Relaxed.Count);
        var allocation = serving is { } s ? s.Variant.Share / 100.0 : (double?)null;
        if (!policy.Randomises)
        {
            return (result, new ServedList(policy, null, 1, allocation));
        }

        // The change reaches no further than the first tier, so the shown list splits into the tiers where the ranking did.
        var ranked = result.Primary.Results.Concat(result.Relaxed).ToList();
        var order = policy.Draw(ranked.Count, Random.Shared);
        var shown = order.Select(i => ranked[i]).ToList();
        var changed = order.Where((rank, position) => rank != position).Any();
        var reordered = new EngineResult(result.Primary with { Results = shown.Take(recommended).ToList() }, shown.Skip(recommended).ToList());
        return (reordered, new ServedList(policy, changed ? ranked.Select(r => r.Trip.Id).ToArray() : null, policy.ListProbability(order), allocation));
    }

    /// <summary>Both tiers of a search over a catalogue, by the given engine (the replay of an experiment preview uses it too).</summary>
    public static EngineResult Rank(TripPreferences preferences, CatalogSnapshotData catalogue, DateOnly today, RecommendationEngine by) =>
        by.Recommend(new SearchContext(preferences, today, catalogue.PrivateTypeId), catalogue.Candidates, catalogue.ContinentBitByCountry);

    /// <summary>
    /// The response metadata of recommendation.md §8, with the thresholds of the engine that ranked the search (an
    /// experiment's variant may override them).
    /// </summary>
    public static RecommendationResponse Assemble(
        Guid requestId, TripPreferences preferences, EngineResult result, int totalTripsInDb, IReadOnlyList<RecommendedOccurrence> data,
        RecommendationOptions rankedBy)
    {
        var primaryCount = result.Primary.Results.Count;
        var relaxedCount = result.Relaxed.Count;
        return new RecommendationResponse
        {
            PrimaryCount = primaryCount,
            RelaxedCount = relaxedCount,
            Data = data,
            TotalCandidates = result.Primary.TotalCandidates,
            TotalTripsInDb = totalTripsInDb,
            ScoreThresholds = new ScoreThresholds(rankedBy.ScoreThresholdHigh, rankedBy.ScoreThresholdMid),
            ShowRefinementMessage = data.Count == 0 || data[0].MatchScore < rankedBy.ScoreThresholdHigh,
            RequestId = requestId,
            SearchType = preferences.SearchType,
            Message = data.Count == 0 ? EmptyMessage
                : relaxedCount > 0 ? $"Found {primaryCount} recommended trips + {relaxedCount} expanded results"
                : $"Found {primaryCount} recommended trips",
        };
    }

    private async Task LogAsync(string? sessionId, Guid? browser, TripPreferences preferences, RecommendationResponse response, long started)
    {
        try
        {
            var entry = RecommendationLogEntry.Create(
                response,
                preferences,
                sessionId,
                clock.GetUtcNow().UtcDateTime,
                (int)Math.Min(int.MaxValue, clock.GetElapsedTime(started).TotalMilliseconds),
                Options.AlgorithmVersion,
                browser);
            // A database that hangs must not hold the answer: past the check's timeout the row waits in the writer, which
            // stores it, or buffers it when the database turns out to be away.
            await requestLog.WriteAsync(entry).WaitAsync(TimeSpan.FromMilliseconds(Options.DatabaseCheckMilliseconds));
        }
        catch (TimeoutException)
        {
            logger.LogWarning("Recommendation request {RequestId}: its log row is still waiting for the database", response.RequestId);
        }
        catch (Exception exception)
        {
            // D14: a lost log row is an operator problem, never the traveller's.
            logger.LogError(exception, "Could not log recommendation request {RequestId}", response.RequestId);
        }
    }
}
