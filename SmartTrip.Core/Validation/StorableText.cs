using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace SmartTrip.Core.Validation;

/// <summary>
/// The one check of request text and numbers against what PostgreSQL can store. <c>text</c> and <c>jsonb</c> refuse
/// U+0000 (SQLSTATE 22021 and 22P05), a string holding an unpaired UTF-16 surrogate has no UTF-8 form at all, a body that
/// is not UTF-8 is not JSON, and <c>jsonb</c> keeps its numbers as <c>numeric</c>, which holds at most 131 072 digits
/// before the decimal point and 16 383 after it (SQLSTATE 22003 beyond). Every string of a body (property names and values
/// at any depth), every number of one, every query-string value and every header the app stores passes through here
/// before anything is queued or written.
/// </summary>
/// <remarks>
/// A body is checked in one forward pass over its UTF-8 bytes: time linear in its length and no allocation while every
/// value passes. Where the value sits (<c>metadata.note</c>, <c>selected_countries[2]</c>) is kept as offsets into the
/// body and array counters, and is spelled out only for the value that is refused, cut to <see cref="MaxPathLength"/>
/// characters.
/// </remarks>
public static class StorableText
{
    public const string Refused = "contains a character that cannot be stored (U+0000 or an unpaired surrogate)";
    public const string NumberRefused = "is a number that cannot be stored (more than 131072 digits before the decimal point or 16383 after it)";

    /// <summary>The longest field path an error names; a longer one is cut and ends with an ellipsis.</summary>
    public const int MaxPathLength = 200;

    /// <summary>PostgreSQL's <c>numeric</c>: the highest power of ten of a nonzero digit (131 072 digits before the point).</summary>
    public const int MaxNumericExponent = 131_071;

    /// <summary>PostgreSQL's <c>numeric</c>: the most digits after the decimal point (NUMERIC_DSCALE_MAX).</summary>
    public const int MaxNumericScale = 16_383;

    /// <summary>JSON nesting the API reads; deeper bodies are not parsed at all.</summary>
    public const int MaxDepth = 64;

    private const int CancellationStride = 4096;

    /// <summary>Whether the bytes are well-formed UTF-8 (no overlong forms, no encoded surrogates, nothing truncated).</summary>
    public static bool IsUtf8(ReadOnlySpan<byte> bytes) => Utf8.IsValid(bytes);

    /// <summary>Whether a string can be stored: no U+0000 and every surrogate paired.</summary>
    public static bool IsStorable(string? text)
    {
        if (text is null)
        {
            return true;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                return false;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The first value of a parsed element that cannot be stored, with its field and message; null when all can.</summary>
    public static FieldError? Check(JsonElement element, CancellationToken ct = default) =>
        Check(JsonMarshal.GetRawUtf8Value(element), ct);

    /// <summary>
    /// The first string (property names included) or number of one JSON value that cannot be stored, as the field error a
    /// 400 shows (the field is its path: <c>metadata.note</c>, <c>selected_countries[2]</c>); null when every one can. The
    /// bytes are one JSON value that has already been parsed; text that is not UTF-8 or not JSON is reported at the root.
    /// A JSON escape of a lone surrogate (<c>"\ud800"</c>) is found here too. Checks <paramref name="ct"/> as it goes.
    /// </summary>
    public static FieldError? Check(ReadOnlySpan<byte> json, CancellationToken ct = default)
    {
        if (!Utf8.IsValid(json))
        {
            return new FieldError("body", "body is not UTF-8");
        }

        Span<Level> levels = stackalloc Level[MaxDepth + 1];
        var top = -1;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        var tokens = 0;
        try
        {
            while (reader.Read())
            {
                if (++tokens % CancellationStride == 0)
                {
                    ct.ThrowIfCancellationRequested();
                }

                var token = reader.TokenType;
                if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    top--;
                    continue;
                }

                if (token == JsonTokenType.PropertyName)
                {
                    levels[top].NameStart = (int)reader.TokenStartIndex + 1;
                    levels[top].NameLength = reader.ValueSpan.Length;
                    levels[top].NameEscaped = reader.ValueIsEscaped;
                    if (reader.ValueIsEscaped && !IsStorableEscaped(reader.ValueSpan))
                    {
                        return Refusal(json, levels[..(top + 1)], Refused);
                    }

                    continue;
                }

                if (top >= 0 && levels[top].IsArray)
                {
                    levels[top].Index++;
                }

                switch (token)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        levels[++top] = new Level { IsArray = token == JsonTokenType.StartArray, Index = -1 };
                        break;
                    case JsonTokenType.String when reader.ValueIsEscaped && !IsStorableEscaped(reader.ValueSpan):
                        return Refusal(json, levels[..(top + 1)], Refused);
                    case JsonTokenType.Number when !IsStorableNumber(reader.ValueSpan):
                        return Refusal(json, levels[..(top + 1)], NumberRefused);
                }
            }
        }
        catch (JsonException)
        {
            return new FieldError("body", "body is not JSON");
        }

        return null;
    }

