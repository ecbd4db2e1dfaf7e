using System.Globalization;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using SmartTrip.Core.Data;
using SmartTrip.Core.Tracking;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Data;

/// <summary>
/// The two logs as monthly partitions (migration 0011, decision 0012): the conversion of a populated database, the
/// partitions kept ahead, and exactly-once storage of events across partitions.
/// </summary>
public sealed class PartitionedLogTests
{
    private static DateTime Utc(string text) => DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    private static string Month(DateTime instant) => instant.ToString("yyyy_MM", CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_populated_database_is_converted_in_place_every_row_in_the_partition_of_its_month()
    {
        var connectionString = await TestServices.CreateDatabaseAsync("partition");
        var migrator = new DatabaseMigrator(NullLogger<DatabaseMigrator>.Instance);
        migrator.Migrate(connectionString, upTo: "0010_experiments");
        await using var db = new NpgsqlConnection(connectionString);
        // Rows of three past months, one on a month's first instant and one on its last, as the previous release left them.
        string[] instants = ["2026-08-15T12:00:00Z", "2026-09-01T00:00:00Z", "2026-09-30T23:59:59.999Z", "2026-10-31T23:00:00Z"];
        var received = instants.Select(Utc).ToList();
        await db.ExecuteAsync(
            """
            INSERT INTO users (anonymous_id, is_registered, total_sessions, total_searches, total_clicks, is_active, first_seen_at, last_seen_at, created_at, updated_at)
            VALUES ('c2a6f0d4-98e1-4b3a-a7f5-0e4d1c2b3a59', FALSE, 0, 0, 0, TRUE, now(), now(), now(), now());
            INSERT INTO events (event_id, user_id, session_id, anonymous_id, event_type_id, trip_id, event_data, "timestamp", created_at)
            SELECT gen_random_uuid(), 1, gen_random_uuid(), 'c2a6f0d4-98e1-4b3a-a7f5-0e4d1c2b3a59',
                   (SELECT id FROM event_types WHERE name = 'impression'), 5, jsonb_build_object('n', n), t, t
              FROM unnest(@received::timestamptz[]) WITH ORDINALITY AS r(t, n);
            INSERT INTO trip_interactions (trip_id, impression_count) VALUES (5, 4);
            INSERT INTO recommendation_requests (request_id, created_at, preferences, response_time_ms, total_candidates, primary_count,
                                                 final_count, result_trip_ids, result_scores, search_type)
            SELECT gen_random_uuid(), t, '{}', 10, 5, 1, 1, '{1}', '{50}', 'exploration' FROM unnest(@received::timestamptz[]) AS r(t);
            """, new { received });
        var before = (await db.QueryAsync<(long Id, Guid EventId, DateTime At, string Data)>(
            "SELECT id, event_id, \"timestamp\", event_data::text FROM events ORDER BY id")).ToList();
        var requestsBefore = (await db.QueryAsync<(int Id, Guid RequestId, DateTime At)>(
            "SELECT id, request_id, created_at FROM recommendation_requests ORDER BY id")).ToList();

        var applied = migrator.Migrate(connectionString, upTo: "0011_partitioned_logs");

        Assert.Equal(["SmartTrip.Core.Data.Migrations.0011_partitioned_logs.sql"], applied.AppliedScripts);
        var after = (await db.QueryAsync<(long Id, Guid EventId, DateTime At, string Data, string Partition)>(
            "SELECT id, event_id, \"timestamp\", event_data::text, tableoid::regclass::text FROM events ORDER BY id")).ToList();
        Assert.Equal(before, after.Select(r => (r.Id, r.EventId, r.At, r.Data)));
        Assert.Equal(received.Select(t => $"events_{Month(t)}"), after.Select(r => r.Partition));
        var requestsAfter = (await db.QueryAsync<(int Id, Guid RequestId, DateTime At, string Partition)>(
            "SELECT id, request_id, created_at, tableoid::regclass::text FROM recommendation_requests ORDER BY id")).ToList();
        Assert.Equal(requestsBefore, requestsAfter.Select(r => (r.Id, r.RequestId, r.At)));
        Assert.Equal(received.Select(t => $"recommendation_requests_{Month(t)}"), requestsAfter.Select(r => r.Partition));
        // Every stored event id is claimed with its receive time; the months between the data and now exist too.
        Assert.Equal(before.Select(r => (r.EventId, r.At)).Order(),
            (await db.QueryAsync<(Guid, DateTime)>("SELECT event_id, received_at FROM event_ids")).Order());
        Assert.NotNull(await db.ExecuteScalarAsync<string?>("SELECT to_regclass('events_2026_11')::text"));

        // The sequences go on where they were, and a request row is unique by its id and time.
        var next = await db.ExecuteScalarAsync<long>(
            "INSERT INTO events (event_id, session_id, anonymous_id, event_type_id) VALUES (gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 1) RETURNING id");
        Assert.Equal(before[^1].Id + 1, next);
        var duplicate = await Assert.ThrowsAsync<PostgresException>(() => db.ExecuteAsync(
            """
            INSERT INTO recommendation_requests (request_id, created_at, preferences, response_time_ms, total_candidates, primary_count,
                                                 final_count, result_trip_ids, result_scores, search_type)
            SELECT request_id, created_at, '{}', 1, 1, 1, 1, '{1}', '{1}', 'exploration' FROM recommendation_requests WHERE id = 1
            """));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, duplicate.SqlState);
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("SELECT (SELECT count(*) FROM events_default) + (SELECT count(*) FROM recommendation_requests_default)"));

