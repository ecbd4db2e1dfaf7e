using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace SmartTrip.Core.Validation;

/// <summary>
/// The one check of request text against what PostgreSQL can store. <c>text</c> and <c>jsonb</c> refuse U+0000
/// (SQLSTATE 22021 and 22P05), and a string holding an unpaired UTF-16 surrogate has no UTF-8 form at all; a body that is
/// not UTF-8 is not JSON. Every string of a body (property names and values at any depth), every query-string value and
/// every header the app stores passes through here before anything is queued or written.
/// </summary>
public static class StorableText
{
    public const string Refused = "contains a character that cannot be stored (U+0000 or an unpaired surrogate)";

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

    /// <summary>
    /// The path of the first string in <paramref name="element"/> that cannot be stored (<c>metadata.note</c>,
    /// <c>selected_countries[2]</c>, a property name's own path), or null when every one can. A JSON string escape of a
    /// lone surrogate (<c>"\ud800"</c>) is caught here too: it is reported, never thrown.
    /// </summary>
    public static string? FirstUnstorable(JsonElement element, string path = "")
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return IsStorableString(element) ? null : path;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FirstUnstorable(item, $"{path}[{index++}]") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return path.Length == 0 ? "(property name)" : $"{path}.(property name)";
                    }

                    var childPath = path.Length == 0 ? name : $"{path}.{name}";
                    if (!IsStorable(name))
                    {
                        return SafePath(childPath);
                    }

                    if (FirstUnstorable(property.Value, childPath) is { } found)
                    {
                        return SafePath(found);
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static bool IsStorableString(JsonElement element)
    {
        try
        {
            return IsStorable(element.GetString());
        }
        catch (InvalidOperationException)
        {
            return false; // an escaped lone surrogate cannot be turned into a string
        }
    }

    /// <summary>A path is echoed in the error: the refused characters themselves are replaced there.</summary>
    private static string SafePath(string path) => IsStorable(path) ? path : ReplaceUnstorable(path);

    private static string ReplaceUnstorable(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            builder.Append(rune.Value == 0 ? "\uFFFD" : rune.ToString());
        }

        return builder.ToString();
    }
}
