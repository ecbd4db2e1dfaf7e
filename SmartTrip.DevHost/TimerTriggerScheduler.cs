using Cronos;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace SmartTrip.DevHost;

/// <summary>
/// Runs a timer-triggered function on its six-field CRON schedule (UTC), resolving <c>%Setting%</c> from
/// configuration as the Functions host does.
/// </summary>
internal sealed class TimerTriggerScheduler(
    BackgroundFunction function, IServiceProvider services, IConfiguration configuration, TimeProvider clock, ILogger logger)
    : BackgroundService
{
    public static CronExpression Schedule(BackgroundFunction function, IConfiguration configuration)
    {
        var text = function.Trigger;
        if (text.Length > 2 && text[0] == '%' && text[^1] == '%')
        {
            var setting = text[1..^1];
            text = configuration[setting] is { Length: > 0 } value
                ? value
                : throw new InvalidOperationException($"Timer {function.Name}: the setting {setting} (its schedule) is not set.");
        }

        return CronExpression.Parse(text, CronFormat.IncludeSeconds);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var schedule = Schedule(function, configuration);
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
