using System.Reflection;
using Azure.Storage.Queues.Models;
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
    /// trigger parameter (the message text for a queue, a <see cref="TimerInfo"/> for a timer), a queue message's
    /// <c>id</c> and <c>dequeueCount</c> to parameters of those names (the trigger's binding data) and the token. Without
    /// a message (the admin API), the id is new and the count 1, as the host makes them for a message it did not dequeue.
    /// </summary>
    public async Task InvokeAsync(IServiceProvider services, string? input, CancellationToken ct, QueueMessage? message = null)
    {
        await using var scope = services.CreateAsyncScope();
        var instance = Method.IsStatic ? null : ActivatorUtilities.CreateInstance(scope.ServiceProvider, Method.DeclaringType!);
        var arguments = Method.GetParameters().Select(p => Bind(p, input, message, ct)).ToArray();
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

    private object? Bind(ParameterInfo parameter, string? input, QueueMessage? message, CancellationToken ct) =>
        parameter.ParameterType switch
        {
            var t when t == typeof(CancellationToken) => ct,
            var t when t == typeof(string) && Kind == TriggerKind.Queue && parameter.Name == "id" =>
                message?.MessageId ?? Guid.NewGuid().ToString(),
            var t when t == typeof(long) && Kind == TriggerKind.Queue && parameter.Name == "dequeueCount" => message?.DequeueCount ?? 1L,
            var t when t == typeof(string) && Kind == TriggerKind.Queue => input ?? "",
            var t when t == typeof(TimerInfo) => new TimerInfo(),
            _ => throw new NotSupportedException(
                $"Function {Name}: the development host cannot bind parameter '{parameter.Name}' of type {parameter.ParameterType.Name}."),
        };
}
