using System.Globalization;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace SmartTrip.Core.Data;

/// <summary>What one table's seeding did.</summary>
public sealed record SeededTable(string Table, int Rows, int Inserted, int Updated);

/// <summary>
/// Loads the catalogue data set (CSV files written by PostgreSQL COPY) and the evaluation personas.
/// Everything happens in one transaction: each file is streamed with COPY into a staging table, then upserted
/// by primary key, touching only rows that differ, so a second run changes nothing.
/// </summary>
public sealed class CatalogSeeder(NpgsqlDataSource dataSource, TimeProvider clock, ILogger<CatalogSeeder> logger)
{
    /// <summary>The date the data set was made for: a shift of zero makes it look as it does on this day.</summary>
    public static readonly DateOnly ReferenceDate = new(2026, 11, 25);

    private sealed record TableSpec(string Name, string[] Key, bool HasSerialId, string? ShiftedDates = null);

    // Parents before children.
    private static readonly TableSpec[] Tables =
    [
        new("companies", ["id"], true),
        new("countries", ["id"], true),
        new("guides", ["id"], true),
        new("trip_types", ["id"], true),
        new("tags", ["id"], true),
        new("trip_templates", ["id"], true),
        new("trip_template_countries", ["trip_template_id", "country_id"], false),
        new("trip_template_tags", ["trip_template_id", "tag_id"], false),
        new("trip_occurrences", ["id"], true, ShiftedDates: "start_date, end_date"),
    ];

