using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace SmartTrip.DevHost;

public enum TriggerKind
{
    Queue,
    Timer,
}

/// <summary>A queue- or timer-triggered function: its name, method and trigger argument (queue name or schedule).</summary>
public sealed record BackgroundFunction(string Name, MethodInfo Method, TriggerKind Kind, string Trigger)
{
    /// <summary>Every queue- and timer-triggered function of an assembly.</summary>
    public static IReadOnlyList<BackgroundFunction> Discover(Assembly assembly) =>
    [
        .. from type in assembly.GetTypes()
           from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
           let function = method.GetCustomAttribute<FunctionAttribute>()
           where function is not null
           from parameter in method.GetParameters()
           let queue = parameter.GetCustomAttribute<QueueTriggerAttribute>()
           let timer = parameter.GetCustomAttribute<TimerTriggerAttribute>()
           where queue is not null || timer is not null
           orderby function.Name
           select queue is not null
               ? new BackgroundFunction(function.Name, method, TriggerKind.Queue, queue.QueueName)
               : new BackgroundFunction(function.Name, method, TriggerKind.Timer, timer!.Schedule),
    ];

    /// <summary>
    /// Runs the function once, as the worker does: a new instance from a DI scope, the trigger value bound to the
    /// trigger parameter (the message text for a queue, a <see cref="TimerInfo"/> for a timer) and the token.
    /// </summary>
    public async Task InvokeAsync(IServiceProvider services, string? input, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var instance = Method.IsStatic ? null : ActivatorUtilities.CreateInstance(scope.ServiceProvider, Method.DeclaringType!);
        var arguments = Method.GetParameters().Select(p => Bind(p, input, ct)).ToArray();
        try
        {
            var returned = Method.Invoke(instance, arguments);
            if (returned is Task task)
            {
                await task;
            }
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
        }
    }

    private object? Bind(ParameterInfo parameter, string? input, CancellationToken ct) =>
        parameter.ParameterType switch
        {
            var t when t == typeof(CancellationToken) => ct,
            var t when t == typeof(string) && Kind == TriggerKind.Queue => input ?? "",
            var t when t == typeof(TimerInfo) => new TimerInfo(),
            _ => throw new NotSupportedException(
                $"Function {Name}: the development host cannot bind parameter '{parameter.Name}' of type {parameter.ParameterType.Name}."),
        };
}
