using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SmartTrip.Core.Json;

/// <summary>
/// The wire format: camelCase entity keys (envelopes name their snake_case keys explicitly),
/// every key present, UTC timestamps with whole seconds and a Z, Hebrew as plain UTF-8.
/// </summary>
public static class SmartTripJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            // Responses are application/json, never embedded in HTML, so only what JSON itself requires is escaped.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            NumberHandling = JsonNumberHandling.Strict,
        };
        options.Converters.Add(new UtcTimestampConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Writes every <see cref="DateTime"/> as UTC ISO 8601 with whole seconds, e.g. 2026-11-25T10:00:00Z.</summary>
    /// <remarks>Catalogue columns are TIMESTAMP WITHOUT TIME ZONE holding UTC, so an unspecified kind is UTC.</remarks>
    private sealed class UtcTimestampConverter : JsonConverter<DateTime>
    {
        private const string Format = "yyyy-MM-dd'T'HH:mm:ss'Z'";

        public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetDateTime().ToUniversalTime();

        public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options)
        {
            var utc = value.Kind switch
            {
                DateTimeKind.Local => value.ToUniversalTime(),
                DateTimeKind.Unspecified => DateTime.SpecifyKind(value, DateTimeKind.Utc),
                _ => value,
            };
            Span<char> buffer = stackalloc char[20];
            utc.TryFormat(buffer, out var written, Format, CultureInfo.InvariantCulture);
            writer.WriteStringValue(buffer[..written]);
        }
    }
}
