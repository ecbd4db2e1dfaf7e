using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SmartTrip.Core.Data;
using SmartTrip.Core.Tracking;
using SmartTrip.Core.Wire;

namespace SmartTrip.Functions.Http;

/// <summary>
/// The one place where an exception that escaped a function becomes the response the client sees, for both hosts (the
/// worker middleware and the development host). Never exception text. 503 with <c>Retry-After</c> only when something
/// outside the app is away or failing in a way a retry can outlast (the database unreachable or answering with a server
/// error, the queue unreachable); 413 for an oversized body; anything else, a data error the database refused among
/// them, is a defect: 500 with an <c>error_id</c> that the log line carries too.
/// </summary>
public static class ApiErrors
{
    /// <summary>Logs the failure once and returns its response.</summary>
    public static ApiResult Answer(Exception exception, int retryAfterSeconds, ILogger logger, string function)
    {
        var result = FromException(exception, retryAfterSeconds, out var errorId);
        if (errorId is not null)
        {
            logger.LogError(exception, "Function {Function} failed and answered {Status} with error id {ErrorId}", function, result.StatusCode, errorId);
        }
        else
        {
            logger.LogWarning(exception, "Function {Function} answered {Status}", function, result.StatusCode);
        }

        return result;
    }

    /// <summary>The response for an exception; <paramref name="errorId"/> is set for a 500.</summary>
    public static ApiResult FromException(Exception exception, int retryAfterSeconds, out string? errorId)
    {
        errorId = null;
        if (DatabaseErrors.IsDatabaseFailure(exception) && !DatabaseErrors.IsDataError(exception))
        {
            var message = DatabaseErrors.IsUnavailable(exception) ? DatabaseErrors.UnavailableMessage : DatabaseErrors.FailedMessage;
            return Respond.ServiceUnavailable(message, retryAfterSeconds);
        }

        if (exception is EventQueueUnavailableException)
        {
            return Respond.ServiceUnavailable(Respond.QueueUnavailable, retryAfterSeconds);
        }

        if (exception is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            return Respond.Error(413, Respond.BodyTooLarge);
        }

        errorId = Guid.NewGuid().ToString("N")[..12];
        return new ApiResult(500, new ErrorBody(Respond.InternalError, ErrorId: errorId));
    }
}
