using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Npgsql;
using SmartTrip.Core.Data;
using SmartTrip.Core.Wire;

namespace SmartTrip.Core.Recommendations;

/// <summary>One <c>recommendation_requests</c> row (recommendation.md §10, schema.md §4.1).</summary>
public sealed record RecommendationLogEntry
{
    public required Guid RequestId { get; init; }
    public string? SessionId { get; init; }
    public required DateTime CreatedAt { get; init; }
    public required string Preferences { get; init; }
    public required int[] SelectedCountries { get; init; }
    public required string[] SelectedContinents { get; init; }
    public int? PreferredTypeId { get; init; }
    public required int[] PreferredThemeIds { get; init; }
    public int? MinDuration { get; init; }
    public int? MaxDuration { get; init; }
    public decimal? Budget { get; init; }
    public int? Difficulty { get; init; }
    public string? Year { get; init; }
    public string? Month { get; init; }
    public required int ResponseTimeMs { get; init; }
    public required int TotalCandidates { get; init; }
    public required int PrimaryCount { get; init; }
    public required int RelaxedCount { get; init; }
    public int FinalCount => PrimaryCount + RelaxedCount;
    public bool HasRelaxedResults => RelaxedCount > 0;
    public bool HasNoResults => FinalCount == 0;
    public decimal? TopScore { get; init; }
    public decimal? AvgScore { get; init; }
    public decimal? MinScore { get; init; }
    public decimal? ScoreStdDev { get; init; }
    public required int[] ResultTripIds { get; init; }
    public required decimal[] ResultScores { get; init; }
    public required string AlgorithmVersion { get; init; }
    public required string SearchType { get; init; }
    public int? ExperimentId { get; init; }
    public string? Variant { get; init; }
    public Guid? AnonymousId { get; init; }
    public int[]? RankedTripIds { get; init; }
    public string? Exploration { get; init; }
    public float? ExplorationShare { get; init; }
    public short? ExplorationDepth { get; init; }
    public double? ListPropensity { get; init; }
    public float? AllocationProbability { get; init; }
    public string? Teams { get; init; }

    /// <summary>The largest magnitude NUMERIC(10,2) holds.</summary>
    private const decimal BudgetLimit = 99_999_999.99m;

    /// <summary>Builds the row for an answered request.</summary>
    public static RecommendationLogEntry Create(
        RecommendationResponse response, TripPreferences preferences, string? sessionId,
        DateTime createdAt, int responseTimeMs, string algorithmVersion, Guid? browser = null)
    {
        var scores = response.Data.Select(d => d.MatchScore).ToArray();
        var budget = preferences.BudgetDecimal is { } exact ? Math.Round(exact, 2, MidpointRounding.ToEven) : (decimal?)null;
        return new RecommendationLogEntry
        {
            RequestId = response.RequestId,
            SessionId = sessionId,
            CreatedAt = createdAt,
            Preferences = preferences.ToLogJson(),
            SelectedCountries = [.. preferences.SelectedCountries],
            SelectedContinents = [.. preferences.SelectedContinents],
            PreferredTypeId = preferences.PreferredTypeId,
            PreferredThemeIds = [.. preferences.PreferredThemeIds],
            MinDuration = preferences.MinDurationGiven,
            MaxDuration = preferences.MaxDurationGiven,
            Budget = budget is { } b && Math.Abs(b) <= BudgetLimit ? b : null,
            Difficulty = preferences.Difficulty,
            Year = preferences.YearText,
            Month = preferences.MonthText,
            ResponseTimeMs = responseTimeMs,
            TotalCandidates = response.TotalCandidates,
            PrimaryCount = response.PrimaryCount,
            RelaxedCount = response.RelaxedCount,
            TopScore = scores.Length == 0 ? null : scores.Max(),
            AvgScore = scores.Length == 0 ? null : Round((decimal)scores.Sum() / scores.Length),
            MinScore = scores.Length == 0 ? null : scores.Min(),
            ScoreStdDev = SampleStandardDeviation(scores),
            ResultTripIds = response.Data.Select(d => d.Id).ToArray(),
            ResultScores = scores.Select(s => (decimal)s).ToArray(),
            AlgorithmVersion = algorithmVersion,
            SearchType = response.SearchType,
            ExperimentId = response.Experiment?.Id,
            Variant = response.Experiment?.Variant,
            AnonymousId = browser,
            RankedTripIds = response.Served?.RankedTripIds,
            Exploration = response.Served?.Policy is { Randomises: true } policy ? policy.Kind.ToString().ToLowerInvariant() : null,
            ExplorationShare = response.Served?.Policy is { Randomises: true } shared ? (float)shared.Share : null,
            ExplorationDepth = response.Served?.Policy is { Randomises: true } deep ? (short)deep.Depth : null,
            ListPropensity = response.Served?.ListProbability,
            AllocationProbability = (float?)response.Served?.AllocationProbability,
            Teams = response.Served?.Teams,
        };
    }

