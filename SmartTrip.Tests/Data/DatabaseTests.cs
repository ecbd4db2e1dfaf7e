using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using SmartTrip.Core.Data;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Data;

public sealed class MigrationTests
{
    [Fact]
    public async Task Empty_database_migrates_to_latest_and_a_second_run_is_a_no_op()
    {
        var connectionString = await TestServices.CreateDatabaseAsync("migrate");
        var migrator = new DatabaseMigrator(NullLogger<DatabaseMigrator>.Instance);

        var first = migrator.Migrate(connectionString);
        var second = migrator.Migrate(connectionString);

        Assert.Equal(DatabaseMigrator.ScriptNames, first.AppliedScripts);
        Assert.True(first.AppliedScripts.Count >= 4);
        Assert.Empty(second.AppliedScripts);

        await using var connection = new NpgsqlConnection(connectionString);
        var tables = (await connection.QueryAsync<string>(
            """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
            """)).ToHashSet();
        string[] expected =
        [
            "companies", "countries", "guides", "trip_types", "tags", "trip_templates", "trip_occurrences",
            "trip_template_tags", "trip_template_countries", "price_history", "reviews", "users", "sessions",
            "event_categories", "event_types", "events", "trip_interactions", "recommendation_requests",
            "recommendation_metrics_daily", "evaluation_scenarios", "catalog_version", "event_dead_letters", "engagement_metrics_daily",
            "experiments", "event_ids", "trip_audience", "lifecycle_policy", DatabaseMigrator.JournalTable,
        ];
        Assert.Equal(expected.Order(), tables.Order());

        // The two logs are partitioned by UTC month: this month and three ahead, and a default partition each.
        var partitions = (await connection.QueryAsync<string>(
            "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent IN ('events'::regclass, 'recommendation_requests'::regclass)")).ToHashSet();
        var month = new DateTime(DateTime.UtcNow.Year, DateTime.UtcNow.Month, 1);
        var months = Enumerable.Range(0, 4).Select(i => month.AddMonths(i).ToString("yyyy_MM", System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(
            months.Select(m => $"events_{m}").Concat(months.Select(m => $"recommendation_requests_{m}"))
                .Concat(["events_default", "recommendation_requests_default"]).Order(),
            partitions.Order());

        var journal = await connection.ExecuteScalarAsync<int>($"SELECT count(*) FROM {DatabaseMigrator.JournalTable}");
        Assert.Equal(DatabaseMigrator.ScriptNames.Count, journal);
    }

    [Fact]
    public async Task Migrations_insert_the_event_reference_rows()
    {
        var connectionString = await TestServices.CreateDatabaseAsync("refrows");
        new DatabaseMigrator(NullLogger<DatabaseMigrator>.Instance).Migrate(connectionString);

        await using var connection = new NpgsqlConnection(connectionString);
        var types = (await connection.QueryAsync<(int Id, string Name, int CategoryId)>(
            "SELECT id, name, category_id FROM event_types ORDER BY id")).ToList();
        Assert.Equal(23, types.Count);
        Assert.Equal((21, "search_submit", 2), types[20]);
        Assert.Equal((23, "trip_view", 3), types[22]);
        Assert.Equal(4, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM event_categories"));
    }

    [Fact]
    public async Task Trip_status_outside_the_known_values_is_refused_by_the_schema()
    {
        var connectionString = await TestServices.CreateSeededDatabaseAsync("status");
        await using var connection = new NpgsqlConnection(connectionString);

        var error = await Assert.ThrowsAsync<PostgresException>(() =>
            connection.ExecuteAsync("UPDATE trip_occurrences SET status = 'Sold out' WHERE id = 1"));
        Assert.Equal(PostgresErrorCodes.CheckViolation, error.SqlState);
    }

    [Fact]
    public async Task Every_catalogue_change_moves_the_catalogue_version_and_nothing_else_does()
    {
        var connectionString = await TestServices.CreateSeededDatabaseAsync("version");
        await using var connection = new NpgsqlConnection(connectionString);
        Task<long> Version() => connection.ExecuteScalarAsync<long>("SELECT version FROM catalog_version");

        var seeded = await Version();
        await connection.ExecuteAsync("UPDATE trip_occurrences SET spots_left = spots_left WHERE id = 1");
        var afterOccurrence = await Version();
        await connection.ExecuteAsync("DELETE FROM trip_template_tags WHERE trip_template_id = 1 AND tag_id = 1");
        var afterTags = await Version();
        await connection.ExecuteAsync("UPDATE guides SET bio = 'x' WHERE id = 1");
        var afterGuides = await Version();
        await connection.ExecuteAsync("INSERT INTO users (anonymous_id) VALUES (gen_random_uuid())");
        await connection.ExecuteAsync("UPDATE evaluation_scenarios SET description = description");

        Assert.True(seeded > 1);
        Assert.Equal(seeded + 1, afterOccurrence);
        Assert.Equal(afterOccurrence + 1, afterTags);
        Assert.Equal(afterTags + 1, afterGuides);
        Assert.Equal(afterGuides, await Version());
    }
}

public sealed class SeederTests
{
    private static async Task<(string ConnectionString, NpgsqlDataSource DataSource, CatalogSeeder Seeder)> FreshAsync()
    {
        var connectionString = await TestServices.CreateDatabaseAsync("seed");
        new DatabaseMigrator(NullLogger<DatabaseMigrator>.Instance).Migrate(connectionString);
        var dataSource = NpgsqlDataSource.Create(connectionString);
        return (connectionString, dataSource, new CatalogSeeder(dataSource, TestServices.Clock(), NullLogger<CatalogSeeder>.Instance));
    }

    [Fact]
    public async Task Seeding_loads_every_row_and_a_second_run_changes_nothing()
    {
        var (_, dataSource, seeder) = await FreshAsync();
        await using var _ = dataSource;

        var first = await seeder.SeedAsync(TestServices.DataDirectory, 0, CancellationToken.None);
        var second = await seeder.SeedAsync(TestServices.DataDirectory, 0, CancellationToken.None);

        var expected = new Dictionary<string, int>
        {
            ["companies"] = 10, ["countries"] = 105, ["guides"] = 25, ["trip_types"] = 10, ["tags"] = 10,
            ["trip_templates"] = 374, ["trip_template_countries"] = 374, ["trip_template_tags"] = 776,
            ["trip_occurrences"] = 542, ["evaluation_scenarios"] = 100,
        };
        Assert.Equal(expected, first.ToDictionary(t => t.Table, t => t.Inserted));
        Expect.All(second, 10, t => Assert.Equal((0, 0), (t.Inserted, t.Updated)));

        await using var connection = await dataSource.OpenConnectionAsync();
        foreach (var (table, rows) in expected)
        {
            Assert.Equal(rows, await connection.ExecuteScalarAsync<int>($"SELECT count(*) FROM {table}"));
        }

        // Sequences continue after the explicit ids.
        var nextCompany = await connection.ExecuteScalarAsync<int>(
            "INSERT INTO companies (name, name_he) VALUES ('New Co', 'חדש') RETURNING id");
        Assert.Equal(11, nextCompany);
        Assert.Equal(101, await connection.ExecuteScalarAsync<int>(
            "INSERT INTO evaluation_scenarios (name, preferences) VALUES ('x', '{}') RETURNING id"));
    }

    [Fact]
    public async Task Seeded_values_keep_nulls_hebrew_and_enum_labels()
    {
        var (_, dataSource, seeder) = await FreshAsync();
        await using var _ = dataSource;
        await seeder.SeedAsync(TestServices.DataDirectory, 0, CancellationToken.None);

        await using var connection = await dataSource.OpenConnectionAsync();
        var occurrence = await connection.QuerySingleAsync<(DateTime Start, decimal? Price, string Status, int Spots)>(
            "SELECT start_date, price_override, status, spots_left FROM trip_occurrences WHERE id = 1");
        Assert.Equal((new DateTime(2027, 1, 12), (decimal?)null, "Last Places", 17), occurrence);
        Assert.Equal("ASIA", await connection.ExecuteScalarAsync<string>("SELECT continent::text FROM countries WHERE id = 14"));
        Assert.Equal("FEMALE", await connection.ExecuteScalarAsync<string>("SELECT gender::text FROM guides WHERE id = 1"));
        Assert.Equal(165, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM trip_occurrences WHERE price_override IS NOT NULL"));
        Assert.Equal(3, await connection.ExecuteScalarAsync<int>("SELECT expected_min_results FROM evaluation_scenarios WHERE id = 1"));
        Assert.Equal("Asia", await connection.ExecuteScalarAsync<string>(
            "SELECT preferences->'selected_continents'->>0 FROM evaluation_scenarios WHERE id = 1"));
    }

    [Fact]
    public async Task Date_shift_moves_every_departure_and_reseeding_unshifted_restores_them()
    {
        var (_, dataSource, seeder) = await FreshAsync();
        await using var _ = dataSource;
        await seeder.SeedAsync(TestServices.DataDirectory, 0, CancellationToken.None);
        await using var connection = await dataSource.OpenConnectionAsync();
        const string Sql = "SELECT sum(start_date - DATE '2026-01-01')::bigint, sum(end_date - start_date)::bigint FROM trip_occurrences";
        var (startSum, lengthSum) = await connection.QuerySingleAsync<(long, long)>(Sql);

        var shifted = await seeder.SeedAsync(TestServices.DataDirectory, 30, CancellationToken.None);
        var (shiftedStartSum, shiftedLengthSum) = await connection.QuerySingleAsync<(long, long)>(Sql);
        Assert.Equal(542, shifted.Single(t => t.Table == "trip_occurrences").Updated);
        Assert.Equal(startSum + (542 * 30), shiftedStartSum);
        Assert.Equal(lengthSum, shiftedLengthSum);
        Assert.Equal(new DateTime(2027, 2, 11), await connection.ExecuteScalarAsync<DateTime>("SELECT start_date FROM trip_occurrences WHERE id = 1"));

        await seeder.SeedAsync(TestServices.DataDirectory, 0, CancellationToken.None);
        Assert.Equal((startSum, lengthSum), await connection.QuerySingleAsync<(long, long)>(Sql));
    }

    [Fact]
    public async Task Days_to_today_counts_from_the_reference_date()
    {
        var clock = TestServices.Clock();
        clock.Advance(TimeSpan.FromDays(10));
        await using var dataSource = NpgsqlDataSource.Create(TestServices.AdminConnectionString);

        Assert.Equal(10, new CatalogSeeder(dataSource, clock, NullLogger<CatalogSeeder>.Instance).DaysToToday());
    }

    [Fact]
    public async Task A_missing_data_file_fails_before_anything_is_written()
    {
        var (connectionString, dataSource, seeder) = await FreshAsync();
        await using var _ = dataSource;
        var empty = Directory.CreateTempSubdirectory("smarttrip-empty-data");

        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => seeder.SeedAsync(empty.FullName, 0, CancellationToken.None));

        Assert.Contains("companies.csv", error.Message);
        await using var connection = new NpgsqlConnection(connectionString);
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM companies"));
    }
}
