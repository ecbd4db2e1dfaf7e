using Dapper;
using Npgsql;

namespace SmartTrip.Core.Tracking;

/// <summary>
/// User resolution of events.md §1.1 (D19), run inside the caller's transaction: by verified <c>sub</c>, then by
/// anonymous id, then by verified email among rows no account has claimed; otherwise a new user. A client-sent email
/// is never an input.
/// </summary>
public static class UserResolver
{
    private sealed record UserRow
    {
        public int Id { get; init; }
        public Guid AnonymousId { get; init; }
        public string? AuthUserId { get; init; }
    }

    private const string Columns = "id, anonymous_id, auth_user_id";

    /// <param name="touchGuest">
    /// Whether a guest's <c>last_seen_at</c> is moved here. The drain passes false: it moves it with the counters, in
    /// user-id order, so concurrent messages never lock users in different orders.
    /// </param>
    public static async Task<int> ResolveAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid anonymousId, VerifiedIdentity? identity, DateTimeOffset now,
        bool touchGuest = true)
    {
        Task<UserRow?> FindAsync(string where, object args) =>
            connection.QuerySingleOrDefaultAsync<UserRow>($"SELECT {Columns} FROM users WHERE {where}", args, transaction);

        var byAuth = identity is null ? null : await FindAsync("auth_user_id = @Sub", new { identity.Sub });
        var found = byAuth;
        var foundByAnonymousId = false;
        if (found is null)
        {
            found = await FindAsync("anonymous_id = @anonymousId", new { anonymousId });
            foundByAnonymousId = found is not null;
            if (found is not null && identity is not null && found.AuthUserId is not null && found.AuthUserId != identity.Sub)
            {
                // Two accounts on one browser: the other account keeps its row under a fresh anonymous id.
                await connection.ExecuteAsync(
                    "UPDATE users SET anonymous_id = gen_random_uuid(), updated_at = @now WHERE id = @Id",
                    new { found.Id, now }, transaction);
                found = null;
                foundByAnonymousId = false;
            }
        }

        if (found is null && identity?.Email is { } email)
        {
            // Only a row no account has claimed: an email never takes over another sub's user (events.md §1.1 step 3).
            found = await FindAsync("email = @email AND auth_user_id IS NULL", new { email });
        }

        if (found is null)
        {
            var created = await connection.QuerySingleOrDefaultAsync<int?>(
                """
                INSERT INTO users (anonymous_id, auth_user_id, email, is_registered, total_sessions, total_searches, total_clicks,
                                   is_active, first_seen_at, last_seen_at, created_at, updated_at)
                VALUES (@anonymousId, @Sub, CASE WHEN NOT EXISTS (SELECT 1 FROM users WHERE email = @Email) THEN @Email END,
                        @registered, 0, 0, 0, TRUE, @now, @now, @now, @now)
                ON CONFLICT (anonymous_id) DO NOTHING
                RETURNING id
                """,
                new { anonymousId, identity?.Sub, identity?.Email, registered = identity is not null, now },
                transaction);
            if (created is { } id)
            {
                return id;
            }

            // Another request created it a moment ago.
            found = await FindAsync("anonymous_id = @anonymousId", new { anonymousId })
                    ?? throw new InvalidOperationException("A user vanished while being created.");
            foundByAnonymousId = true;
        }

        if (identity is null && !touchGuest)
        {
            return found.Id;
        }

        if (identity is null)
        {
            await connection.ExecuteAsync(
                """
                UPDATE users SET last_seen_at = GREATEST(last_seen_at, @now),
                                 updated_at = CASE WHEN last_seen_at IS NULL OR last_seen_at < @now THEN @now ELSE updated_at END
                 WHERE id = @Id
                """,
                new { found.Id, now }, transaction);
            return found.Id;
        }

        await connection.ExecuteAsync(
            """
            UPDATE users u SET
                   auth_user_id = COALESCE(u.auth_user_id, @Sub),
                   email = CASE WHEN @Email IS NOT NULL AND u.email IS DISTINCT FROM @Email
                                 AND NOT EXISTS (SELECT 1 FROM users o WHERE o.email = @Email AND o.id <> u.id)
                                THEN @Email ELSE u.email END,
                   is_registered = TRUE,
                   anonymous_id = CASE WHEN @relink AND u.anonymous_id <> @anonymousId
                                        AND NOT EXISTS (SELECT 1 FROM users o WHERE o.anonymous_id = @anonymousId AND o.id <> u.id)
                                       THEN @anonymousId ELSE u.anonymous_id END,
                   last_seen_at = GREATEST(u.last_seen_at, @now),
                   updated_at = @now
             WHERE u.id = @Id
            """,
            new { found.Id, identity.Sub, identity.Email, relink = !foundByAnonymousId, anonymousId, now },
            transaction);
        return found.Id;
    }
}
