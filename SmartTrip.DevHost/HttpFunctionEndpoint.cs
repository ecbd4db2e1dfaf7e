using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartTrip.Core.Hosting;
using SmartTrip.Functions.Http;

namespace SmartTrip.DevHost;

/// <summary>
/// Runs one HTTP-triggered function the way the isolated worker does: a new instance of the function class from
/// DI per invocation, parameters bound from the request (the trigger's <see cref="HttpRequest"/>, route values,
/// the cancellation token), and the returned <see cref="IActionResult"/> or <see cref="IResult"/> executed.
/// Parameter binding is checked when the host starts, so an unsupported signature fails fast.
/// </summary>
internal sealed class HttpFunctionEndpoint
{
    private readonly HttpFunctionRoute _route;
    private readonly ObjectFactory? _factory;
    private readonly Func<HttpContext, object?>[] _binders;

    public HttpFunctionEndpoint(HttpFunctionRoute route)
    {
        _route = route;
        _factory = route.Method.IsStatic ? null : ActivatorUtilities.CreateFactory(route.Method.DeclaringType!, Type.EmptyTypes);
        _binders = route.Method.GetParameters().Select(CreateBinder).ToArray();
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var access = services.GetRequiredService<FunctionKeyPolicy>().Check(_route.AuthLevel, context.Request);
        if (access != StatusCodes.Status200OK)
        {
            context.Response.StatusCode = access;
            return;
        }

        // The Functions host logs each invocation this way; tests read it to see which function a request reached.
        services.GetRequiredService<ILoggerFactory>().CreateLogger("Function." + _route.Name)
            .LogInformation("Executing 'Functions.{Function}' (Reason='HTTP request', Id={InvocationId})", _route.Name, context.TraceIdentifier);
        try
        {
            var instance = _factory?.Invoke(services, []);
            var arguments = _binders.Select(b => b(context)).ToArray();
            var returned = _route.Method.Invoke(instance, arguments);
            var result = await UnwrapAsync(returned);
            await ExecuteAsync(result, context);
        }
        catch (Exception thrown) when (IsClientGone(thrown, context))
        {
            // The caller disconnected; there is nobody to answer.
        }
        catch (Exception thrown)
        {
            var exception = thrown is TargetInvocationException { InnerException: { } inner } ? inner : thrown;
            if (context.Response.HasStarted)
            {
                throw;
            }

            var options = services.GetRequiredService<IOptions<ApiOptions>>().Value;
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("SmartTrip.DevHost.Functions");
            await ApiErrors.Answer(exception, options.RetryAfterSeconds, logger, _route.Name).ExecuteAsync(context);
        }
    }

    private static bool IsClientGone(Exception thrown, HttpContext context) =>
        context.RequestAborted.IsCancellationRequested &&
        (thrown is OperationCanceledException || thrown.InnerException is OperationCanceledException);

    private static async Task<object?> UnwrapAsync(object? returned)
    {
        switch (returned)
        {
            case Task task:
                await task;
                var type = task.GetType();
                return type.IsGenericType ? type.GetProperty("Result")!.GetValue(task) : null;
            case ValueTask valueTask:
                await valueTask;
                return null;
            default:
                return returned;
        }
    }

    private static Task ExecuteAsync(object? result, HttpContext context) => result switch
    {
        IResult r => r.ExecuteAsync(context),
        IActionResult a => a.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor())),
        null => Task.CompletedTask,
        _ => throw new InvalidOperationException($"Function returned an unsupported type {result.GetType().Name}."),
    };

    private Func<HttpContext, object?> CreateBinder(ParameterInfo parameter)
    {
        var type = parameter.ParameterType;
        if (type == typeof(HttpRequest))
        {
            return c => c.Request;
        }

        if (type == typeof(HttpContext))
        {
            return c => c;
        }

        if (type == typeof(CancellationToken))
        {
            return c => c.RequestAborted;
        }

        var name = parameter.Name!;
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (RoutePatternFactory.Parse(_route.Route).GetParameter(name) is not null &&
            (target == typeof(string) || target == typeof(int) || target == typeof(long) || target == typeof(Guid)))
        {
            return c => ConvertRouteValue(c.GetRouteValue(name), target, type);
        }

        throw new NotSupportedException(
            $"Function {_route.Name}: the development host cannot bind parameter '{name}' of type {type.Name}.");
    }

    private static object? ConvertRouteValue(object? value, Type target, Type declared)
    {
        if (value is null)
        {
            return declared.IsValueType && Nullable.GetUnderlyingType(declared) is null ? Activator.CreateInstance(declared) : null;
        }

        var text = Convert.ToString(value, CultureInfo.InvariantCulture)!;
        return target == typeof(string) ? text
            : target == typeof(Guid) ? Guid.Parse(text)
            : Convert.ChangeType(text, target, CultureInfo.InvariantCulture);
    }
}