    /// <summary>
    /// Whether a JSON number (its text as the grammar allows it) fits PostgreSQL's <c>numeric</c>: its highest nonzero
    /// digit at most 10^131071 and at most 16 383 digits after the point, as <c>numeric_in</c> counts them (trailing zeros
    /// of the fraction count; a zero of any exponent fits unless its scale is too large).
    /// </summary>
    public static bool IsStorableNumber(ReadOnlySpan<byte> number)
    {
        var i = number.Length > 0 && number[0] == '-' ? 1 : 0;
        var integerStart = i;
        while (i < number.Length && IsDigit(number[i]))
        {
            i++;
        }

        var integerDigits = i - integerStart;
        var fractionStart = i;
        var fractionDigits = 0;
        if (i < number.Length && number[i] == '.')
        {
            fractionStart = ++i;
            while (i < number.Length && IsDigit(number[i]))
            {
                i++;
            }

            fractionDigits = i - fractionStart;
        }

        long exponent = 0;
        if (i < number.Length && (number[i] == 'e' || number[i] == 'E'))
        {
            i++;
            var negative = i < number.Length && number[i] == '-';
            if (i < number.Length && (number[i] == '-' || number[i] == '+'))
            {
                i++;
            }

            for (; i < number.Length; i++)
            {
                // Saturates far beyond any exponent numeric accepts; leading zeros cost nothing.
                exponent = Math.Min(exponent * 10 + (number[i] - '0'), 1L << 40);
            }

            exponent = negative ? -exponent : exponent;
        }

        if (Math.Max(0, fractionDigits - exponent) > MaxNumericScale)
        {
            return false;
        }

        // The power of ten of the first nonzero digit: a digit k places left of the point stands for 10^(k-1).
        var firstNonzero = number.Slice(integerStart, integerDigits).IndexOfAnyExcept((byte)'0');
        long power;
        if (firstNonzero >= 0)
        {
            power = integerDigits - 1 - firstNonzero;
        }
        else
        {
            var inFraction = number.Slice(fractionStart, fractionDigits).IndexOfAnyExcept((byte)'0');
            if (inFraction < 0)
            {
                return true; // zero
            }

            power = -1 - inFraction;
        }

        return power + exponent <= MaxNumericExponent;
    }

    /// <summary>
    /// Whether the escaped text of a JSON string (as it stands between the quotes) decodes to storable text: no
    /// <c>\u0000</c>, and every <c>\uD800</c>–<c>\uDBFF</c> followed at once by a <c>\uDC00</c>–<c>\uDFFF</c>. Unescaped
    /// bytes are valid UTF-8 (checked before), which cannot encode either.
    /// </summary>
    private static bool IsStorableEscaped(ReadOnlySpan<byte> raw)
    {
        var pendingHigh = false;
        var i = 0;
        while (true)
        {
            var next = raw[i..].IndexOf((byte)'\\');
            if (next < 0)
            {
                return !pendingHigh;
            }

            if (next > 0 && pendingHigh)
            {
                return false;
            }

            i += next;
            if (raw[i + 1] != 'u')
            {
                if (pendingHigh)
                {
                    return false;
                }

                i += 2;
                continue;
            }

            Utf8Parser.TryParse(raw.Slice(i + 2, 4), out ushort unit, out _, 'x');
            i += 6;
            if (unit == 0)
            {
                return false;
            }

            if (char.IsHighSurrogate((char)unit))
            {
                if (pendingHigh)
                {
                    return false;
                }

                pendingHigh = true;
            }
            else if (char.IsLowSurrogate((char)unit))
            {
                if (!pendingHigh)
                {
                    return false;
                }

                pendingHigh = false;
            }
            else if (pendingHigh)
            {
                return false;
            }
        }
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    /// <summary>One open object or array: the name of the property being read, or the index of the element.</summary>
    private struct Level
    {
        public bool IsArray;
        public int Index;
        public int NameStart;
        public int NameLength;
        public bool NameEscaped;
    }

    private static FieldError Refusal(ReadOnlySpan<byte> json, ReadOnlySpan<Level> levels, string refused)
    {
        var path = new StringBuilder();
        foreach (var level in levels)
        {
            if (path.Length > MaxPathLength)
            {
                break;
            }

            if (level.IsArray)
            {
                path.Append('[').Append(level.Index).Append(']');
                continue;
            }

            if (path.Length > 0)
            {
                path.Append('.');
            }

            // Only as much of a long name as the path can show (an escape cut in half names no name).
            var name = json.Slice(level.NameStart, Math.Min(level.NameLength, 4 * MaxPathLength));
            path.Append(level.NameEscaped ? Unescape(name) : Encoding.UTF8.GetString(name));
        }

        var field = Shown(path.ToString());
        return new FieldError(field, $"{field} {refused}");
    }

    /// <summary>A property name's escaped text decoded; <c>(property name)</c> when it does not decode (a lone surrogate escape).</summary>
    private static string Unescape(ReadOnlySpan<byte> escaped)
    {
        var quoted = new byte[escaped.Length + 2];
        quoted[0] = quoted[^1] = (byte)'"';
        escaped.CopyTo(quoted.AsSpan(1));
        try
        {
            var reader = new Utf8JsonReader(quoted);
            reader.Read();
            return reader.GetString()!;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return "(property name)";
        }
    }

    /// <summary>A path as an error may echo it: U+0000 and lone surrogates replaced by U+FFFD, at most ~200 characters.</summary>
    private static string Shown(string path)
    {
        var builder = new StringBuilder(Math.Min(path.Length, MaxPathLength + 1));
        foreach (var rune in path.EnumerateRunes())
        {
            if (builder.Length >= MaxPathLength)
            {
                return builder.Append('…').ToString();
            }

            builder.Append(rune.Value == 0 ? "\uFFFD" : rune.ToString());
        }

        return builder.ToString();
    }
}