        // 0012 fills the audience from these events: one browser saw trip 5 four times.
        migrator.Migrate(connectionString);
        Assert.Equal((1, 0), await db.QuerySingleAsync<(int, int)>("SELECT unique_viewers, unique_clickers FROM trip_interactions WHERE trip_id = 5"));
    }

    [Fact]
    public async Task Partitions_are_kept_ahead_idempotently_by_the_apps_login_which_can_do_nothing_else()
    {
        var connectionString = await TestServices.CreateDatabaseAsync("ahead");
        new DatabaseMigrator(NullLogger<DatabaseMigrator>.Instance).Migrate(connectionString);
        var login = $"app_{Guid.NewGuid():N}"[..20];
        await DatabaseMigrator.EnsureAppLoginAsync(connectionString, login, "app-password-1", CancellationToken.None);
        await using var app = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Username = login, Password = "app-password-1" }.ConnectionString);

        var created = await app.ExecuteScalarAsync<int>("SELECT smarttrip_ensure_partitions(6)");
        var again = await app.ExecuteScalarAsync<int>("SELECT smarttrip_ensure_partitions(6)");
        var other = await Assert.ThrowsAsync<PostgresException>(() => app.ExecuteScalarAsync<int>("SELECT smarttrip_create_month_partition('users', '2027-01-01')"));
        var ddl = await Assert.ThrowsAsync<PostgresException>(() => app.ExecuteAsync("CREATE TABLE events_9999_01 PARTITION OF events FOR VALUES FROM ('9999-01-01') TO ('9999-02-01')"));

        Assert.Equal((6, 0), (created, again)); // months 4 to 6 ahead of both logs; the migration made this month and three ahead
        Assert.Contains("not a partitioned log", other.MessageText);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, ddl.SqlState);
        var sixAhead = DateTime.UtcNow.AddMonths(6);
        await app.ExecuteAsync($"INSERT INTO events (event_id, session_id, anonymous_id, event_type_id, \"timestamp\") VALUES (gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 1, @sixAhead)", new { sixAhead });
        Assert.Equal($"events_{Month(sixAhead)}", await app.ExecuteScalarAsync<string>("SELECT tableoid::regclass::text FROM events"));
    }

    /// <summary>
    /// The partition functions decide by the database's own rules (migration 0016), not by what the app's login passes.
    /// Each assertion performs an attack that worked on the old functions: the current month dropped by a login that
    /// counted its rows and summed its ids itself; months created at any date; a temporary table named like a missing
    /// month taken for it (the month was then never created and its rows fell to the default partition).
    /// </summary>
    [Fact]
    public async Task The_partition_functions_decide_by_the_archive_age_and_public_names_not_by_the_callers_numbers()
    {
        var connectionString = await TestServices.CreateDatabaseAsync("authority");
        new DatabaseMigrator(NullLogger<DatabaseMigrator>.Instance).Migrate(connectionString);
        var login = $"app_{Guid.NewGuid():N}"[..20];
        await DatabaseMigrator.EnsureAppLoginAsync(connectionString, login, "app-password-1", CancellationToken.None);
        await using var app = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Username = login, Password = "app-password-1" }.ConnectionString);
        await using var admin = new NpgsqlConnection(connectionString);
        var thisMonth = new DateTime(DateTime.UtcNow.Year, DateTime.UtcNow.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        await admin.ExecuteAsync("""INSERT INTO events (event_id, session_id, anonymous_id, event_type_id, "timestamp") VALUES (gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 1, now())""");
        var (rows, idSum) = await app.QuerySingleAsync<(long, decimal)>($"SELECT count(*), coalesce(sum(id), 0) FROM events_{Month(thisMonth)}");

        var drop = await Assert.ThrowsAsync<PostgresException>(() => app.ExecuteAsync(
            "SELECT smarttrip_drop_month_partition('events', @month::date, @rows, @idSum)", new { month = thisMonth, rows, idSum }));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, drop.SqlState);
        Assert.Equal(1, await admin.ExecuteScalarAsync<long>($"SELECT count(*) FROM events_{Month(thisMonth)}"));

        async Task<string?> CreateAsync(DateTime month)
        {
            try
            {
                await app.ExecuteScalarAsync<int>("SELECT smarttrip_create_month_partition('events', @month::date)", new { month });
                return null;
            }
            catch (PostgresException e)
            {
                return e.SqlState;
            }
        }

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, await CreateAsync(thisMonth.AddMonths(-1))); // not ahead, not archived
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, await CreateAsync(thisMonth.AddMonths(25)));
        Assert.Null(await CreateAsync(thisMonth.AddMonths(24)));
        Assert.Null(await CreateAsync(thisMonth.AddMonths(-14))); // past the archive age (13): a restore's month

        // The archive age is the administrator's: the app's login reads it and cannot change it, nor make temporary tables.
        Assert.Equal(13, await app.ExecuteScalarAsync<int>("SELECT archive_after_months FROM lifecycle_policy"));
        var update = await Assert.ThrowsAsync<PostgresException>(() => app.ExecuteAsync("UPDATE lifecycle_policy SET archive_after_months = 1"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, update.SqlState);
        var temp = await Assert.ThrowsAsync<PostgresException>(() => app.ExecuteAsync("CREATE TEMP TABLE shadow (id int)"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, temp.SqlState);

        // A temporary table named like a missing month (made here by the administrator, who still may) does not stand for it.
        var missing = thisMonth.AddMonths(9);
        await admin.OpenAsync();
        await admin.ExecuteAsync($"CREATE TEMP TABLE events_{Month(missing)} (id bigint)");
        Assert.Equal(1, await admin.ExecuteScalarAsync<int>("SELECT smarttrip_create_month_partition('events', @missing::date)", new { missing }));
        Assert.Equal(1, await admin.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relname = @name",
            new { name = $"events_{Month(missing)}" }));
    }

    [Fact]
    public async Task An_event_is_stored_once_across_partitions_when_its_client_sends_it_again_the_next_day_in_the_next_month()
    {
        var connectionString = await TestServices.CreateDatabaseAsync("dedupe");
        new DatabaseMigrator(NullLogger<DatabaseMigrator>.Instance).Migrate(connectionString);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var drain = new EventsDrainService(dataSource, TimeProvider.System);
        var monthEnd = new DateTimeOffset(DateTime.UtcNow.Year, DateTime.UtcNow.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1).AddMinutes(-1);
        var first = EventValidator.Validate(JsonDocument.Parse($$"""
            {"event_id":"{{Guid.NewGuid()}}","event_type":"search_submit","session_id":"{{Guid.NewGuid()}}","anonymous_id":"{{Guid.NewGuid()}}"}
            """).RootElement, 0).Event!;
        var other = first with { EventId = Guid.NewGuid() };

        // The first copy on the month's last minute; the client's retry (with a new event beside it) a day later.
        var stored = await drain.DrainAsync(new EventEnvelope { ReceivedAt = monthEnd, Events = [first] }, CancellationToken.None);
        var retried = await drain.DrainAsync(new EventEnvelope { ReceivedAt = monthEnd.AddDays(1), Events = [first, other with { Index = 1 }] }, CancellationToken.None);
        var redelivered = await drain.DrainAsync(new EventEnvelope { ReceivedAt = monthEnd.AddDays(1), Events = [first, other with { Index = 1 }] }, CancellationToken.None);

        Assert.Equal((1, 1, 0), (stored.Inserted, retried.Inserted, redelivered.Inserted));
        await using var db = new NpgsqlConnection(connectionString);
        var rows = (await db.QueryAsync<(Guid EventId, string Partition)>("SELECT event_id, tableoid::regclass::text FROM events ORDER BY id")).ToList();
        Assert.Equal([(first.EventId, $"events_{Month(monthEnd.UtcDateTime)}"), (other.EventId, $"events_{Month(monthEnd.AddDays(1).UtcDateTime)}")], rows);
        Assert.Equal(2, await db.ExecuteScalarAsync<int>("SELECT total_searches FROM users")); // counters moved once per event
    }

    [Fact]
    public async Task Maintenance_forgets_event_ids_past_the_dedupe_window_and_counts_rows_no_month_took()
    {
        var connectionString = await TestServices.CreateDatabaseAsync("maintain");
        new DatabaseMigrator(NullLogger<DatabaseMigrator>.Instance).Migrate(connectionString);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var maintenance = new PartitionMaintenance(
            dataSource, Microsoft.Extensions.Options.Options.Create(new LifecycleOptions { DedupeDays = 35, MonthsAhead = 3 }), clock);
        await using var db = new NpgsqlConnection(connectionString);
        var now = clock.GetUtcNow();
        var ages = new[] { 400, 36, 35.01, 34.99, 1, 0 };
        await db.ExecuteAsync("INSERT INTO event_ids (event_id, received_at) SELECT gen_random_uuid(), unnest(@at::timestamptz[])",
            new { at = ages.Select(days => now.AddDays(-days).UtcDateTime).ToArray() });
        // A row from before the oldest month partition, as a backfill could bring: the default partition takes it.
        await db.ExecuteAsync("INSERT INTO events (event_id, session_id, anonymous_id, event_type_id, \"timestamp\") VALUES (gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 1, '2020-01-01T00:00:00Z')");

        var first = await maintenance.RunAsync(CancellationToken.None);
        var second = await maintenance.RunAsync(CancellationToken.None);
        var strays = await maintenance.DefaultRowsAsync(CancellationToken.None);

        Assert.Equal(new PartitionMaintenanceResult(0, 3), first); // the migration made the months already
        Assert.Equal(new PartitionMaintenanceResult(0, 0), second);
        Assert.Equal(3, await db.ExecuteScalarAsync<int>("SELECT count(*) FROM event_ids"));
        Assert.Equal(new DefaultPartitionRows(1, 0), strays);
        Assert.True(strays.Any);
    }

    /// <summary>analytics.md §5's definition, recounted from every event there is: what the drain's counters must equal.</summary>
    private const string FullRecount = """
        SELECT o.trip_id,
               (SELECT count(DISTINCT anonymous_id) FROM events e WHERE e.trip_id = o.trip_id AND e.event_type_id = (SELECT id FROM event_types WHERE name = 'impression')),
               (SELECT count(DISTINCT anonymous_id) FROM events e WHERE e.trip_id = o.trip_id AND e.event_type_id = (SELECT id FROM event_types WHERE name = 'click_trip'))
          FROM trip_interactions o ORDER BY o.trip_id
        """;

    [Fact]
    public async Task Unique_viewers_and_clickers_kept_by_the_drain_equal_a_full_recount_and_outlive_the_events()
    {
        var connectionString = await TestServices.CreateSeededDatabaseAsync("audience");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var drain = new EventsDrainService(dataSource, TimeProvider.System);
        await using var db = new NpgsqlConnection(connectionString);
        var trips = (await db.QueryAsync<int>("SELECT id FROM trip_occurrences ORDER BY id LIMIT 12")).ToArray();
        var browsers = Enumerable.Range(0, 9).Select(_ => Guid.NewGuid()).ToArray();
        var lastMonth = new DateTimeOffset(DateTime.UtcNow.Year, DateTime.UtcNow.Month, 15, 12, 0, 0, TimeSpan.Zero).AddMonths(-1);
        // Last month is neither ahead nor past the archive age: the app's function refuses it, the administrator makes it.
        await db.ExecuteAsync($"CREATE TABLE events_{Month(lastMonth.UtcDateTime)} PARTITION OF events FOR VALUES FROM ('{lastMonth.UtcDateTime:yyyy-MM}-01') TO ('{lastMonth.UtcDateTime.AddMonths(1):yyyy-MM}-01')");
        var random = new Random(20261207);
        TrackedEvent Event(int index, Guid browser) => EventValidator.Validate(JsonSerializer.SerializeToElement(new
        {
            event_id = Guid.NewGuid(),
            event_type = new[] { "impression", "impression", "click_trip", "page_view", "save_trip" }[random.Next(5)],
            session_id = Guid.NewGuid(), anonymous_id = browser, trip_id = trips[random.Next(trips.Length)], source = "search_results",
        }), index).Event!;

        // 30 messages of 12 events, each message from one browser; a third of them last month, one delivered twice.
        var messages = Enumerable.Range(0, 30).Select(m =>
        {
            var browser = browsers[random.Next(browsers.Length)];
            return new EventEnvelope
            {
                ReceivedAt = m < 10 ? lastMonth.AddMinutes(m) : DateTimeOffset.UtcNow.AddMinutes(-m),
                Events = Enumerable.Range(0, 12).Select(i => Event(i, browser)).ToList(),
            };
        }).ToList();
        foreach (var message in messages.Append(messages[17]))
        {
            await drain.DrainAsync(message, CancellationToken.None);
        }

        const string Kept = "SELECT trip_id, unique_viewers, unique_clickers FROM trip_interactions ORDER BY trip_id";
        var kept = (await db.QueryAsync<(int, long, long)>(Kept)).ToList();
        Assert.Equal((await db.QueryAsync<(int, long, long)>(FullRecount)).ToList(), kept);
        Assert.Contains(kept, k => k.Item2 > 1); // the data set makes a browser count once on a trip it saw many times

        // Last month archived and dropped: its events are gone, the counts they made stay; a known browser adds nothing.
        await db.ExecuteAsync($"DROP TABLE events_{Month(lastMonth.UtcDateTime)}");
        var known = messages[0].Events.First(e => e.EventType == "impression");
        await drain.DrainAsync(new EventEnvelope { ReceivedAt = DateTimeOffset.UtcNow, Events = [known with { EventId = Guid.NewGuid() }] }, CancellationToken.None);
        Assert.Equal(kept, (await db.QueryAsync<(int, long, long)>(Kept)).ToList());
    }
}
