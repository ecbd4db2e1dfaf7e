using System.Diagnostics;

namespace SmartTrip.Core.Telemetry;

/// <summary>The app's traces: activity source <c>SmartTrip</c> (the drain's spans, linked to the requests that accepted the events).</summary>
public static class SmartTripTracing
{
    public const string SourceName = "SmartTrip";

    public static ActivitySource Source { get; } = new(SourceName);

    /// <summary>
    /// Runs a timer's work in its own span, named after the timer, with the work's tags; a failure marks the span as an
    /// error (its exception type) and is rethrown.
    /// </summary>
    public static async Task RunAsync(string name, Func<Activity?, Task> work)
    {
        using var activity = Source.StartActivity(name);
        try
        {
            await work(activity);
        }
        catch (Exception exception)
        {
            activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
            throw;
        }
    }
}
