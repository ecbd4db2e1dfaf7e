using System.Text.Json;
using Dapper;
using Npgsql;
using SmartTrip.Core.Json;
using SmartTrip.Core.Recommendations;

namespace SmartTrip.Core.Experiments;

/// <summary>Why an experiment command could not be carried out (the message is for the operator).</summary>
public sealed class ExperimentException(string message) : Exception(message);

/// <summary>The <c>experiments</c> table: create, list, start, stop.</summary>
public sealed class ExperimentStore(NpgsqlDataSource dataSource, RecommendationOptions baseline, TimeProvider clock)
{
    /// <summary>The only surface experiments run on today: the ranking of <c>POST /api/v2/recommendations</c>.</summary>
    public const string Recommendations = "recommendations";

    private const string Columns = "id, name, description, surface, status, kind, variants::text AS variants, created_at, started_at, stopped_at";

    private sealed record Row(
        int Id, string Name, string? Description, string Surface, string Status, string Kind, string Variants, DateTime CreatedAt,
        DateTime? StartedAt, DateTime? StoppedAt)
    {
        public Experiment ToExperiment() => new()
        {
            Id = Id, Name = Name, Description = Description, Surface = Surface, Status = Status, Kind = Kind,
            Variants = JsonSerializer.Deserialize<List<Variant>>(Variants, SmartTripJson.Options)!,
            CreatedAt = Utc(CreatedAt), StartedAt = StartedAt is { } s ? Utc(s) : null, StoppedAt = StoppedAt is { } t ? Utc(t) : null,
        };

        private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value.ToUniversalTime(), DateTimeKind.Utc));
    }

    /// <summary>Creates a draft; throws <see cref="ExperimentException"/> listing every problem.</summary>
    public async Task<Experiment> CreateAsync(
        string name, string? description, IReadOnlyList<Variant> variants, CancellationToken ct, string kind = Experiment.AB)
    {
        var problems = ExperimentRules.Problems(name, variants, baseline, kind);
        if (problems.Count > 0)
        {
            throw new ExperimentException("The experiment cannot be created: " + string.Join("; ", problems) + ".");
        }

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            var row = await connection.QuerySingleAsync<Row>(new CommandDefinition(
                $"""
                INSERT INTO experiments (name, description, surface, kind, variants, created_at)
                VALUES (@name, @description, @surface, @kind, @variants::jsonb, @now) RETURNING {Columns}
                """,
                new { name, description, surface = Recommendations, kind, variants = JsonSerializer.Serialize(variants, SmartTripJson.Options), now = clock.GetUtcNow() },
                cancellationToken: ct));
            return row.ToExperiment();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new ExperimentException($"An experiment named {name} exists already.");
        }
    }

    public async Task<IReadOnlyList<Experiment>> ListAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM experiments ORDER BY id", cancellationToken: ct));
        return rows.Select(r => r.ToExperiment()).ToList();
    }

    public async Task<Experiment?> GetAsync(int id, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM experiments WHERE id = @id", new { id }, cancellationToken: ct));
        return row?.ToExperiment();
    }

    /// <summary>The experiment running on the recommendations, if any.</summary>
    public async Task<Experiment?> RunningAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM experiments WHERE surface = @surface AND status = 'running'", new { surface = Recommendations }, cancellationToken: ct));
        return row?.ToExperiment();
    }

    /// <summary>Starts a draft; only one experiment runs at a time.</summary>
    public async Task<Experiment> StartAsync(int id, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
                $"UPDATE experiments SET status = 'running', started_at = @now WHERE id = @id AND status = 'draft' RETURNING {Columns}",
                new { id, now = clock.GetUtcNow() }, cancellationToken: ct));
            return row?.ToExperiment() ?? throw await NotInStateAsync(id, "a draft", ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            var running = await RunningAsync(ct);
            throw new ExperimentException($"Experiment {running?.Id} ({running?.Name}) is running: stop it first.");
        }
    }

    /// <summary>Stops a running experiment: from then on everyone gets the control ranking.</summary>
    public async Task<Experiment> StopAsync(int id, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"UPDATE experiments SET status = 'stopped', stopped_at = @now WHERE id = @id AND status = 'running' RETURNING {Columns}",
            new { id, now = clock.GetUtcNow() }, cancellationToken: ct));
        return row?.ToExperiment() ?? throw await NotInStateAsync(id, "running", ct);
    }

    private async Task<ExperimentException> NotInStateAsync(int id, string state, CancellationToken ct) =>
        await GetAsync(id, ct) is { } experiment
            ? new ExperimentException($"Experiment {id} is {experiment.Status}, not {state}.")
            : new ExperimentException($"There is no experiment {id}.");
}
