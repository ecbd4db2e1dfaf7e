namespace SmartTrip.Core.Catalog;

/// <summary>A continent as stored (enum label), shown (display name) and labelled in Hebrew.</summary>
public sealed record ContinentInfo(string Label, string DisplayName, string NameHe);

/// <summary>The continent reference values of schema.md §5.1 and the normalisation of recommendation.md §3.3.</summary>
public static class Continents
{
    /// <summary>All continents, ordered by enum label (the order of <c>/api/locations</c>).</summary>
    public static IReadOnlyList<ContinentInfo> All { get; } =
    [
        new("AFRICA", "Africa", "אפריקה"),
        new("ANTARCTICA", "Antarctica", "אנטארקטיקה"),
        new("ASIA", "Asia", "אסיה"),
        new("EUROPE", "Europe", "אירופה"),
        new("NORTH_AND_CENTRAL_AMERICA", "North & Central America", "צפון ומרכז אמריקה"),
        new("OCEANIA", "Oceania", "אוקיאניה"),
        new("SOUTH_AMERICA", "South America", "דרום אמריקה"),
    ];

    private static readonly Dictionary<string, ContinentInfo> ByLabel =
        All.ToDictionary(c => c.Label, StringComparer.Ordinal);

    private static readonly Dictionary<string, int> BitByLabel =
        All.Select((c, index) => (c.Label, Bit: 1 << index)).ToDictionary(x => x.Label, x => x.Bit, StringComparer.Ordinal);

    /// <summary>A one-bit mask for a continent label (bit n = the n-th entry of <see cref="All"/>); 0 when unknown.</summary>
    public static int Bit(string? label) => label is not null && BitByLabel.TryGetValue(label, out var bit) ? bit : 0;

    /// <summary>The list of valid display names, alphabetical, as error messages show it.</summary>
    public static string ValidDisplayNames { get; } =
        string.Join(", ", All.Select(c => c.DisplayName).Order(StringComparer.Ordinal));

    /// <summary>The display name of a database label; an unknown label is returned unchanged.</summary>
    public static string DisplayName(string label) =>
        ByLabel.TryGetValue(label, out var info) ? info.DisplayName : label;

    /// <summary>
    /// Normalises user input (display name, enum label or "North America", any case) to the enum label.
    /// No trimming: " Asia" is not a continent.
    /// </summary>
    public static bool TryNormalize(string? value, out string label)
    {
        label = string.Empty;
        if (value is null)
        {
            return false;
        }

        var key = value.ToUpperInvariant().Replace(' ', '_').Replace("&", "AND", StringComparison.Ordinal);
        if (key == "NORTH_AMERICA")
        {
            key = "NORTH_AND_CENTRAL_AMERICA";
        }

        if (!ByLabel.ContainsKey(key))
        {
            return false;
        }

        label = key;
        return true;
    }

    /// <summary>The 400 message for an unknown continent.</summary>
    public static string InvalidMessage(string value) =>
        $"Invalid continent: {value}. Valid continents: {ValidDisplayNames}";
}
