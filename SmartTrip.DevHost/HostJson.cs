using System.Text.Json;

namespace SmartTrip.DevHost;

/// <summary>The parts of host.json the development host honours, so it serves what the Functions host would.</summary>
public sealed record HostJson(string RoutePrefix)
{
    /// <summary>extensions.queues, with the Functions host's defaults for what host.json leaves out.</summary>
    public QueueSettings Queues { get; init; } = new();

    public const string FileName = "host.json";

    public static HostJson Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        var routePrefix = "api";
        if (document.RootElement.TryGetProperty("extensions", out var extensions) &&
            extensions.TryGetProperty("http", out var http) &&
            http.TryGetProperty("routePrefix", out var prefix) &&
            prefix.ValueKind == JsonValueKind.String)
        {
            routePrefix = prefix.GetString()!;
        }

        var queues = new QueueSettings();
        if (document.RootElement.TryGetProperty("extensions", out var ext) && ext.TryGetProperty("queues", out var q))
        {
            queues = new QueueSettings
            {
                BatchSize = Int(q, "batchSize") ?? queues.BatchSize,
                NewBatchThreshold = Int(q, "newBatchThreshold") ?? queues.NewBatchThreshold,
                MaxDequeueCount = Int(q, "maxDequeueCount") ?? queues.MaxDequeueCount,
                VisibilityTimeout = Span(q, "visibilityTimeout") ?? queues.VisibilityTimeout,
                MaxPollingInterval = Span(q, "maxPollingInterval") ?? queues.MaxPollingInterval,
            };
        }

        return new HostJson(routePrefix.Trim('/')) { Queues = queues };
    }

    private static int? Int(JsonElement section, string name) =>
        section.TryGetProperty(name, out var value) && value.TryGetInt32(out var number) ? number : null;

    private static TimeSpan? Span(JsonElement section, string name) =>
        section.TryGetProperty(name, out var value) && TimeSpan.TryParse(value.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var span)
            ? span
            : null;

    /// <summary>host.json next to the running binaries (the Functions project links it into every build output).</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, FileName);
}

/// <summary>The queue trigger settings of host.json (<c>extensions.queues</c>).</summary>
public sealed record QueueSettings
{
    public int BatchSize { get; init; } = 16;
    public int NewBatchThreshold { get; init; } = 8;
    public int MaxDequeueCount { get; init; } = 5;
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.Zero;
    public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromMinutes(1);
}