    /// <summary>Sample standard deviation (divisor n − 1); 0.00 for one score, null for none.</summary>
    internal static decimal? SampleStandardDeviation(IReadOnlyList<int> scores)
    {
        if (scores.Count == 0)
        {
            return null;
        }

        if (scores.Count == 1)
        {
            return 0.00m;
        }

        var mean = scores.Average();
        var squares = scores.Sum(s => (s - mean) * (s - mean));
        return Round((decimal)Math.Sqrt(squares / (scores.Count - 1)));
    }

    private static decimal Round(decimal value) => Math.Round(value, 2, MidpointRounding.ToEven);
}

/// <summary>What the request log holds back: rows waiting for the database, and rows it had no room for.</summary>
public sealed record RequestLogBacklog(int Buffered, long Dropped);

/// <summary>
/// Writes the request log. Rows from concurrent requests are written together: each caller waits until its own
/// row is stored (so it is written before the response is sent), and a busy server sends one INSERT per batch of
/// rows instead of one per request. A batch that fails is retried row by row, so one bad row loses only itself.
/// While the database cannot be reached, rows wait in a bounded buffer (<see cref="Capacity"/>) and the callers go on
/// at once; the buffer is written, oldest first, as soon as the database answers again. A row that finds the buffer
/// full is dropped and counted (<see cref="Backlog"/>, reported by health), never silently.
/// </summary>
public sealed class RecommendationRequestLog : IAsyncDisposable
{
    private const int MaxBatch = 256;

    /// <summary>The most rows held while the database is away (about 2 KB each).</summary>
    public const int Capacity = 50_000;

    /// <summary>
    /// The most bytes those rows may take (as estimated by <see cref="EstimatedBytes"/>): searches with long preference
    /// lists make bigger rows, and the buffer must not grow with them.
    /// </summary>
    public const long MaxBufferedBytes = 64L * 1024 * 1024;

