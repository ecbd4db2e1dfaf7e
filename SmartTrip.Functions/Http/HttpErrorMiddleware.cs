using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartTrip.Core.Hosting;

namespace SmartTrip.Functions.Http;

/// <summary>
/// Worker middleware of the HTTP functions. It writes the function's result to the response itself and then clears the
/// invocation result: left in place, the result object (the whole response body included) would also be serialised
/// into the worker's gRPC answer, which the Functions host parses as JSON and throws away, since under ASP.NET Core
/// integration the response travels over HTTP. An exception escaping a function becomes the JSON error of
/// <see cref="ApiErrors"/>, logged once. Queue and timer functions are left alone so the host retries them.
/// </summary>
public sealed class HttpErrorMiddleware(IOptions<ApiOptions> options, ILogger<HttpErrorMiddleware> logger)
    : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
            if (context.GetHttpContext() is { } httpContext && context.GetInvocationResult() is { Value: IActionResult result } invocation)
            {
                invocation.Value = null;
                if (!httpContext.RequestAborted.IsCancellationRequested)
                {
                    await result.ExecuteResultAsync(new ActionContext(httpContext, httpContext.GetRouteData(), new ActionDescriptor()));
                }
            }
        }
        catch (Exception exception) when (context.GetHttpContext() is { Response.HasStarted: false, RequestAborted.IsCancellationRequested: false } httpContext)
        {
            await ApiErrors.Answer(exception, options.Value.RetryAfterSeconds, logger, context.FunctionDefinition.Name)
                .ExecuteAsync(httpContext);
        }
    }
}
