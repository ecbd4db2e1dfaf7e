using System.Security.Cryptography;
using Dapper;
using Npgsql;
using NpgsqlTypes;
using Parquet;
using Parquet.Serialization;

namespace SmartTrip.Core.Data.Archive;

/// <summary>What one Parquet file of an archived month holds.</summary>
public sealed record ArchivePart(string Name, long Rows, long Bytes, string Sha256, long FirstId, long LastId, decimal IdSum);

/// <summary>
/// One of the two partitioned logs as the archive sees it: how a month partition's rows are read in id order into
/// Parquet files, and how such a file is copied back into the table. Every column of the table is archived.
/// </summary>
public abstract class ArchivedTable
{
    public static readonly ArchivedTable Events = new EventsTable();
    public static readonly ArchivedTable Searches = new SearchesTable();
    public static readonly IReadOnlyList<ArchivedTable> All = [Events, Searches];

    private const CompressionMethod Compression = CompressionMethod.Zstd;

    /// <summary>The partitioned table (<c>events</c>, <c>recommendation_requests</c>).</summary>
    public abstract string Name { get; }

    public static ArchivedTable Parse(string name) =>
        All.FirstOrDefault(t => t.Name == name) ?? throw new ArgumentException($"Not an archived table: {name} (events or recommendation_requests).");

    /// <summary>
    /// Writes the partition's next rows after <paramref name="afterId"/> (at most <paramref name="maxRows"/>, in id
    /// order) to <paramref name="file"/> as Parquet, in row groups of <paramref name="rowGroupSize"/>; null when none are left.
    /// </summary>
    internal abstract Task<ArchivePart?> WritePartAsync(NpgsqlConnection db, string partition, string partName, long afterId, int maxRows,
        int rowGroupSize, FileStream file, CancellationToken ct);

    /// <summary>Copies the rows of one Parquet file into the table (they land in their month's partition); the rows copied.</summary>
    internal abstract Task<long> RestorePartAsync(NpgsqlConnection db, FileStream file, CancellationToken ct);

    /// <summary>The SHA-256 of a file, lower-case hex.</summary>
    internal static async Task<string> Sha256Async(Stream stream, CancellationToken ct)
    {
        stream.Position = 0;
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
    }

    private abstract class Table<TRow> : ArchivedTable where TRow : class, new()
    {
        protected abstract string SelectList { get; }
        protected abstract string CopyColumns { get; }
        protected abstract long IdOf(TRow row);
        protected abstract Task WriteAsync(NpgsqlBinaryImporter copy, TRow row, CancellationToken ct);

        internal override async Task<ArchivePart?> WritePartAsync(NpgsqlConnection db, string partition, string partName, long afterId,
            int maxRows, int rowGroupSize, FileStream file, CancellationToken ct)
        {
            file.SetLength(0);
            var rows = db.QueryUnbufferedAsync<TRow>(
                $"SELECT {SelectList} FROM {partition} WHERE id > @afterId ORDER BY id LIMIT @maxRows", new { afterId, maxRows });
            var group = new List<TRow>(Math.Min(rowGroupSize, maxRows));
            long count = 0, firstId = 0, lastId = 0;
            decimal idSum = 0;
            await foreach (var row in rows.WithCancellation(ct))
            {
                var id = IdOf(row);
                firstId = count == 0 ? id : firstId;
                lastId = id;
                idSum += id;
                count++;
                group.Add(row);
                if (group.Count == rowGroupSize)
                {
                    await FlushAsync(group, file, count > group.Count, ct);
                }
            }

            if (group.Count > 0)
            {
                await FlushAsync(group, file, count > group.Count, ct);
            }

            if (count == 0)
            {
                return null;
            }

            await file.FlushAsync(ct);
            return new ArchivePart(partName, count, file.Length, await Sha256Async(file, ct), firstId, lastId, idSum);
        }

        private static async Task FlushAsync(List<TRow> group, FileStream file, bool append, CancellationToken ct)
        {
            var options = new ParquetOptions { CompressionMethod = Compression, Append = append, RowGroupSize = group.Count };
            await ParquetSerializer.SerializeAsync(group, file, options, cancellationToken: ct);
            group.Clear();
        }

