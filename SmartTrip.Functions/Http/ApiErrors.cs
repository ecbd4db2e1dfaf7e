using System.Collections.Frozen;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SmartTrip.Core.Data;
using SmartTrip.Core.Recommendations;
using SmartTrip.Core.Validation;
using SmartTrip.Core.Wire;

namespace SmartTrip.Functions.Http;

/// <summary>The shape of a function's error bodies.</summary>
public enum ErrorShape
{
    /// <summary><see cref="ErrorBody"/>, with the messages of api.md §1.4.</summary>
    Standard,

    /// <summary><see cref="RecommendationErrorBody"/>: <c>api_version</c> and the Hebrew messages of api.md §6.4.</summary>
    Recommendations,
}

/// <summary>The error bodies a function answers with, when not <see cref="ErrorShape.Standard"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ApiErrorShapeAttribute(ErrorShape shape) : Attribute
{
    public ErrorShape Shape { get; } = shape;
}

/// <summary>
/// The one error path of every HTTP function, for both hosts (the worker middleware and the development host): a body
/// refused (400, 413) and an exception that escaped a function become the response the client sees, in the shape the
/// function declares (<see cref="ApiErrorShapeAttribute"/>, which the OpenAPI document reads too). Never exception text.
/// 503 with <c>Retry-After</c> only when something outside the app is away or failing in a way a retry can outlast
/// (<see cref="Failures"/>); anything else, a data error the database refused among them, is a defect: 500 with an
/// <c>error_id</c> that the log line carries too.
/// </summary>
public static class ApiErrors
{
    private static readonly FrozenDictionary<string, ErrorShape> Shapes = HttpRouteTable.Default.Routes
        .ToFrozenDictionary(r => r.Name, r => ShapeOf(r.Method), StringComparer.Ordinal);

    /// <summary>The error shape a function declares.</summary>
    public static ErrorShape ShapeOf(MethodInfo function) => function.GetCustomAttribute<ApiErrorShapeAttribute>()?.Shape ?? ErrorShape.Standard;

    /// <summary>The error shape of the function of that name (standard for a name the app does not have).</summary>
    public static ErrorShape ShapeOf(string function) => Shapes.GetValueOrDefault(function);

    /// <summary>The type of the error bodies of a shape (the OpenAPI document's schema for them).</summary>
    public static Type BodyType(ErrorShape shape) => shape == ErrorShape.Recommendations ? typeof(RecommendationErrorBody) : typeof(ErrorBody);

    /// <summary>An error body of the shape.</summary>
    public static FailureBody Body(ErrorShape shape, string message, IReadOnlyList<FieldError>? errors = null, string? errorId = null) =>
        shape == ErrorShape.Recommendations ? new RecommendationErrorBody(message, errors, errorId) : new ErrorBody(message, errors, errorId);

    /// <summary>A request refused: its status and message, in the shape.</summary>
    public static ApiResult Refused(ErrorShape shape, int status, string message, IReadOnlyList<FieldError>? errors = null) =>
        new(status, Body(shape, message, errors));

    /// <summary>The 413 of a body over the limit, in the shape.</summary>
    public static ApiResult TooLarge(ErrorShape shape) => Refused(shape, StatusCodes.Status413PayloadTooLarge, ErrorMessages.BodyTooLarge);

    /// <summary>Logs the failure once and returns the response of the function of that name.</summary>
    public static ApiResult Answer(Exception exception, int retryAfterSeconds, ILogger logger, string function)
    {
        var result = FromException(exception, retryAfterSeconds, ShapeOf(function), out var errorId);
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

    /// <summary>The response for an exception in the shape; <paramref name="errorId"/> is set for a 500.</summary>
    public static ApiResult FromException(Exception exception, int retryAfterSeconds, ErrorShape shape, out string? errorId)
    {
        errorId = null;
        if (exception is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            return TooLarge(shape);
        }

        if (Failures.Classify(exception) == FailureKind.Unavailable)
        {
            return new ApiResult(503, Body(shape, UnavailableMessage(exception, shape)), Respond.RetryAfter(retryAfterSeconds));
        }

        errorId = Guid.NewGuid().ToString("N")[..12];
        return new ApiResult(500, Body(shape, DefectMessage(exception, shape), errorId: errorId));
    }

    private static string UnavailableMessage(Exception exception, ErrorShape shape) =>
        shape == ErrorShape.Recommendations && DatabaseErrors.IsDatabaseFailure(exception)
            ? DatabaseErrors.IsUnavailable(exception) ? ErrorMessages.Recommendations.DatabaseUnavailable : ErrorMessages.Recommendations.DatabaseFailed
            : Failures.UnavailableMessage(exception);

    private static string DefectMessage(Exception exception, ErrorShape shape) =>
        shape != ErrorShape.Recommendations ? ErrorMessages.InternalError
        : exception is RecommendationEngineException ? ErrorMessages.Recommendations.EngineFailed
        : ErrorMessages.Recommendations.RequestFailed;
}
