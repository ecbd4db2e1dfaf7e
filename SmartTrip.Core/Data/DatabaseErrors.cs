using System.Net.Sockets;
using Npgsql;

namespace SmartTrip.Core.Data;

/// <summary>Tells a database that cannot be reached apart from one that answered with an error.</summary>
public static class DatabaseErrors
{
    /// <summary>True for any failure that comes from the database or the way to it.</summary>
    public static bool IsDatabaseFailure(Exception exception) =>
        exception is NpgsqlException or DatabaseCheckTimeoutException || exception.InnerException is NpgsqlException;

    /// <summary>
    /// True when the database refused the data itself (SQLSTATE class 22, data exception, or 23, integrity constraint
    /// violation): retrying cannot help, so it is never reported as "unavailable".
    /// </summary>
    public static bool IsDataError(Exception exception) =>
        (exception as PostgresException ?? exception.InnerException as PostgresException) is { } pg &&
        (pg.SqlState.StartsWith("22", StringComparison.Ordinal) || pg.SqlState.StartsWith("23", StringComparison.Ordinal));

    /// <summary>
    /// True when the database could not be reached: connection refused or broken, authentication, a missing
    /// database, the server shutting down, timeouts.
    /// </summary>
    public static bool IsUnavailable(Exception exception)
    {
        if (exception is DatabaseCheckTimeoutException)
        {
            return true;
        }

        var npgsql = exception as NpgsqlException ?? exception.InnerException as NpgsqlException;
        if (npgsql is null)
        {
            return false;
        }

        if (npgsql is PostgresException pg)
        {
            return pg.SqlState.StartsWith("08", StringComparison.Ordinal) // connection exception
                || pg.SqlState.StartsWith("28", StringComparison.Ordinal) // invalid authorization
                || pg.SqlState.StartsWith("53", StringComparison.Ordinal) // insufficient resources (too many connections)
                || pg.SqlState is "3D000" or "57P01" or "57P02" or "57P03";
        }

        // Not a server error: the connection failed, broke or timed out.
        return npgsql.InnerException is SocketException or TimeoutException or IOException
            || npgsql.IsTransient
            || npgsql is NpgsqlException { InnerException: null };
    }
}
