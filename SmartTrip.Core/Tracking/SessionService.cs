using System.Net;
using System.Text.Json;
using Dapper;
using Npgsql;
using SmartTrip.Core.Validation;

namespace SmartTrip.Core.Tracking;

/// <summary>What <c>session/start</c> was asked, already validated.</summary>
public sealed record SessionStart(Guid SessionId, Guid AnonymousId, string? DeviceType, string? Referrer, string? UserAgent, IPAddress? IpAddress);

public enum SessionStartStatus
{
    Created,
    Resumed,
    Ended,
}

public sealed record SessionStartResult(SessionStartStatus Status, int UserId, Guid SessionId);

internal sealed record SessionRow
{
    public Guid SessionId { get; init; }
    public DateTime? EndedAt { get; init; }
}

/// <summary>Sessions and identities written synchronously by the HTTP functions (events.md §1.2, §1.5).</summary>
public sealed class SessionService(NpgsqlDataSource dataSource, TimeProvider clock)
{
    /// <summary>The most UTF-8 bytes of a <c>User-Agent</c> stored; a longer one is cut there, at a character's start.</summary>
    public const int MaxUserAgentBytes = 512;

    /// <summary>
    /// The checks of <c>session/start</c> (events.md §1.2), in order: the session to start, or the 400 message of the
    /// first check that fails. The user agent and client address come from the request, not the body.
    /// </summary>
    public static (SessionStart? Start, string? Error) ReadStart(JsonElement body, string? userAgent, IPAddress? ip)
    {
        foreach (var field in new[] { "session_id", "anonymous_id" })
        {
            if (!body.TryGetProperty(field, out var value) || IsEmpty(value))
            {
                return (null, $"{field} required");
            }
        }

        var session = body.GetProperty("session_id");
        var anonymous = body.GetProperty("anonymous_id");
        if (session.ValueKind != JsonValueKind.String || !TrackingIds.TryParseUuid(session.GetString(), out var sessionId) ||
            anonymous.ValueKind != JsonValueKind.String || !TrackingIds.TryParseUuid(anonymous.GetString(), out var anonymousId))
        {
            return (null, "Invalid UUID format for session_id or anonymous_id");
        }

        string? device = null, referrer = null;
        if (body.TryGetProperty("device_type", out var deviceValue) && deviceValue.ValueKind != JsonValueKind.Null)
        {
            if (deviceValue.ValueKind != JsonValueKind.String || deviceValue.GetString()!.Length > 20)
            {
                return (null, "device_type must be a string of at most 20 characters");
            }

            device = deviceValue.GetString();
        }

        if (body.TryGetProperty("referrer", out var referrerValue) && referrerValue.ValueKind != JsonValueKind.Null)
        {
            if (referrerValue.ValueKind != JsonValueKind.String || JsonBody.StringBytes(referrerValue) > EventValidator.MaxUrlBytes)
            {
                return (null, $"referrer must be a string of at most {EventValidator.MaxUrlBytes} bytes (UTF-8)");
            }

            referrer = referrerValue.GetString();
        }

        // The header is the browser's, not the caller's choice of data: a long one is kept shortened rather than refused.
        var agent = userAgent is null ? null : CutToBytes(userAgent, MaxUserAgentBytes);
        return (new SessionStart(sessionId, anonymousId, device, referrer, agent, ip), null);
    }

    /// <summary>The longest start of <paramref name="text"/> whose UTF-8 form fits <paramref name="bytes"/>, never cut inside a character.</summary>
    public static string CutToBytes(string text, int bytes)
    {
        if (text.Length * 3 <= bytes || System.Text.Encoding.UTF8.GetByteCount(text) <= bytes)
        {
            return text;
        }

        var used = 0;
        var end = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (used + rune.Utf8SequenceLength > bytes)
            {
                break;
            }

            used += rune.Utf8SequenceLength;
            end += rune.Utf16SequenceLength;
        }

