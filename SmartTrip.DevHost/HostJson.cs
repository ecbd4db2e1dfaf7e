using System.Text.Json;

namespace SmartTrip.DevHost;

/// <summary>The parts of host.json the development host honours, so it serves what the Functions host would.</summary>
public sealed record HostJson(string RoutePrefix)
{
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

        return new HostJson(routePrefix.Trim('/'));
    }

    /// <summary>host.json next to the running binaries (the Functions project links it into every build output).</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, FileName);
}