    /// <summary>The most rows waiting for the writer while the database answers; a row beyond is dropped and counted.</summary>
    public const int PendingCapacity = 10_000;

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private const string InsertSql = """
        INSERT INTO recommendation_requests (
            request_id, session_id, user_id, created_at, preferences, selected_countries, selected_continents,
            preferred_type_id, preferred_theme_ids, min_duration, max_duration, budget, difficulty, year, month,
            response_time_ms, total_candidates, primary_count, relaxed_count, final_count, has_relaxed_results,
            has_no_results, top_score, avg_score, min_score, score_std_dev, result_trip_ids, result_scores,
            algorithm_version, search_type, experiment_id, variant, anonymous_id, ranked_trip_ids, exploration,
            exploration_share, exploration_depth, list_propensity, allocation_probability, teams)
        SELECT r.request_id, r.session_id, NULL, r.created_at, r.preferences::jsonb, r.selected_countries,
               r.selected_continents, r.preferred_type_id, r.preferred_theme_ids, r.min_duration, r.max_duration,
               r.budget, r.difficulty, r.year, r.month, r.response_time_ms, r.total_candidates, r.primary_count,
               r.relaxed_count, r.final_count, r.has_relaxed_results, r.has_no_results, r.top_score, r.avg_score,
               r.min_score, r.score_std_dev, r.result_trip_ids, r.result_scores, r.algorithm_version, r.search_type,
               r.experiment_id, r.variant, r.anonymous_id, r.ranked_trip_ids, r.exploration, r.exploration_share,
               r.exploration_depth, r.list_propensity, r.allocation_probability, r.teams
          FROM jsonb_to_recordset(@rows::jsonb) AS r(
               request_id UUID, session_id TEXT, created_at TIMESTAMPTZ, preferences TEXT, selected_countries INTEGER[],
               selected_continents TEXT[], preferred_type_id INTEGER, preferred_theme_ids INTEGER[], min_duration INTEGER,
               max_duration INTEGER, budget NUMERIC, difficulty INTEGER, year TEXT, month TEXT, response_time_ms INTEGER,
               total_candidates INTEGER, primary_count INTEGER, relaxed_count INTEGER, final_count INTEGER,
               has_relaxed_results BOOLEAN, has_no_results BOOLEAN, top_score NUMERIC, avg_score NUMERIC,
               min_score NUMERIC, score_std_dev NUMERIC, result_trip_ids INTEGER[], result_scores NUMERIC[],
               algorithm_version TEXT, search_type TEXT, experiment_id INTEGER, variant TEXT, anonymous_id UUID,
               ranked_trip_ids INTEGER[], exploration TEXT, exploration_share REAL, exploration_depth SMALLINT,
               list_propensity DOUBLE PRECISION, allocation_probability REAL, teams TEXT)
        """;

