using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using SmartTrip.Core.Data;
using SmartTrip.Core.Recommendations;

namespace SmartTrip.Core.Experiments;

/// <summary>
/// What a search is served with: the running experiment, the browser's variant and that variant's engine; in an
/// interleaving experiment, the control's engine and the candidate's, whose rankings the search merges.
/// </summary>
public sealed record ExperimentServing(
    Experiment Experiment, Variant Variant, RecommendationEngine Engine, Guid? AnonymousId, RecommendationEngine? Candidate = null)
{
    /// <summary>The variant an interleaved search is logged under.</summary>
    public static readonly Variant Interleaved = new() { Name = "interleaved", Share = 100 };
}

/// <summary>Deterministic, sticky assignment of a browser to a variant (docs/experiments.md §2).</summary>
public static class ExperimentAssignment
{
    /// <summary>Buckets per percent of share.</summary>
    private const int BucketsPerPercent = 100;

    /// <summary>
    /// The browser's bucket in [0, 10 000): the first 8 bytes of SHA-256 over the experiment id (4 bytes, little-endian)
    /// and the browser's UUID (16 bytes, RFC 4122 order), modulo 10 000. The same on every machine, no table needed;
    /// another experiment id reshuffles everyone.
    /// </summary>
    public static int Bucket(int experimentId, Guid anonymousId)
    {
        Span<byte> input = stackalloc byte[20];
        BinaryPrimitives.WriteInt32LittleEndian(input, experimentId);
        anonymousId.TryWriteBytes(input[4..], bigEndian: true, out _);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input, hash);
        return (int)(BinaryPrimitives.ReadUInt64BigEndian(hash) % (100 * BucketsPerPercent));
    }

    /// <summary>The variant of a browser: buckets are dealt to the variants in order by their shares; no browser → control.</summary>
    public static Variant Assign(Experiment experiment, Guid? anonymousId)
    {
        if (anonymousId is not { } browser)
        {
            return experiment.Control;
        }

        var bucket = Bucket(experiment.Id, browser);
        var upper = 0;
        foreach (var variant in experiment.Variants)
        {
            upper += variant.Share * BucketsPerPercent;
            if (bucket < upper)
            {
                return variant;
            }
        }

        return experiment.Control; // shares add up to 100, so this is not reached
    }
}

/// <summary>
/// Serves the running experiment to the recommendations. The experiment is read at most once per catalogue refresh
/// interval (the same freshness as the catalogue), so starting or stopping one reaches every instance within that time;
/// when the database cannot be read, the last known state is kept (recommendations never fail for it). The browser is
/// the request's <c>anonymous_id</c>, else the one its session was started with.
/// </summary>
public sealed class ExperimentRouter(
    ExperimentStore store, NpgsqlDataSource dataSource, RecommendationOptions baseline, RecommendationEngine configured, TimeProvider clock,
    ILogger<ExperimentRouter> logger)
{
    private const int MaxRememberedSessions = 100_000;

    /// <summary>The running experiment as last read, when, and when the last read failed (null once one succeeds).</summary>
    private sealed record State(Experiment? Experiment, IReadOnlyDictionary<string, RecommendationEngine> Engines, long CheckedAt, long? FailedAt = null);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<Guid, Guid> _browserBySession = new();
    private volatile State? _state;

    /// <summary>The running experiment's variant for this search, or null (no experiment: the configured ranking).</summary>
    public async ValueTask<ExperimentServing?> ServeAsync(Guid? anonymousId, string? sessionId, CancellationToken ct)
    {
        var state = await CurrentAsync(ct);
        if (state.Experiment is not { } experiment)
        {
            return null;
        }

        var browser = anonymousId ?? await BrowserOfSessionAsync(sessionId, ct);
        if (experiment.Interleaves)
        {
            // Every search, with a browser or without, gets both rankings merged: the comparison is within the search.
            return new ExperimentServing(
                experiment, ExperimentServing.Interleaved, state.Engines[experiment.Control.Name], browser, state.Engines[experiment.Variants[1].Name]);
        }

        var variant = ExperimentAssignment.Assign(experiment, browser);
        return new ExperimentServing(experiment, variant, state.Engines[variant.Name], browser);
    }

    /// <summary>Forgets the cached experiment, so the next search reads it again (after a start or stop in process).</summary>
    public void Invalidate() => _state = null;

    private async ValueTask<State> CurrentAsync(CancellationToken ct)
    {
        var state = _state;
        if (state is not null && IsFresh(state))
        {
            return state;
        }

        // One search reads the database; the others go on with the last known experiment meanwhile.
        if (!await _gate.WaitAsync(0, ct))
        {
            if (state is not null)
            {
                return state;
            }

            await _gate.WaitAsync(ct);
        }

        try
        {
            state = _state;
            if (state is not null && IsFresh(state))
            {
                return state;
            }

            try
            {
                var running = await BoundedCheck.RunAsync(store.RunningAsync, TimeSpan.FromMilliseconds(baseline.DatabaseCheckMilliseconds), ct);
                var engines = running is null ? new Dictionary<string, RecommendationEngine>()
                    : state?.Experiment is { } known && known.Id == running.Id ? state.Engines
                    // A variant that overrides nothing (the control) is the configured ranking itself, the engine every
                    // search outside the experiment uses.
                    : running.Variants.ToDictionary(
                        v => v.Name, v => v.Overrides.Count == 0 ? configured : new RecommendationEngine(ExperimentRules.OptionsFor(baseline, v)));
                _state = new State(running, engines, clock.GetTimestamp());
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
            {
                logger.LogWarning(exception, "Could not read the running experiment; serving the last known one");
                _state = new State(state?.Experiment, state?.Engines ?? new Dictionary<string, RecommendationEngine>(), clock.GetTimestamp(), clock.GetTimestamp());
            }

            return _state;
        }
        finally
        {
            _gate.Release();
        }
    }

    private bool IsFresh(State state) =>
        clock.GetElapsedTime(state.CheckedAt).TotalMilliseconds < baseline.CatalogRefreshMilliseconds ||
        (state.FailedAt is { } failed && clock.GetElapsedTime(failed) < CatalogSnapshotCache.FailureBackoff);

    private async ValueTask<Guid?> BrowserOfSessionAsync(string? sessionId, CancellationToken ct)
    {
        if (!Guid.TryParse(sessionId, out var session))
        {
            return null;
        }

        if (_browserBySession.TryGetValue(session, out var known))
        {
            return known;
        }

        try
        {
            var browser = await BoundedCheck.RunAsync(async limit =>
            {
                await using var connection = await dataSource.OpenConnectionAsync(limit);
                return await connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition(
                    "SELECT anonymous_id FROM sessions WHERE session_id = @session", new { session }, cancellationToken: limit));
            }, TimeSpan.FromMilliseconds(baseline.DatabaseCheckMilliseconds), ct);
            if (browser is { } found)
            {
                if (_browserBySession.Count >= MaxRememberedSessions)
                {
                    _browserBySession.Clear();
                }

                _browserBySession[session] = found;
            }

            return browser;
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
        {
            return null; // the database is away: the search is served the control, unassigned
        }
    }
}
