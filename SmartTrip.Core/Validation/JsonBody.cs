using System.Text.Json;
using SmartTrip.Core.Wire;

namespace SmartTrip.Core.Validation;

/// <summary>
/// A request body as the API reads it: at most 1 MB of UTF-8 JSON, one object, at most 64 levels deep and at most
/// <see cref="MaxValues"/> values. The limits are checked in one forward pass over the bytes before anything is built, so
/// a body the API refuses costs no more than reading it.
/// </summary>
public static class JsonBody
{
    public const int MaxBytes = 1_048_576;

    /// <summary>
    /// JSON values (strings, numbers, literals, objects, arrays) and property names one body may hold. The largest body the
    /// API has a use for (100 events with their metadata) holds a few thousand.
    /// </summary>
    public const int MaxValues = 50_000;


    private const int CancellationStride = 4096;
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = StorableText.MaxDepth };

    /// <summary>
    /// The body as a JSON object (an empty or whitespace-only body is <c>{}</c>; a UTF-8 byte order mark is skipped), or why
    /// not: <see cref="ErrorMessages.NotAnObject"/> when it is not UTF-8, not JSON, too deep or not an object, <see cref="ErrorMessages.TooManyValues"/>.
    /// Nothing of its text is checked for storability here (<see cref="StorableText"/> does that, per event where a batch
    /// answers per event). Throws <see cref="OperationCanceledException"/> when the caller goes away.
    /// </summary>
    public static (JsonElement Root, string? Error) Parse(ReadOnlyMemory<byte> body, CancellationToken ct = default)
    {
        if (body.Span.StartsWith("\uFEFF"u8))
        {
            body = body[3..];
        }

        if (body.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return (Empty, null);
        }

        if (!StorableText.IsUtf8(body.Span))
        {
            return (default, ErrorMessages.NotAnObject);
        }

        var reader = new Utf8JsonReader(body.Span, ReaderOptions);
        var values = 0;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return (default, ErrorMessages.NotAnObject);
            }

            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    continue;
                }

                if (++values > MaxValues)
                {
                    return (default, ErrorMessages.TooManyValues);
                }

                if (values % CancellationStride == 0)
                {
                    ct.ThrowIfCancellationRequested();
                }
            }
        }
        catch (JsonException)
        {
            return (default, ErrorMessages.NotAnObject);
        }

        // An element that owns its (unpooled) copy of the body: it outlives the request's buffer, nothing to dispose.
        var parser = new Utf8JsonReader(body.Span, ReaderOptions);
        return (JsonElement.ParseValue(ref parser), null);
    }

    /// <summary>
    /// The UTF-8 length of a JSON string's value, counted from its escaped text without decoding it: what storing it costs.
    /// </summary>
    public static int StringBytes(JsonElement value)
    {
        var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value);
        raw = raw[1..^1]; // the quotes
        var length = 0;
        while (true)
        {
            var next = raw.IndexOf((byte)'\\');
            if (next < 0)
            {
                return length + raw.Length;
            }

            length += next;
            if (raw[next + 1] != 'u')
            {
                length++; // \n, \", \\ ... are one byte each
                raw = raw[(next + 2)..];
                continue;
            }

            System.Buffers.Text.Utf8Parser.TryParse(raw.Slice(next + 2, 4), out ushort unit, out _, 'x');
            // A surrogate pair is two escapes for one four-byte character: two bytes each.
            length += unit < 0x80 ? 1 : unit < 0x800 || char.IsSurrogate((char)unit) ? 2 : 3;
            raw = raw[(next + 6)..];
        }
    }

    private static readonly JsonElement Empty = JsonDocument.Parse("{}").RootElement.Clone();
}