    // A key left out is NULL to jsonb_to_recordset: the columns a search does not use (experiment, exploration) cost no bytes.
    private static readonly JsonSerializerOptions RowJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly NpgsqlDataSource _dataSource;
    private readonly Channel<Pending> _pending = Channel.CreateBounded<Pending>(
        new BoundedChannelOptions(PendingCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly ConcurrentQueue<RecommendationLogEntry> _buffered = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _writer;
    private readonly Task _flusher;
    private int _bufferedCount;
    private long _bufferedBytes;
    private long _dropped;

    public RecommendationRequestLog(NpgsqlDataSource dataSource, Telemetry.SmartTripMetrics? metrics = null)
    {
        _dataSource = dataSource;
        metrics?.ObserveRequestLogDepth(() => Volatile.Read(ref _bufferedCount));
        _writer = Task.Run(WriteLoopAsync);
        _flusher = Task.Run(FlushLoopAsync);
    }

    public RequestLogBacklog Backlog => new(Volatile.Read(ref _bufferedCount), Interlocked.Read(ref _dropped));

    /// <summary>The estimated bytes of the rows waiting in the buffer (at most <see cref="MaxBufferedBytes"/>).</summary>
    public long BufferedBytes => Interlocked.Read(ref _bufferedBytes);

    /// <summary>Completes when the row is stored; fails when it could not be.</summary>
    public Task WriteAsync(RecommendationLogEntry entry)
    {
        var pending = new Pending(entry, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_pending.Writer.TryWrite(pending))
        {
            ObjectDisposedException.ThrowIf(_pending.Reader.Completion.IsCompleted, this);
            Interlocked.Increment(ref _dropped); // a flood the writer cannot keep up with: counted, as health reports
            return Task.CompletedTask;
        }

        return pending.Stored.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _writer;
        await _stopping.CancelAsync();
        await _flusher;
        _stopping.Dispose();
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _pending.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _pending.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            try
            {
                await InsertAsync(batch.Select(p => p.Entry).ToList());
                batch.ForEach(p => p.Stored.TrySetResult());
            }
            catch (Exception exception) when (DatabaseErrors.IsUnavailable(exception))
            {
                foreach (var pending in batch)
                {
                    Buffer(pending.Entry);
                    pending.Stored.TrySetResult(); // kept for later: the answer need not wait for the database
                }
            }
            catch (Exception) when (batch.Count > 1)
            {
                foreach (var single in batch)
                {
                    await InsertOneAsync(single);
                }
            }
            catch (Exception exception)
            {
                batch[0].Stored.TrySetException(exception);
            }
        }
    }

    private async Task InsertOneAsync(Pending pending)
    {
        try
        {
            await InsertAsync([pending.Entry]);
            pending.Stored.TrySetResult();
        }
        catch (Exception exception) when (DatabaseErrors.IsUnavailable(exception))
        {
            Buffer(pending.Entry);
            pending.Stored.TrySetResult();
        }
        catch (Exception exception)
        {
            pending.Stored.TrySetException(exception);
        }
    }

    private void Buffer(RecommendationLogEntry entry)
    {
        var bytes = EstimatedBytes(entry);
        if (Interlocked.Increment(ref _bufferedCount) > Capacity || Interlocked.Add(ref _bufferedBytes, bytes) > MaxBufferedBytes)
        {
            Interlocked.Decrement(ref _bufferedCount);
            Interlocked.Add(ref _bufferedBytes, -bytes);
            Interlocked.Increment(ref _dropped);
            return;
        }

        _buffered.Enqueue(entry);
    }

    /// <summary>What a row holds in memory, roughly: its strings (two bytes a character), arrays and fixed fields.</summary>
    public static long EstimatedBytes(RecommendationLogEntry entry) =>
        512L
        + 2L * (entry.Preferences.Length + (entry.SessionId?.Length ?? 0) + entry.SelectedContinents.Sum(c => c.Length + 12))
        + 4L * (entry.SelectedCountries.Length + entry.PreferredThemeIds.Length + entry.ResultTripIds.Length)
        + 16L * entry.ResultScores.Length;

    /// <summary>Writes the buffered rows once the database answers again, a batch at a time, oldest first.</summary>
    private async Task FlushLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(RetryDelay, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            while (!_buffered.IsEmpty)
            {
                var batch = new List<RecommendationLogEntry>(MaxBatch);
                foreach (var entry in _buffered)
                {
                    batch.Add(entry);
                    if (batch.Count == MaxBatch)
                    {
                        break;
                    }
                }

                try
                {
                    await InsertAsync(batch);
                }
                catch (Exception exception) when (DatabaseErrors.IsUnavailable(exception))
                {
                    break; // still away: try again later
                }
                catch (Exception)
                {
                    // A row the database refuses would block the rest: write them one by one, dropping (and counting)
                    // only what cannot be stored.
                    foreach (var entry in batch)
                    {
                        try
                        {
                            await InsertAsync([entry]);
                        }
                        catch (Exception single) when (!DatabaseErrors.IsUnavailable(single))
                        {
                            Interlocked.Increment(ref _dropped);
                        }
                    }
                }

                for (var i = 0; i < batch.Count && _buffered.TryDequeue(out var written); i++)
                {
                    Interlocked.Decrement(ref _bufferedCount);
                    Interlocked.Add(ref _bufferedBytes, -EstimatedBytes(written));
                }
            }
        }
    }

    private async Task InsertAsync(IReadOnlyList<RecommendationLogEntry> rows)
    {
        var json = JsonSerializer.Serialize(rows, RowJson);
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(InsertSql, connection);
        command.Parameters.Add(new NpgsqlParameter<string>("rows", json));
        await command.ExecuteNonQueryAsync();
    }

    private sealed record Pending(RecommendationLogEntry Entry, TaskCompletionSource Stored);
}