        internal override async Task<long> RestorePartAsync(NpgsqlConnection db, FileStream file, CancellationToken ct)
        {
            file.Position = 0;
            int groups;
            await using (var reader = await ParquetReader.CreateAsync(file, leaveStreamOpen: true, cancellationToken: ct))
            {
                groups = reader.RowGroupCount;
            }

            long copied = 0;
            await using var copy = await db.BeginBinaryImportAsync($"COPY {Name} ({CopyColumns}) FROM STDIN (FORMAT BINARY)", ct);
            for (var g = 0; g < groups; g++)
            {
                file.Position = 0;
                var result = await ParquetSerializer.DeserializeAsync<TRow>(file, rowGroupIndex: g, cancellationToken: ct);
                await RestoreEmptyTextListsAsync(file, g, result.Data, ct);
                foreach (var row in result.Data)
                {
                    await copy.StartRowAsync(ct);
                    await WriteAsync(copy, row, ct);
                    copied++;
                }
            }

            await copy.CompleteAsync(ct);
            return copied;
        }
    }

    /// <summary>The text-list columns of a row type, with how to set an empty list on a row.</summary>
    private protected virtual IReadOnlyList<(string Column, Action<object> SetEmpty, Func<object, bool> IsNull)> TextLists => [];

    /// <summary>
    /// The class deserialiser reads an empty list of strings as null (lists of numbers it keeps), while the file tells
    /// them apart: a row's first definition level is 0 for a null list and above 0 for a list, empty or not. This
    /// sets those rows' lists back to empty.
    /// </summary>
    private async Task RestoreEmptyTextListsAsync<TRow>(FileStream file, int rowGroup, IList<TRow> rows, CancellationToken ct)
    {
        if (TextLists.Count == 0)
        {
            return;
        }

        file.Position = 0;
        await using var reader = await ParquetReader.CreateAsync(file, leaveStreamOpen: true, cancellationToken: ct);
        using var group = reader.OpenRowGroupReader(rowGroup);
        foreach (var (column, setEmpty, isNull) in TextLists)
        {
            var field = reader.Schema.GetDataFields().Single(f => f.Path.ToString().StartsWith(column + "/", StringComparison.Ordinal));
            var raw = await group.ReadRawColumnDataBaseAsync(field, ct);
            var definition = raw.DefinitionLevels.ToArray();
            var repetition = raw.RepetitionLevels.ToArray();
            var row = -1;
            for (var i = 0; i < definition.Length; i++)
            {
                if (repetition[i] != 0)
                {
                    continue;
                }

                row++;
                if (definition[i] > 0 && isNull(rows[row]!))
                {
                    setEmpty(rows[row]!);
                }
            }
        }
    }

