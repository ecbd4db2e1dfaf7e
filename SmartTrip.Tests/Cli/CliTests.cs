using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Npgsql;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Cli;

/// <summary>The built <c>smarttrip</c> tool, run as a separate process with settings from its environment.</summary>
public sealed class CliTests
{
    private static Task<(int ExitCode, string Output, string Error)> RunAsync(
        IReadOnlyDictionary<string, string> environment, params string[] args) => RunWithInputAsync(environment, "", args);

    private static async Task<(int ExitCode, string Output, string Error)> RunWithInputAsync(
        IReadOnlyDictionary<string, string> environment, string input, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "smarttrip.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    [Fact]
    public async Task Migrate_then_seed_builds_the_catalogue_from_environment_settings()
    {
        var connectionString = await TestServices.CreateDatabaseAsync("cli");
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__SmartTripDb"] = connectionString,
            ["AzureWebJobsStorage"] = TestServices.SecondStorageConnectionString,
        };

        var migrate = await RunAsync(environment, "migrate");
        var again = await RunAsync(environment, "migrate");
        var seed = await RunAsync(environment, "seed");

        Assert.Equal(0, migrate.ExitCode);
        Assert.Contains("Applied 18 migration(s): 0001_catalog, 0002_tracking, 0003_analytics, 0004_event_reference_rows, 0005_catalog_version, 0006_trip_interaction_index, 0007_event_dead_letters, 0008_app_role, 0009_engagement_metrics, 0010_experiments, 0011_partitioned_logs, 0012_trip_audience, 0013_archive_partitions, 0014_event_ids_brin, 0015_dead_letter_replays, 0016_partition_functions_by_authority, 0017_search_propensities, 0018_interleaving", migrate.Output);
        Assert.Contains("Queues ready: events, events-poison", migrate.Output);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("Database is up to date.", again.Output);
        Assert.Equal(0, seed.ExitCode);
        Assert.Matches(@"trip_occurrences\s+542 rows\s+542 inserted", seed.Output);

        await using var connection = new NpgsqlConnection(connectionString);
        Assert.Equal(374, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM trip_templates"));
    }

    [Fact]
    public async Task A_missing_connection_string_is_one_line_and_a_non_zero_exit()
    {
        var result = await RunAsync(new Dictionary<string, string> { ["ConnectionStrings__SmartTripDb"] = "" }, "migrate");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            "smarttrip: The setting ConnectionStrings__SmartTripDb (the PostgreSQL connection string) is not set.",
            result.Error.Trim());
    }