        return text[..end];
    }

    /// <summary>The browser id of a <c>user/identify</c> body (events.md §1.1), or the 400 message.</summary>
    public static (Guid? AnonymousId, string? Error) ReadIdentify(JsonElement body)
    {
        if (!body.TryGetProperty("anonymous_id", out var anonymous) || IsEmpty(anonymous))
        {
            return (null, "anonymous_id required");
        }

        return anonymous.ValueKind == JsonValueKind.String && TrackingIds.TryParseUuid(anonymous.GetString(), out var anonymousId)
            ? (anonymousId, null)
            : (null, "Invalid UUID format for anonymous_id");
    }

    /// <summary>A required field given as null or "" counts as missing.</summary>
    private static bool IsEmpty(JsonElement value) =>
        value.ValueKind == JsonValueKind.Null || value.ValueKind == JsonValueKind.String && value.GetString()!.Length == 0;

    /// <summary>Creates or resumes a session in one transaction; an ended session writes nothing.</summary>
    public async Task<SessionStartResult> StartAsync(SessionStart start, VerifiedIdentity? identity, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await TryStartAsync(start, identity, ct);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && attempt == 0)
            {
                // Two starts of the same new session (or user) raced; the second attempt resumes.
            }
        }
    }

    private async Task<SessionStartResult> TryStartAsync(SessionStart start, VerifiedIdentity? identity, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var userId = await UserResolver.ResolveAsync(connection, transaction, start.AnonymousId, identity, now);

        var existing = await connection.QuerySingleOrDefaultAsync<SessionRow>(
            "SELECT session_id, ended_at FROM sessions WHERE session_id = @SessionId", new { start.SessionId }, transaction);
        if (existing is not null)
        {
            if (existing.EndedAt is not null)
            {
                await transaction.RollbackAsync(ct);
                return new SessionStartResult(SessionStartStatus.Ended, userId, start.SessionId);
            }

            await transaction.CommitAsync(ct);
            return new SessionStartResult(SessionStartStatus.Resumed, userId, start.SessionId);
        }

        await connection.ExecuteAsync(
            """
            INSERT INTO sessions (session_id, user_id, anonymous_id, started_at, user_agent, ip_address, referrer, device_type, created_at)
            VALUES (@SessionId, @userId, @AnonymousId, @now, @UserAgent, @IpAddress, @Referrer, @DeviceType, @now);
            UPDATE users SET total_sessions = total_sessions + 1, updated_at = @now WHERE id = @userId;
            """,
            new { start.SessionId, userId, start.AnonymousId, now, start.UserAgent, start.IpAddress, start.Referrer, start.DeviceType },
            transaction);
        await transaction.CommitAsync(ct);
        return new SessionStartResult(SessionStartStatus.Created, userId, start.SessionId);
    }

    /// <summary>Links a verified identity to the browser's user (events.md §1.5).</summary>
    public async Task<int> IdentifyAsync(Guid anonymousId, VerifiedIdentity identity, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var userId = await UserResolver.ResolveAsync(connection, transaction, anonymousId, identity, clock.GetUtcNow());
        await transaction.CommitAsync(ct);
        return userId;
    }

    /// <summary>
    /// CloseIdleSessions (events.md §1.4): one set-based update closing every open session idle for longer than
    /// <paramref name="idle"/>; returns how many were closed.
    /// </summary>
    public async Task<int> CloseIdleSessionsAsync(TimeSpan idle, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            WITH open_sessions AS (
                SELECT s.id, s.started_at,
                       (SELECT max(e."timestamp") FROM events e WHERE e.session_id = s.session_id) AS last_event
                  FROM sessions s
                 WHERE s.ended_at IS NULL
            ), closing AS (
                SELECT id, started_at,
                       CASE WHEN last_event IS NULL THEN started_at + interval '1 minute'
                            ELSE GREATEST(last_event, started_at) END AS ended_at,
                       last_event IS NULL AS without_events
                  FROM open_sessions
                 WHERE (last_event IS NULL AND started_at < @cutoff) OR last_event < @cutoff
            )
            UPDATE sessions s
               SET ended_at = c.ended_at,
                   duration_seconds = CASE WHEN c.without_events THEN 60
                                           ELSE GREATEST(0, floor(extract(epoch FROM c.ended_at - c.started_at)))::int END
              FROM closing c
             WHERE s.id = c.id AND s.ended_at IS NULL
            """,
            new { cutoff = clock.GetUtcNow() - idle },
            cancellationToken: ct));
    }
}
