using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace SmartTrip.DevHost;

/// <summary>
/// The <c>Values</c> of <c>local.settings.json</c> as configuration, the way Core Tools passes them to the
/// worker: names use <c>__</c> for nesting, and real environment variables win (add this source first).
/// </summary>
public static class LocalSettings
{
    public const string FileName = "local.settings.json";

    public static IConfigurationBuilder AddLocalSettings(this IConfigurationBuilder builder, string? path)
    {
        if (path is null || !File.Exists(path))
        {
            return builder;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (document.RootElement.TryGetProperty("Values", out var section) && section.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in section.EnumerateObject())
            {
                values[property.Name.Replace("__", ":", StringComparison.Ordinal)] =
                    property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText();
            }
        }

        if (document.RootElement.TryGetProperty("ConnectionStrings", out var connectionStrings) &&
            connectionStrings.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in connectionStrings.EnumerateObject())
            {
                values["ConnectionStrings:" + property.Name] = property.Value.GetString();
            }
        }

        return builder.AddInMemoryCollection(values.Where(v => !string.IsNullOrEmpty(v.Value)));
    }

    /// <summary>local.settings.json in the working directory, else beside the binaries; null when there is none.</summary>
    public static string? Find() =>
        new[] { Path.Combine(Directory.GetCurrentDirectory(), FileName), Path.Combine(AppContext.BaseDirectory, FileName) }
            .FirstOrDefault(File.Exists);
}
