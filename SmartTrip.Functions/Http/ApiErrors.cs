using Microsoft.AspNetCore.Http;
using SmartTrip.Core.Data;
using SmartTrip.Core.Tracking;

namespace SmartTrip.Functions.Http;

/// <summary>
/// Turns an exception that escaped a function into the response the client sees: never exception text,
/// 503 with <c>Retry-After</c> for the database, 413 for an oversized body, otherwise a JSON 500.
/// Both hosts (the Functions worker middleware and the development host) use this one mapping.
/// </summary>
public static class ApiErrors
{
    public static ApiResult FromException(Exception exception, int retryAfterSeconds)
    {
        if (DatabaseErrors.IsDatabaseFailure(exception))
        {
            var message = DatabaseErrors.IsUnavailable(exception) ? DatabaseErrors.UnavailableMessage : DatabaseErrors.FailedMessage;
            return ApiResults.ServiceUnavailable(message, retryAfterSeconds);
        }

        if (exception is EventQueueUnavailableException)
        {
            return ApiResults.ServiceUnavailable(ApiResults.QueueUnavailable, retryAfterSeconds);
        }

        if (exception is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            return ApiResults.Error(413, ApiResults.BodyTooLarge);
        }

        return ApiResults.Error(500, ApiResults.InternalError);
    }

    /// <summary>True when the exception is the expected outcome of a problem outside the app (logged as a warning).</summary>
    public static bool IsExpected(Exception exception) =>
        DatabaseErrors.IsDatabaseFailure(exception) || exception is EventQueueUnavailableException or BadHttpRequestException || exception is OperationCanceledException;
}
