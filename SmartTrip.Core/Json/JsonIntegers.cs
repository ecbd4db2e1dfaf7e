using System.Text.Json;

namespace SmartTrip.Core.Json;

/// <summary>"Integer" as the API means it: a JSON number with an integral value in the 32-bit range (3 and 3.0 are 3).</summary>
public static class JsonIntegers
{
    public static bool TryGet(JsonElement value, out int result)
    {
        result = 0;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDecimal(out var number) ||
            number != decimal.Truncate(number) || number < int.MinValue || number > int.MaxValue)
        {
            return false;
        }

        result = (int)number;
        return true;
    }
}
