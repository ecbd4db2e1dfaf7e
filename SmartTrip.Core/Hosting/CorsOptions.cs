namespace SmartTrip.Core.Hosting;

/// <summary><c>Cors__AllowedOrigins</c>: comma-separated origins that may call the API with credentials.</summary>
public sealed class CorsOptions
{
    public const string Section = "Cors";

    public string AllowedOrigins { get; set; } = "http://localhost:3000";

    public IReadOnlyList<string> Origins =>
        AllowedOrigins.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
