using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using SmartTrip.Core.Catalog;
using SmartTrip.Core.Data;
using SmartTrip.Core.Json;

namespace SmartTrip.Core.Recommendations;

/// <summary>A recommendable occurrence with its nested entities, and the same written as JSON.</summary>
public sealed record HydratedOccurrence(Occurrence Occurrence, byte[] Json);

/// <summary>
/// One catalogue version in memory: the narrow scoring rows of every recommendable occurrence, and their full
/// occurrences, loaded on first use (one query per request for the winners it lacks) and all of them in the background
/// once the snapshot is made (<see cref="WarmAsync"/>), so that a search can still be answered while the database is away.
/// </summary>
public sealed class CatalogSnapshot(CatalogSnapshotData data, RecommendationRepository repository)
{
    /// <summary>How many occurrences one warming query loads.</summary>
    public const int WarmChunk = 250;

    private readonly ConcurrentDictionary<int, HydratedOccurrence> _occurrences = new();
    private (DateOnly Day, int Count) _bookable = (DateOnly.MinValue, -1);

    public CatalogSnapshotData Data { get; } = data;

    /// <summary><c>total_trips_in_db</c> for a day (recommendation.md §8).</summary>
    public int TotalTripsInDb(DateOnly today)
    {
        var cached = _bookable;
        if (cached.Day == today && cached.Count >= 0)
        {
            return cached.Count;
        }

        var count = Data.Candidates.Count(c => RecommendationEngine.IsBookable(c, today));
        _bookable = (today, count);
        return count;
    }

    /// <summary>How many of the candidates are held in full (all of them once warming has finished).</summary>
    public int HydratedCount => _occurrences.Count;

    /// <summary>The full occurrences for the given ids, in that order, each with its wire-format JSON.</summary>
    public async Task<IReadOnlyList<HydratedOccurrence>> GetOccurrencesAsync(IReadOnlyList<int> ids, CancellationToken ct)
    {
        await HydrateAsync(ids.Where(id => !_occurrences.ContainsKey(id)).ToList(), ct);
        return ids.Select(id => _occurrences.TryGetValue(id, out var occurrence)
            ? occurrence
            : throw new InvalidOperationException($"Occurrence {id} disappeared from the catalogue.")).ToList();
    }

    /// <summary>Loads every candidate not yet held, <see cref="WarmChunk"/> at a time.</summary>
    public async Task WarmAsync(CancellationToken ct)
    {
        foreach (var chunk in Data.Candidates.Select(c => c.Id).Where(id => !_occurrences.ContainsKey(id)).Chunk(WarmChunk))
        {
            await HydrateAsync(chunk, ct);
        }
    }

    private async Task HydrateAsync(IReadOnlyCollection<int> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return;
        }

        foreach (var (id, occurrence) in await repository.HydrateAsync(ids, ct))
        {
            _occurrences.TryAdd(id, new HydratedOccurrence(occurrence, JsonSerializer.SerializeToUtf8Bytes(occurrence, SmartTripJson.Options)));
        }
    }
}

