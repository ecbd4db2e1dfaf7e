using System.Collections.Concurrent;
using System.Text.Json;
using SmartTrip.Core.Catalog;
using SmartTrip.Core.Data;
using SmartTrip.Core.Json;

namespace SmartTrip.Core.Recommendations;

/// <summary>A recommendable occurrence with its nested entities, and the same written as JSON.</summary>
public sealed record HydratedOccurrence(Occurrence Occurrence, byte[] Json);

/// <summary>
/// One catalogue version in memory: the narrow scoring rows of every recommendable occurrence, and the full
/// occurrences of the trips already returned at this version (loaded on first use, in one query per request).
/// </summary>
public sealed class CatalogSnapshot(CatalogSnapshotData data, RecommendationRepository repository)
{
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

    /// <summary>The full occurrences for the given ids, in that order, each with its wire-format JSON.</summary>
    public async Task<IReadOnlyList<HydratedOccurrence>> GetOccurrencesAsync(IReadOnlyList<int> ids, CancellationToken ct)
    {
        var missing = ids.Where(id => !_occurrences.ContainsKey(id)).ToList();
        if (missing.Count > 0)
        {
            foreach (var (id, occurrence) in await repository.HydrateAsync(missing, ct))
            {
                _occurrences.TryAdd(id, new HydratedOccurrence(occurrence, JsonSerializer.SerializeToUtf8Bytes(occurrence, SmartTripJson.Options)));
            }
        }

        return ids.Select(id => _occurrences.TryGetValue(id, out var occurrence)
            ? occurrence
            : throw new InvalidOperationException($"Occurrence {id} disappeared from the catalogue.")).ToList();
    }
}

/// <summary>
/// Keeps the current <see cref="CatalogSnapshot"/>. At most every <c>CatalogRefreshMilliseconds</c> a request
/// reads the catalogue version (one tiny query) and reloads the snapshot when it moved, so a catalogue change is
/// seen within that interval; 0 checks on every request.
/// </summary>
public sealed class CatalogSnapshotCache(RecommendationRepository repository, RecommendationOptions options, TimeProvider clock)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Entry? _current;

    public async ValueTask<CatalogSnapshot> GetAsync(DateOnly today, CancellationToken ct)
    {
        var current = _current;
        if (current is not null && IsFresh(current, today))
        {
            return current.Snapshot;
        }

        await _gate.WaitAsync(ct);
        try
        {
            current = _current;
            if (current is not null && IsFresh(current, today))
            {
                return current.Snapshot;
            }

            var checkedAt = clock.GetTimestamp();
            try
            {
                if (current is not null && current.Snapshot.Data.LoadedFor <= today &&
                    await repository.GetVersionAsync(ct) == current.Snapshot.Data.Version)
                {
                    _current = current with { CheckedAt = checkedAt };
                    return current.Snapshot;
                }

                var snapshot = new CatalogSnapshot(await repository.LoadSnapshotAsync(today, ct), repository);
                _current = new Entry(snapshot, checkedAt);
                return snapshot;
            }
            catch (Exception exception) when (current is not null && current.Snapshot.Data.LoadedFor <= today &&
                                              DatabaseErrors.IsUnavailable(exception))
            {
                // The database is away: go on with the catalogue already in memory (checked again after the refresh
                // interval). Its departures still pass the date rules of today, which the engine applies itself.
                _current = current with { CheckedAt = checkedAt };
                return current.Snapshot;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private bool IsFresh(Entry entry, DateOnly today) =>
        entry.Snapshot.Data.LoadedFor <= today &&
        options.CatalogRefreshMilliseconds > 0 &&
        clock.GetElapsedTime(entry.CheckedAt).TotalMilliseconds < options.CatalogRefreshMilliseconds;

    private sealed record Entry(CatalogSnapshot Snapshot, long CheckedAt);
}
