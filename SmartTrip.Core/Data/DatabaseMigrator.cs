using DbUp;
using DbUp.Engine.Output;
using Microsoft.Extensions.Logging;

namespace SmartTrip.Core.Data;

/// <summary>The outcome of a migration run: the scripts it applied (empty when already up to date).</summary>
public sealed record MigrationResult(IReadOnlyList<string> AppliedScripts);

/// <summary>
/// Applies the forward-only SQL scripts embedded under <c>Data/Migrations</c> with DbUp; the journal table
/// <c>schema_migrations</c> records what ran, so a second run is a no-op.
/// </summary>
public sealed class DatabaseMigrator(ILogger<DatabaseMigrator> logger)
{
    public const string JournalTable = "schema_migrations";

    /// <summary>The embedded script names in the order they run.</summary>
    public static IReadOnlyList<string> ScriptNames { get; } =
        typeof(DatabaseMigrator).Assembly.GetManifestResourceNames()
            .Where(IsMigration)
            .Order(StringComparer.Ordinal)
            .ToList();

    public MigrationResult Migrate(string connectionString) => Migrate(connectionString, upTo: null);

    /// <summary>
    /// Applies the scripts up to and including the one whose name ends with <paramref name="upTo"/> (all when null): a
    /// database of an earlier release, for testing a migration on populated data.
    /// </summary>
    public MigrationResult Migrate(string connectionString, string? upTo)
    {
        var last = upTo is null ? null : ScriptNames.Single(n => n.EndsWith(upTo + ".sql", StringComparison.Ordinal));
        var engine = DeployChanges.To
            .PostgresqlDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(
                typeof(DatabaseMigrator).Assembly, name => IsMigration(name) && (last is null || string.CompareOrdinal(name, last) <= 0))
            .JournalToPostgresqlTable("public", JournalTable)
            .WithTransactionPerScript()
            .LogTo(new DbUpLog(logger))
            .Build();

        var result = engine.PerformUpgrade();
        if (!result.Successful)
        {
            var script = result.ErrorScript?.Name ?? "unknown script";
            throw new MigrationFailedException($"Migration {script} failed: {result.Error.Message}", result.Error);
        }

        return new MigrationResult(result.Scripts.Select(s => s.Name).ToList());
    }

    /// <summary>The data-only role of migration 0008 that the application's login belongs to.</summary>
    public const string AppRole = "smarttrip_app";

    /// <summary>
    /// Creates the application's login (or sets its password when it exists) as a member of <see cref="AppRole"/> only:
    /// it can read and write the data, never change the schema. Run by the administrator, after the migrations.
    /// </summary>
    public static async Task EnsureAppLoginAsync(string connectionString, string login, string password, CancellationToken ct)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var build = new Npgsql.NpgsqlCommand(
            """
            SELECT CASE WHEN EXISTS (SELECT FROM pg_roles WHERE rolname = @login)
                        THEN format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', @login, @password)
                        ELSE format('CREATE ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', @login, @password) END,
                   format('GRANT %I TO %I', @role, @login)
            """, connection);
        build.Parameters.AddWithValue("login", login);
        build.Parameters.AddWithValue("password", password);
        build.Parameters.AddWithValue("role", AppRole);
        string create, grant;
        await using (var reader = await build.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            (create, grant) = (reader.GetString(0), reader.GetString(1));
        }

        foreach (var statement in new[] { create, grant })
        {
            await using var command = new Npgsql.NpgsqlCommand(statement, connection);
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>
    /// Writes the archive age (<c>Lifecycle__ArchiveAfterMonths</c>) into <c>lifecycle_policy</c>, the administrator's
    /// table the partition functions decide by (migration 0016): the app's login can neither change it nor drop a month
    /// younger than it. Run by the administrator, after the migrations.
    /// </summary>
    public static async Task SetArchiveAgeAsync(string connectionString, int months, CancellationToken ct)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new Npgsql.NpgsqlCommand(
            "UPDATE lifecycle_policy SET archive_after_months = @months, updated_at = now() WHERE archive_after_months <> @months", connection);
        command.Parameters.AddWithValue("months", months);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static bool IsMigration(string resourceName) =>
        resourceName.Contains(".Data.Migrations.", StringComparison.Ordinal) &&
        resourceName.EndsWith(".sql", StringComparison.Ordinal);

    private sealed class DbUpLog(ILogger logger) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) { }
        public void LogDebug(string format, params object[] args) { }
        public void LogInformation(string format, params object[] args) => logger.LogInformation("{DbUpMessage}", string.Format(format, args));
        public void LogWarning(string format, params object[] args) => logger.LogWarning("{DbUpMessage}", string.Format(format, args));
        public void LogError(string format, params object[] args) => logger.LogError("{DbUpMessage}", string.Format(format, args));
        public void LogError(Exception ex, string format, params object[] args) => logger.LogError(ex, "{DbUpMessage}", string.Format(format, args));
    }
}

public sealed class MigrationFailedException(string message, Exception inner) : Exception(message, inner);