    private static Task Value<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken ct) where T : class =>
        value is null ? copy.WriteNullAsync(ct) : copy.WriteAsync(value, type, ct);

    private static Task Value<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken ct) where T : struct =>
        value is { } v ? copy.WriteAsync(v, type, ct) : copy.WriteNullAsync(ct);

    private sealed class EventsTable : Table<EventArchiveRow>
    {
        public override string Name => "events";

        protected override string SelectList =>
            """
            id, event_id, user_id, session_id, anonymous_id, event_type_id, trip_id, recommendation_request_id, source,
            event_data::text AS event_data, position_in_results, score_at_time, "timestamp", client_timestamp, page_url, referrer, created_at
            """;

        protected override string CopyColumns =>
            """
            id, event_id, user_id, session_id, anonymous_id, event_type_id, trip_id, recommendation_request_id, source,
            event_data, position_in_results, score_at_time, "timestamp", client_timestamp, page_url, referrer, created_at
            """;

        protected override long IdOf(EventArchiveRow row) => row.Id;

        protected override async Task WriteAsync(NpgsqlBinaryImporter copy, EventArchiveRow row, CancellationToken ct)
        {
            await copy.WriteAsync(row.Id, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(row.EventId, NpgsqlDbType.Uuid, ct);
            await Value(copy, row.UserId, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(row.SessionId, NpgsqlDbType.Uuid, ct);
            await copy.WriteAsync(row.AnonymousId, NpgsqlDbType.Uuid, ct);
            await copy.WriteAsync(row.EventTypeId, NpgsqlDbType.Integer, ct);
            await Value(copy, row.TripId, NpgsqlDbType.Integer, ct);
            await Value(copy, row.RecommendationRequestId, NpgsqlDbType.Uuid, ct);
            await Value(copy, row.Source, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(row.EventData, NpgsqlDbType.Jsonb, ct);
            await Value(copy, row.PositionInResults, NpgsqlDbType.Integer, ct);
            await Value(copy, row.ScoreAtTime, NpgsqlDbType.Numeric, ct);
            await copy.WriteAsync(row.Timestamp, NpgsqlDbType.TimestampTz, ct);
            await Value(copy, row.ClientTimestamp, NpgsqlDbType.TimestampTz, ct);
            await Value(copy, row.PageUrl, NpgsqlDbType.Text, ct);
            await Value(copy, row.Referrer, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(row.CreatedAt, NpgsqlDbType.TimestampTz, ct);
        }
    }

    private sealed class SearchesTable : Table<SearchArchiveRow>
    {
        private const string Columns =
            """
            id, request_id, session_id, user_id, created_at, preferences, selected_countries, selected_continents, preferred_type_id,
            preferred_theme_ids, min_duration, max_duration, budget, difficulty, year, month, response_time_ms, total_candidates,
            primary_count, relaxed_count, final_count, has_relaxed_results, has_no_results, top_score, avg_score, min_score,
            score_std_dev, result_trip_ids, result_scores, algorithm_version, search_type, experiment_id, variant, anonymous_id,
            ranked_trip_ids, exploration, exploration_share, exploration_depth, list_propensity, allocation_probability, teams
            """;

        public override string Name => "recommendation_requests";

        protected override string SelectList => Columns.Replace("preferences,", "preferences::text AS preferences,", StringComparison.Ordinal);

        protected override string CopyColumns => Columns;

        protected override long IdOf(SearchArchiveRow row) => row.Id;

        private protected override IReadOnlyList<(string Column, Action<object> SetEmpty, Func<object, bool> IsNull)> TextLists =>
            [("selected_continents", r => ((SearchArchiveRow)r).SelectedContinents = [], r => ((SearchArchiveRow)r).SelectedContinents is null)];

        protected override async Task WriteAsync(NpgsqlBinaryImporter copy, SearchArchiveRow row, CancellationToken ct)
        {
            await copy.WriteAsync(row.Id, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(row.RequestId, NpgsqlDbType.Uuid, ct);
            await Value(copy, row.SessionId, NpgsqlDbType.Varchar, ct);
            await Value(copy, row.UserId, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(row.CreatedAt, NpgsqlDbType.TimestampTz, ct);
            await copy.WriteAsync(row.Preferences, NpgsqlDbType.Jsonb, ct);
            await Value(copy, row.SelectedCountries, NpgsqlDbType.Array | NpgsqlDbType.Integer, ct);
            await Value(copy, row.SelectedContinents, NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
            await Value(copy, row.PreferredTypeId, NpgsqlDbType.Integer, ct);
            await Value(copy, row.PreferredThemeIds, NpgsqlDbType.Array | NpgsqlDbType.Integer, ct);
            await Value(copy, row.MinDuration, NpgsqlDbType.Integer, ct);
            await Value(copy, row.MaxDuration, NpgsqlDbType.Integer, ct);
            await Value(copy, row.Budget, NpgsqlDbType.Numeric, ct);
            await Value(copy, row.Difficulty, NpgsqlDbType.Integer, ct);
            await Value(copy, row.Year, NpgsqlDbType.Text, ct);
            await Value(copy, row.Month, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(row.ResponseTimeMs, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(row.TotalCandidates, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(row.PrimaryCount, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(row.RelaxedCount, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(row.FinalCount, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(row.HasRelaxedResults, NpgsqlDbType.Boolean, ct);
            await copy.WriteAsync(row.HasNoResults, NpgsqlDbType.Boolean, ct);
            await Value(copy, row.TopScore, NpgsqlDbType.Numeric, ct);
            await Value(copy, row.AvgScore, NpgsqlDbType.Numeric, ct);
            await Value(copy, row.MinScore, NpgsqlDbType.Numeric, ct);
            await Value(copy, row.ScoreStdDev, NpgsqlDbType.Numeric, ct);
            await copy.WriteAsync(row.ResultTripIds, NpgsqlDbType.Array | NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(row.ResultScores, NpgsqlDbType.Array | NpgsqlDbType.Numeric, ct);
            await copy.WriteAsync(row.AlgorithmVersion, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(row.SearchType, NpgsqlDbType.Varchar, ct);
            await Value(copy, row.ExperimentId, NpgsqlDbType.Integer, ct);
            await Value(copy, row.Variant, NpgsqlDbType.Varchar, ct);
            await Value(copy, row.AnonymousId, NpgsqlDbType.Uuid, ct);
            await Value(copy, row.RankedTripIds, NpgsqlDbType.Array | NpgsqlDbType.Integer, ct);
            await Value(copy, row.Exploration, NpgsqlDbType.Text, ct);
            await Value(copy, row.ExplorationShare, NpgsqlDbType.Real, ct);
            await Value(copy, row.ExplorationDepth, NpgsqlDbType.Smallint, ct);
            await Value(copy, row.ListPropensity, NpgsqlDbType.Double, ct);
            await Value(copy, row.AllocationProbability, NpgsqlDbType.Real, ct);
            await Value(copy, row.Teams, NpgsqlDbType.Text, ct);
        }
    }
}
