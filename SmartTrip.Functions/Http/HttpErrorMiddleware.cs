using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartTrip.Core.Platform;

namespace SmartTrip.Functions.Http;

/// <summary>
/// Worker middleware: an exception escaping an HTTP function becomes the JSON error of <see cref="ApiErrors"/>,
/// logged once. Queue and timer functions are left alone so the host retries them.
/// </summary>
public sealed class HttpErrorMiddleware(IOptions<ApiOptions> options, ILogger<HttpErrorMiddleware> logger)
    : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception exception) when (context.GetHttpContext() is { } httpContext)
        {
            var result = ApiErrors.FromException(exception, options.Value.RetryAfterSeconds);
            LogFailure(logger, exception, context.FunctionDefinition.Name, result.StatusCode);
            await result.ExecuteAsync(httpContext);
        }
    }

    public static void LogFailure(ILogger logger, Exception exception, string function, int status)
    {
        if (ApiErrors.IsExpected(exception))
        {
            logger.LogWarning(exception, "Function {Function} answered {Status}", function, status);
        }
        else
        {
            logger.LogError(exception, "Function {Function} failed and answered {Status}", function, status);
        }
    }
}
