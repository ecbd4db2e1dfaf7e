using DbUp;
using DbUp.Engine;
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

    public MigrationResult Migrate(string connectionString)
    {
        var engine = DeployChanges.To
            .PostgresqlDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(typeof(DatabaseMigrator).Assembly, IsMigration)
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