/// <summary>
/// Keeps the current <see cref="CatalogSnapshot"/>. At most every <c>CatalogRefreshMilliseconds</c> a request
/// reads the catalogue version (one tiny query) and reloads the snapshot when it moved, so a catalogue change is
/// seen within that interval; 0 checks on every request.
/// </summary>
public sealed class CatalogSnapshotCache(
    RecommendationRepository repository, RecommendationOptions options, TimeProvider clock, ILogger<CatalogSnapshotCache> logger,
    Telemetry.SmartTripMetrics? metrics = null)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Entry? _current;

    public async ValueTask<CatalogSnapshot> GetAsync(DateOnly today, CancellationToken ct)
    {
        var current = _current;
        if (current is not null && (IsFresh(current, today) || FailedRecently(current, today)))
        {
            return current.Snapshot;
        }

        // One request checks the database; the others go on with the catalogue in memory meanwhile, so a database that
        // hangs holds up one search, not every search behind it.
        if (!await _gate.WaitAsync(0, ct))
        {
            if (current is not null && current.Snapshot.Data.LoadedFor <= today && !IsTooStale(current))
            {
                return current.Snapshot;
            }

            await _gate.WaitAsync(ct);
        }

        try
        {
            current = _current;
            if (current is not null && IsFresh(current, today))
            {
                return current.Snapshot;
            }

            var checkedAt = clock.GetTimestamp();
            var timeout = TimeSpan.FromMilliseconds(options.DatabaseCheckMilliseconds);
            try
            {
                if (current is not null && current.Snapshot.Data.LoadedFor <= today &&
                    await BoundedCheck.RunAsync(repository.GetVersionAsync, timeout, ct) == current.Snapshot.Data.Version)
                {
                    _current = current with { CheckedAt = checkedAt, ConfirmedAt = checkedAt, FailedAt = null };
                    return current.Snapshot;
                }

                var snapshot = new CatalogSnapshot(await repository.LoadSnapshotAsync(today, ct), repository);
                metrics?.CatalogReloaded();
                _current = new Entry(snapshot, checkedAt, checkedAt);
                _ = Task.Run(() => WarmAsync(snapshot), CancellationToken.None); // reports its own failure
                return snapshot;
            }
            catch (Exception exception) when (current is not null && current.Snapshot.Data.LoadedFor <= today &&
                                              DatabaseErrors.IsUnavailable(exception) && !IsTooStale(current))
            {
                // The database is away: go on with the catalogue already in memory (checked again after the refresh
                // interval) until it is CatalogMaxStaleSeconds old. Its departures still pass the date rules of today,
                // which the engine applies itself.
                logger.LogWarning("Catalogue check failed ({Reason}); serving version {Version} from memory", exception.GetType().Name,
                    current.Snapshot.Data.Version);
                _current = current with { CheckedAt = checkedAt, FailedAt = clock.GetTimestamp() };
                return current.Snapshot;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The snapshot in use, or null before the first search.</summary>
    public CatalogSnapshot? Current => _current?.Snapshot;

    private async Task WarmAsync(CatalogSnapshot snapshot)
    {
        try
        {
            await snapshot.WarmAsync(CancellationToken.None);
            logger.LogInformation("Catalogue version {Version}: {Count} occurrences held in full", snapshot.Data.Version, snapshot.HydratedCount);
        }
        catch (Exception exception)
        {
            // Only the outage fallback loses by this: searches still load the winners they lack themselves.
            logger.LogWarning(exception, "Catalogue version {Version}: warming stopped at {Count} of {Total} occurrences",
                snapshot.Data.Version, snapshot.HydratedCount, snapshot.Data.Candidates.Count);
        }
    }

    private bool IsFresh(Entry entry, DateOnly today) =>
        entry.Snapshot.Data.LoadedFor <= today &&
        options.CatalogRefreshMilliseconds > 0 &&
        clock.GetElapsedTime(entry.CheckedAt).TotalMilliseconds < options.CatalogRefreshMilliseconds;

    /// <summary>Whether the database last confirmed this catalogue more than <c>CatalogMaxStaleSeconds</c> ago.</summary>
    private bool IsTooStale(Entry entry) => clock.GetElapsedTime(entry.ConfirmedAt).TotalSeconds > options.CatalogMaxStaleSeconds;

    /// <summary>How long after a failed check searches go on from memory without checking again.</summary>
    public static readonly TimeSpan FailureBackoff = TimeSpan.FromSeconds(1);

    /// <summary>Whether the last check failed less than <see cref="FailureBackoff"/> ago (and the catalogue may still serve).</summary>
    private bool FailedRecently(Entry entry, DateOnly today) =>
        entry.FailedAt is { } failed && clock.GetElapsedTime(failed) < FailureBackoff && entry.Snapshot.Data.LoadedFor <= today && !IsTooStale(entry);

    /// <summary>
    /// The catalogue, when it was last checked against the database, when the database last confirmed it, and when the
    /// last check failed (null once one succeeds).
    /// </summary>
    private sealed record Entry(CatalogSnapshot Snapshot, long CheckedAt, long ConfirmedAt, long? FailedAt = null);
}
