using System.Diagnostics;
using System.Text.Json;
using SmartTrip.Core.Tracking;

namespace SmartTrip.Benchmarks;

/// <summary>
/// The drain alone, without HTTP or the queue: the soak's messages (100 events from one of 2 000 browser sessions,
/// the soak's mix of event types on random trips) stored by <see cref="EventsDrainService"/> from several workers at
/// once, as the queue trigger runs them, against a running host's database (the host only opens the sessions).
/// Usage: drain URL CONNECTION_STRING [messages=3000] [workers=4] [batch=100]
/// </summary>
public static class DrainThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var url = args[1].TrimEnd('/');
        var messages = args.Length > 3 ? int.Parse(args[3]) : 3000;
        var workers = args.Length > 4 ? int.Parse(args[4]) : 4;
        var batch = args.Length > 5 ? int.Parse(args[5]) : 100;
        // The app's data source (automatic preparation of repeated statements), as the queue trigger uses it.
        await using var db = SmartTrip.Core.Hosting.SmartTripServiceCollectionExtensions.CreateDataSource(args[2]);
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        var random = new Random(20261207);
        var sessions = await EventsSoak.StartSessionsAsync(http);

        var none = JsonDocument.Parse("{}").RootElement;
        var envelopes = Enumerable.Range(0, messages).Select(_ =>
        {
            var (session, anonymous) = sessions[random.Next(sessions.Count)];
            return new EventEnvelope
            {
                ReceivedAt = DateTimeOffset.UtcNow,
                Events = [.. Enumerable.Range(0, batch).Select(i =>
                {
                    var type = EventsSoak.Types[random.Next(EventsSoak.Types.Length)];
                    return new TrackedEvent
                    {
                        EventId = Guid.NewGuid(), Index = i, EventType = type, SessionId = session, AnonymousId = anonymous,
                        TripId = type is "search_submit" or "results_view" or "page_view" ? null : random.Next(1, 543),
                        Source = type == "click_trip" ? "search_results" : null,
                        Metadata = type == "trip_dwell_time" ? JsonDocument.Parse($"{{\"duration_seconds\":{random.Next(1, 300)}}}").RootElement : none,
                    };
                })],
            };
        }).ToList();

        var drain = new EventsDrainService(db, TimeProvider.System);
        await drain.DrainAsync(envelopes[0], CancellationToken.None); // warm-up: type ids, connections, plans
        var next = 0;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < envelopes.Count)
            {
                await drain.DrainAsync(envelopes[i], CancellationToken.None);
            }
        })));
        var seconds = clock.Elapsed.TotalSeconds;
        var stored = (messages - 1) * batch;
        var drainCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        Console.WriteLine($"drained {messages - 1} messages of {batch} events with {workers} workers in {seconds:F1} s: {stored / seconds:F0} events/s; the drain's own CPU {drainCpu:F1} s");
        return 0;
    }
}