    /// <summary>Days between the reference date and today: the shift that makes the demo data look current.</summary>
    public int DaysToToday() =>
        DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).DayNumber - ReferenceDate.DayNumber;

    public async Task<IReadOnlyList<SeededTable>> SeedAsync(string dataDirectory, int shiftDays, CancellationToken ct)
    {
        var catalogDirectory = Path.Combine(dataDirectory, "catalog");
        var personasFile = Path.Combine(dataDirectory, "scenarios", "personas.json");
        foreach (var spec in Tables)
        {
            RequireFile(Path.Combine(catalogDirectory, spec.Name + ".csv"));
        }

        RequireFile(personasFile);

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var results = new List<SeededTable>();
        foreach (var spec in Tables)
        {
            results.Add(await SeedTableAsync(connection, spec, Path.Combine(catalogDirectory, spec.Name + ".csv"), shiftDays, ct));
        }

        results.Add(await SeedScenariosAsync(connection, await File.ReadAllTextAsync(personasFile, ct), ct));
        await transaction.CommitAsync(ct);

        foreach (var r in results)
        {
            logger.LogInformation(
                "Seeded {Table}: {Rows} rows, {Inserted} inserted, {Updated} updated", r.Table, r.Rows, r.Inserted, r.Updated);
        }

        return results;
    }

    private static async Task<SeededTable> SeedTableAsync(
        NpgsqlConnection connection, TableSpec spec, string file, int shiftDays, CancellationToken ct)
    {
        var columns = await ReadHeaderAsync(file, ct);
        var columnList = string.Join(", ", columns);
        var stage = "stage_" + spec.Name;

        await connection.ExecuteAsync(
            $"CREATE TEMP TABLE {stage} (LIKE {spec.Name} INCLUDING DEFAULTS) ON COMMIT DROP");

        int rows;
        await using (var import = await connection.BeginTextImportAsync(
            $"COPY {stage} ({columnList}) FROM STDIN (FORMAT csv, HEADER true)", ct))
        {
            using var reader = new StreamReader(file);
            var text = await reader.ReadToEndAsync(ct);
            rows = CountDataLines(text);
            await import.WriteAsync(text.AsMemory(), ct);
        }

        if (spec.ShiftedDates is not null && shiftDays != 0)
        {
            var assignments = string.Join(", ", spec.ShiftedDates.Split(", ").Select(c => $"{c} = {c} + @shiftDays"));
            await connection.ExecuteAsync($"UPDATE {stage} SET {assignments}", new { shiftDays });
        }

        var nonKey = columns.Except(spec.Key).ToArray();
        var target = string.Join(", ", nonKey.Select(c => $"{spec.Name}.{c}"));
        var incoming = string.Join(", ", nonKey.Select(c => $"EXCLUDED.{c}"));
        var outcome = (await connection.QueryAsync<bool>(
            $"""
            INSERT INTO {spec.Name} ({columnList})
            SELECT {columnList} FROM {stage}
            ON CONFLICT ({string.Join(", ", spec.Key)}) DO UPDATE
               SET {string.Join(", ", nonKey.Select(c => $"{c} = EXCLUDED.{c}"))}
             WHERE ({target}) IS DISTINCT FROM ({incoming})
            RETURNING (xmax = 0) AS inserted
            """)).ToList();

        if (spec.HasSerialId)
        {
            await ResetSequenceAsync(connection, spec.Name);
        }

        return new SeededTable(spec.Name, rows, outcome.Count(i => i), outcome.Count(i => !i));
    }

    private async Task<SeededTable> SeedScenariosAsync(NpgsqlConnection connection, string personasJson, CancellationToken ct)
    {
        var outcome = (await connection.QueryAsync<bool>(new CommandDefinition(
            """
            INSERT INTO evaluation_scenarios AS s
                   (id, name, description, category, preferences, expected_min_results, expected_min_top_score,
                    expects_relaxed, created_at, updated_at)
            SELECT p.id, p.name, p.description, p.category, p.preferences, COALESCE(p.expected_min_results, 1),
                   p.expected_min_top_score, COALESCE(p.expects_relaxed, FALSE), @now, @now
              FROM jsonb_to_recordset(@personas::jsonb) AS p(
                   id int, name text, description text, category text, preferences jsonb,
                   expected_min_results int, expected_min_top_score numeric, expects_relaxed boolean)
            ON CONFLICT (id) DO UPDATE
               SET name = EXCLUDED.name, description = EXCLUDED.description, category = EXCLUDED.category,
                   preferences = EXCLUDED.preferences, expected_min_results = EXCLUDED.expected_min_results,
                   expected_min_top_score = EXCLUDED.expected_min_top_score,
                   expects_relaxed = EXCLUDED.expects_relaxed, updated_at = EXCLUDED.updated_at
             WHERE (s.name, s.description, s.category, s.preferences, s.expected_min_results,
                    s.expected_min_top_score, s.expects_relaxed)
                   IS DISTINCT FROM
                   (EXCLUDED.name, EXCLUDED.description, EXCLUDED.category, EXCLUDED.preferences,
                    EXCLUDED.expected_min_results, EXCLUDED.expected_min_top_score, EXCLUDED.expects_relaxed)
            RETURNING (xmax = 0) AS inserted
            """,
            new { personas = personasJson, now = clock.GetUtcNow() },
            cancellationToken: ct))).ToList();

        await ResetSequenceAsync(connection, "evaluation_scenarios");
        var rows = await connection.ExecuteScalarAsync<int>(
            "SELECT jsonb_array_length(@personas::jsonb)", new { personas = personasJson });
        return new SeededTable("evaluation_scenarios", rows, outcome.Count(i => i), outcome.Count(i => !i));
    }

    private static Task ResetSequenceAsync(NpgsqlConnection connection, string table) =>
        connection.ExecuteAsync(
            $"""
            SELECT setval(pg_get_serial_sequence('{table}', 'id'),
                          COALESCE((SELECT MAX(id) FROM {table}), 1),
                          (SELECT MAX(id) IS NOT NULL FROM {table}))
            """);

    private static async Task<string[]> ReadHeaderAsync(string file, CancellationToken ct)
    {
        using var reader = new StreamReader(file);
        var header = await reader.ReadLineAsync(ct) ?? throw new InvalidDataException($"{file} is empty.");
        var columns = header.Split(',');
        if (columns.Any(c => c.Length == 0 || !c.All(ch => char.IsAsciiLetterLower(ch) || char.IsAsciiDigit(ch) || ch == '_')))
        {
            throw new InvalidDataException($"{file} has an unexpected header: {header}");
        }

        return columns;
    }

    /// <summary>Lines after the header (the data set has no line breaks inside fields).</summary>
    private static int CountDataLines(string text)
    {
        var lines = text.AsSpan().Count('\n');
        if (text.Length > 0 && text[^1] != '\n')
        {
            lines++;
        }

        return Math.Max(0, lines - 1);
    }

    private static void RequireFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(string.Format(CultureInfo.InvariantCulture, "Data file not found: {0}", path), path);
        }
    }
}
