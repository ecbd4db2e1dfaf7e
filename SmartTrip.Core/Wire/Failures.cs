using SmartTrip.Core.Data;
using SmartTrip.Core.Tracking;

namespace SmartTrip.Core.Wire;

/// <summary>What went wrong when a request that was not refused still failed.</summary>
public enum FailureKind
{
    /// <summary>Something outside the app is away or failing in a way a retry can outlast: 503 with <c>Retry-After</c>.</summary>
    Unavailable,

    /// <summary>A defect of the app (a data error the database refused among them): 500 with an <c>error_id</c>.</summary>
    Defect,
}

/// <summary>Tells an exception's <see cref="FailureKind"/>, the same way for the HTTP error path and the command-line tool.</summary>
public static class Failures
{
    public static FailureKind Classify(Exception exception) =>
        (DatabaseErrors.IsDatabaseFailure(exception) && !DatabaseErrors.IsDataError(exception)) || exception is EventQueueUnavailableException
            ? FailureKind.Unavailable
            : FailureKind.Defect;

    /// <summary>The message of an unavailable dependency (the database unreachable, the database failing, the queue).</summary>
    public static string UnavailableMessage(Exception exception) =>
        exception is EventQueueUnavailableException ? ErrorMessages.QueueUnavailable
        : DatabaseErrors.IsUnavailable(exception) ? ErrorMessages.DatabaseUnavailable
        : ErrorMessages.DatabaseFailed;
}