    [Fact]
    public async Task Recommend_answers_an_unreachable_database_with_the_endpoints_503_body_and_exit_69()
    {
        var result = await RunWithInputAsync(
            new Dictionary<string, string>
            {
                ["ConnectionStrings__SmartTripDb"] = "Host=127.0.0.1;Port=1;Database=x;Username=x;Timeout=2",
                ["AzureWebJobsStorage"] = TestServices.SecondStorageConnectionString,
            },
            """{"budget":9000}""",
            "recommend", "--as-of", "2026-11-25", "--no-log");

        Assert.Equal(69, result.ExitCode);
        Assert.Equal("""{"success":false,"error":"שגיאת חיבור למסד הנתונים. אנא נסה שוב מאוחר יותר.","api_version":"v2"}""", result.Output.Trim());
        Assert.Contains(result.Error.Split('\n'), line => line.StartsWith("smarttrip: the search failed: cannot reach the database", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unreachable_database_is_reported_without_a_stack_trace()
    {
        var result = await RunAsync(
            new Dictionary<string, string> { ["ConnectionStrings__SmartTripDb"] = "Host=127.0.0.1;Port=1;Database=x;Username=x;Timeout=2" },
            "seed");

        Assert.Equal(69, result.ExitCode); // EX_UNAVAILABLE: worth trying again
        var line = Assert.Single(result.Error.Trim().Split('\n'));
        Assert.StartsWith("smarttrip: ", line);
        Assert.DoesNotContain(" at ", line);
    }

    [Fact]
    public async Task Recommend_prints_the_api_response_for_stdin_as_of_a_day()
    {
        var connectionString = await TestServices.CreateSeededDatabaseAsync("clirec");
        var environment = new Dictionary<string, string> { ["ConnectionStrings__SmartTripDb"] = connectionString };

        var single = await RunWithInputAsync(environment, """{"selected_continents":["Asia"],"budget":8000}""", "recommend", "--as-of", "2026-11-25", "--no-log");
        var later = await RunWithInputAsync(environment, "{}", "recommend", "--as-of", "2027-06-01");
        var rejected = await RunWithInputAsync(environment, """{"difficulty":"x"}""", "recommend", "--as-of", "2026-11-25");

        Assert.Equal(0, single.ExitCode);
        using var response = JsonDocument.Parse(single.Output);
        Assert.True(response.RootElement.GetProperty("success").GetBoolean());
        Assert.Equal(10, response.RootElement.GetProperty("count").GetInt32());
        Expect.All(response.RootElement.GetProperty("data").EnumerateArray(), 10,
            item => Assert.Equal("Asia", item.GetProperty("template").GetProperty("primaryCountry").GetProperty("continent").GetString()));

        Assert.Equal(0, later.ExitCode);
        using var laterResponse = JsonDocument.Parse(later.Output);
        Expect.All(laterResponse.RootElement.GetProperty("data").EnumerateArray(), 10,
            item => Assert.True(string.CompareOrdinal(item.GetProperty("startDate").GetString(), "2027-06-01") >= 0));

        Assert.Equal(1, rejected.ExitCode);
        Assert.Equal(
            """{"success":false,"error":"Invalid preferences","errors":[{"field":"difficulty","message":"difficulty must be an integer from 1 to 5, or null"}],"api_version":"v2"}""",
            rejected.Output.Trim());

        await using var connection = new NpgsqlConnection(connectionString);
        var logged = await connection.QueryAsync<Guid>("SELECT request_id FROM recommendation_requests");
        Assert.Equal([Guid.Parse(laterResponse.RootElement.GetProperty("request_id").GetString()!)], logged);
    }

    [Fact]
    public async Task Recommend_jsonl_answers_every_line_and_a_rejected_line_does_not_fail_the_run()
    {
        var connectionString = await TestServices.CreateSeededDatabaseAsync("clijsonl");
        var environment = new Dictionary<string, string> { ["ConnectionStrings__SmartTripDb"] = connectionString };

        var result = await RunWithInputAsync(environment, "{\"budget\":9000}\n{\"month\":13}\n\n{}\n", "recommend", "--as-of", "2026-11-25", "--jsonl", "--no-log");

        Assert.Equal(0, result.ExitCode);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([true, false, true], lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("success").GetBoolean()));
        await using var connection = new NpgsqlConnection(connectionString);
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM recommendation_requests"));
    }

    [Fact]
    public async Task Recommend_rejects_a_day_that_is_not_a_date()
    {
        var result = await RunWithInputAsync(new Dictionary<string, string>(), "{}", "recommend", "--as-of", "2026-13-01");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("smarttrip: --as-of must be a date written YYYY-MM-DD, not '2026-13-01'.", result.Error.Trim());
    }

    [Fact]
    public async Task Simulate_sensitivity_measures_every_variant_over_the_catalogue_and_the_same_seed_gives_the_same_table()
    {
        var connectionString = await TestServices.CreateSeededDatabaseAsync("clisim");
        var environment = new Dictionary<string, string> { ["ConnectionStrings__SmartTripDb"] = connectionString };
        string[] args = ["simulate", "sensitivity", "--eta", "0.5", "--browsers", "300", "--searches", "1500", "--seed", "7"];

        var first = await RunAsync(environment, args);
        var again = await RunAsync(environment, args);

        Assert.Equal((0, ""), (first.ExitCode, first.Error));
        var rows = first.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(2).ToList();
        Assert.Equal(["better", "pinned", "shuffled"], rows.Select(r => r.Split('|')[1].Trim()));
        Assert.All(rows, r => Assert.Equal("0.5", r.Split('|')[2].Trim()));
        Assert.Equal(first.Output, again.Output);
    }

    [Fact]
    public async Task Evaluate_prints_the_report_and_fails_when_a_scenario_fails()
    {
        var connectionString = await TestServices.CreateSeededDatabaseAsync("clieval");
        var environment = new Dictionary<string, string> { ["ConnectionStrings__SmartTripDb"] = connectionString };

        var all = await RunAsync(environment, "evaluate", "--as-of", "2026-11-25");
        var passing = await RunAsync(environment, "evaluate", "--as-of", "2026-11-25", "--category", "no_such_category");

        Assert.Equal(1, all.ExitCode);
        using var report = JsonDocument.Parse(all.Output);
        Assert.Equal((100, 63), (report.RootElement.GetProperty("total_scenarios").GetInt32(), report.RootElement.GetProperty("passed").GetInt32()));
        Assert.Equal(0, passing.ExitCode);
        Assert.Contains("\"message\":\"No scenarios found\"", passing.Output);
    }

    [Fact]
    public async Task The_app_login_reads_and_writes_data_and_cannot_change_the_schema()
    {
        var connectionString = await TestServices.CreateSeededDatabaseAsync("cli_role");
        var login = $"st_app_{Guid.NewGuid():N}"[..30];
        var password = Guid.NewGuid().ToString("N");
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__SmartTripDb"] = connectionString,
            ["SMARTTRIP_APP_DB_PASSWORD"] = password,
        };

        var withoutPassword = await RunAsync(new Dictionary<string, string> { ["ConnectionStrings__SmartTripDb"] = connectionString }, "migrate", "--app-login", login);
        var created = await RunAsync(environment, "migrate", "--app-login", login);
        var again = await RunAsync(environment, "migrate", "--app-login", login); // sets the password again

        Assert.Equal(1, withoutPassword.ExitCode);
        Assert.Equal((0, 0), (created.ExitCode, again.ExitCode));
        Assert.Contains($"Login {login} ready (role smarttrip_app: data only).", again.Output);
        var asApp = new NpgsqlConnectionStringBuilder(connectionString) { Username = login, Password = password, Pooling = false }.ConnectionString;
        await using var app = new NpgsqlConnection(asApp);
        Assert.Equal(374, await app.ExecuteScalarAsync<int>("SELECT count(*) FROM trip_templates"));
        Assert.Equal(1, await app.ExecuteAsync(
            "INSERT INTO users (anonymous_id, is_registered, total_sessions, total_searches, total_clicks, is_active, first_seen_at, last_seen_at, created_at, updated_at) VALUES (gen_random_uuid(), FALSE, 0, 0, 0, TRUE, now(), now(), now(), now())"));
        foreach (var ddl in new[] { "CREATE TABLE intruder (id int)", "DROP TABLE events", "ALTER TABLE users ADD COLUMN x int", "TRUNCATE events", "DELETE FROM schema_migrations" })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => app.ExecuteAsync(ddl));
            Assert.Equal("42501", refused.SqlState); // insufficient privilege
        }
    }

    [Fact]
    public async Task Aggregate_metrics_stores_the_days_asked_for_and_refuses_a_bad_range()
    {
        var connectionString = await TestServices.CreateDatabaseAsync("cli_agg");
        var environment = new Dictionary<string, string> { ["ConnectionStrings__SmartTripDb"] = connectionString };
        Assert.Equal(0, (await RunAsync(environment, "migrate")).ExitCode);
        await using (var db = new NpgsqlConnection(connectionString))
        {
            await Analytics.RequestLogRows.InsertAsync(db, new DateTime(2026, 11, 19, 8, 0, 0), 100, 70, 5, "a");
            await Analytics.RequestLogRows.InsertAsync(db, new DateTime(2026, 11, 20, 8, 0, 0), 300, 50, 5, "b");
            await Analytics.RequestLogRows.InsertAsync(db, new DateTime(2026, 11, 20, 9, 0, 0), 500, 60, 5, "b");
        }

        var one = await RunAsync(environment, "aggregate-metrics", "--date", "2026-11-20");
        var range = await RunAsync(environment, "aggregate-metrics", "--from", "2026-11-18", "--to", "2026-11-19");
        var backwards = await RunAsync(environment, "aggregate-metrics", "--from", "2026-11-20", "--to", "2026-11-19");
        var both = await RunAsync(environment, "aggregate-metrics", "--date", "2026-11-20", "--from", "2026-11-19");
        var notADate = await RunAsync(environment, "aggregate-metrics", "--date", "20/11/2026");

        Assert.Equal((0, "2026-11-20        2 requests stored\n"), (one.ExitCode, one.Output));
        Assert.Equal((0, "2026-11-18        0 requests stored\n2026-11-19        1 requests stored\n"), (range.ExitCode, range.Output));
        foreach (var refused in new[] { backwards, both, notADate })
        {
            Assert.Equal((1, ""), (refused.ExitCode, refused.Output));
            Assert.Equal("smarttrip: give --date D, or --from D --to D with D written YYYY-MM-DD and --from not after --to.\n", refused.Error);
        }

        await using var check = new NpgsqlConnection(connectionString);
        var rows = await check.QueryAsync<(DateTime Date, int Total, decimal Avg)>(
            "SELECT date, total_requests, avg_response_time_ms FROM recommendation_metrics_daily ORDER BY date");
        Assert.Equal(
            [(new DateTime(2026, 11, 18), 0, 0.00m), (new DateTime(2026, 11, 19), 1, 100.00m), (new DateTime(2026, 11, 20), 2, 400.00m)],
            rows);
    }

    [Fact]
    public async Task Dead_letters_lists_and_shows_the_table_and_purge_needs_confirmation()
    {
        var connectionString = await TestServices.CreateDatabaseAsync("cli_dead");
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__SmartTripDb"] = connectionString,
            ["AzureWebJobsStorage"] = TestServices.SecondStorageConnectionString,
        };
        Assert.Equal(0, (await RunAsync(environment, "migrate")).ExitCode);
        var eventId = Guid.NewGuid();
        await using (var db = new NpgsqlConnection(connectionString))
        {
            await db.ExecuteAsync(
                """
                INSERT INTO event_dead_letters (event_id, event_type, envelope, reason, sql_state, received_at, dead_lettered_at)
                VALUES (@eventId, 'save_trip', '{"version":1}', 'unsupported Unicode escape sequence', '22P05', now(), now() - interval '3 hours')
                """, new { eventId });
        }

        var list = await RunAsync(environment, "dead-letters", "list");
        var show = await RunAsync(environment, "dead-letters", "show", eventId.ToString());
        var purge = await RunAsync(environment, "dead-letters", "purge");

        Assert.Equal(0, list.ExitCode);
        Assert.StartsWith("event_dead_letters: 1 waiting; events-poison: ", list.Output);
        Assert.Matches(@"(?m)^table\s+1\s+save_trip\s+22P05\s+3h\s+unsupported Unicode escape sequence$", list.Output);
        Assert.Equal(0, show.ExitCode);
        Assert.Contains($"\"eventId\": \"{eventId}\"", show.Output);
        Assert.Contains("\"store\": \"table\"", show.Output);
        Assert.Equal(1, purge.ExitCode);
        Assert.Contains("add --yes to confirm", purge.Error);
        await using var check = new NpgsqlConnection(connectionString);
        Assert.Equal(1, await check.ExecuteScalarAsync<int>("SELECT count(*) FROM event_dead_letters"));
    }

    [Fact]
    public async Task Experiment_verbs_create_start_report_and_stop_and_refuse_what_cannot_run()
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__SmartTripDb"] = await TestServices.CreateSeededDatabaseAsync("cli_experiment"),
            ["AzureWebJobsStorage"] = TestServices.SecondStorageConnectionString,
        };
        const string Definition = """
            {"name":"geo weight","description":"country match worth more",
             "variants":[{"name":"control","share":50},{"name":"geo20","share":50,"overrides":{"GeoDirectCountry":20}}]}
            """;

        var create = await RunWithInputAsync(environment, Definition, "experiment", "create", "-");
        var invalid = await RunWithInputAsync(environment, """{"name":"bad","variants":[{"name":"control","share":70},{"name":"b","share":20}]}""",
            "experiment", "create", "-");
        var start = await RunAsync(environment, "experiment", "start", "1");
        var startAgain = await RunAsync(environment, "experiment", "start", "1");
        var list = await RunAsync(environment, "experiment", "list");
        var results = await RunAsync(environment, "experiment", "results", "1");
        var json = await RunAsync(environment, "experiment", "results", "1", "--json");
        var preview = await RunAsync(environment, "experiment", "preview", "1", "--days", "7");
        var stop = await RunAsync(environment, "experiment", "stop", "1");
        var missing = await RunAsync(environment, "experiment", "results", "42");

        Assert.Equal((0, "Created experiment 1 (geo weight), a draft: start it with 'smarttrip experiment start 1'."), (create.ExitCode, create.Output.Trim()));
        Assert.Equal(1, invalid.ExitCode);
        Assert.Equal("smarttrip: The experiment cannot be created: variant shares are whole percents from 1 to 99 that add up to 100.", invalid.Error.Trim());
        Assert.Equal(0, start.ExitCode);
        Assert.StartsWith("Experiment 1 (geo weight) is running", start.Output);
        Assert.Equal("smarttrip: Experiment 1 is running, not a draft.", startAgain.Error.Trim());
        Assert.Matches(@"^1  running  ab           geo weight  \[control 50 %, geo20 50 % \(GeoDirectCountry=20\)\]  started \d{4}-\d\d-\d\d \d\d:\d\dZ, stopped -", list.Output.Trim());
        Assert.Contains("Sample ratio: consistent with the shares", results.Output);
        Assert.Equal(["control", "geo20"], JsonDocument.Parse(json.Output).RootElement.GetProperty("variants").EnumerateArray().Select(v => v.GetProperty("name").GetString()));
        Assert.StartsWith("Replayed 0 searches of the last 7 days over today's catalogue; 0 clicked trips.", preview.Output);
        Assert.Equal((0, "Experiment 1 (geo weight) is stopped."), (stop.ExitCode, stop.Output.Trim()));
        Assert.Equal((1, "smarttrip: There is no experiment 42."), (missing.ExitCode, missing.Error.Trim()));
    }

    [Fact]
    public async Task Archive_run_killed_between_files_leaves_the_month_whole_and_the_next_run_archives_it_for_restore()
    {
        var connectionString = await TestServices.CreateDatabaseAsync("cliarchive");
        new SmartTrip.Core.Data.DatabaseMigrator(Microsoft.Extensions.Logging.Abstractions.NullLogger<SmartTrip.Core.Data.DatabaseMigrator>.Instance).Migrate(connectionString);
        await using var db = new NpgsqlConnection(connectionString);
        await db.ExecuteAsync(
            """
            SELECT smarttrip_create_month_partition('events', '2024-08-01');
            INSERT INTO events (event_id, session_id, anonymous_id, event_type_id, trip_id, event_data, "timestamp")
            SELECT gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 1 + n % 3, n % 500, jsonb_build_object('n', n),
                   '2024-08-01'::timestamptz + make_interval(secs => n * 60)
              FROM generate_series(1, 40000) AS n;
            """);
        const string Whole = "SELECT count(*), sum(id) FROM events WHERE \"timestamp\" >= '2024-08-01' AND \"timestamp\" < '2024-09-01'";
        var before = await db.QuerySingleAsync<(long, decimal)>(Whole);
        var container = $"cli-archive-{Guid.NewGuid():N}"[..30];
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__SmartTripDb"] = connectionString,
            ["AzureWebJobsStorage"] = TestServices.SecondStorageConnectionString,
            ["Lifecycle__ArchiveContainer"] = container,
            ["Lifecycle__ArchiveRowsPerFile"] = "1000",
        };

        // Killed (SIGKILL, the whole process) as soon as it reports its first file.
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "smarttrip.dll"));
        start.ArgumentList.Add("archive");
        start.ArgumentList.Add("run");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using (var process = Process.Start(start)!)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            string? line;
            while ((line = await process.StandardOutput.ReadLineAsync(timeout.Token)) is not null && !line.Contains("PartUploaded", StringComparison.Ordinal))
            {
            }

            Assert.NotNull(line);
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(timeout.Token);
        }

        var blobs = new Azure.Storage.Blobs.BlobContainerClient(TestServices.SecondStorageConnectionString, container);
        try
        {
            Assert.False(await blobs.GetBlobClient("table=events/month=2024-08/manifest.json").ExistsAsync());
            Assert.Equal(before, await db.QuerySingleAsync<(long, decimal)>(Whole));

            var run = await RunAsync(environment, "archive", "run");
            var list = await RunAsync(environment, "archive", "list");
            var gone = await db.ExecuteScalarAsync<string?>("SELECT to_regclass('events_2024_08')::text");
            var restore = await RunAsync(environment, "archive", "restore", "events", "2024-08");

            Assert.True(run.ExitCode == 0, run.Error);
            Assert.Contains("1 month(s) archived", run.Output, StringComparison.Ordinal);
            Assert.Null(gone);
            Assert.Matches(@"events\s+2024-08\s+-\s+40,000\s+40\s", list.Output);
            Assert.True(restore.ExitCode == 0, restore.Error);
            Assert.Contains("Restored 40000 rows", restore.Output, StringComparison.Ordinal);
            Assert.Equal(before, await db.QuerySingleAsync<(long, decimal)>(Whole));
        }
        finally
        {
            await blobs.DeleteIfExistsAsync();
        }
    }
}
