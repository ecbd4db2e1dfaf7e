using Cronos;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace SmartTrip.DevHost;

/// <summary>
/// Runs a timer-triggered function on its six-field CRON schedule (UTC), resolving <c>%Setting%</c> from
/// configuration as the Functions host does; a schedule that cannot be resolved disables the function, logged.
/// </summary>
internal sealed class TimerTriggerScheduler(
    BackgroundFunction function, IServiceProvider services, IConfiguration configuration, TimeProvider clock, ILogger logger)
    : BackgroundService
{
    /// <summary>
    /// The function's schedule, or null with the reason when it cannot run: as in the Functions host, a
    /// <c>%Setting%</c> that resolves to nothing (or a schedule that does not parse) disables that one function at
    /// start-up, and the others run.
    /// </summary>
    public static CronExpression? Schedule(BackgroundFunction function, IConfiguration configuration, out string? problem)
    {
        problem = null;
        var text = function.Trigger;
        if (text.Length > 2 && text[0] == '%' && text[^1] == '%')
        {
            var setting = text[1..^1];
            if (configuration[setting] is not { Length: > 0 } value)
            {
                problem = $"'%{setting}%' does not resolve to a value";
                return null;
            }

            text = value;
        }

        try
        {
            return CronExpression.Parse(text, CronFormat.IncludeSeconds);
        }
        catch (CronFormatException e)
        {
            problem = $"the schedule '{text}' is not a six-field CRON expression ({e.Message})";
            return null;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Schedule(function, configuration, out var problem) is not { } schedule)
        {
            logger.LogError("The function {Function} was disabled at start-up: {Problem}", function.Name, problem);
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var now = clock.GetUtcNow();
            if (schedule.GetNextOccurrence(now, TimeZoneInfo.Utc) is not { } next)
            {
                return;
            }

            await Task.Delay(next - now, clock, stoppingToken);
            try
            {
                await function.InvokeAsync(services, null, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "Timer function {Function} failed", function.Name);
            }
        }
    }
}
