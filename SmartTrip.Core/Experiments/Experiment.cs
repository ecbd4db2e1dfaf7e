using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using SmartTrip.Core.Recommendations;

namespace SmartTrip.Core.Experiments;

/// <summary>One arm of an experiment: a share of the browsers and the recommendation constants it changes.</summary>
public sealed record Variant
{
    [JsonPropertyName("name")] public string Name { get; init; } = "";

    /// <summary>Percent of the browsers (the shares of an experiment add up to 100).</summary>
    [JsonPropertyName("share")] public int Share { get; init; }

    /// <summary><see cref="RecommendationOptions"/> property names and their values for this variant.</summary>
    [JsonPropertyName("overrides")] public IReadOnlyDictionary<string, double> Overrides { get; init; } = new Dictionary<string, double>();
}

/// <summary>An experiment on the ranking (docs/experiments.md).</summary>
public sealed record Experiment
{
    public const string Draft = "draft", Running = "running", Stopped = "stopped";

    /// <summary>The kinds: browsers split between the variants, or the two variants interleaved in every search.</summary>
    public const string AB = "ab", Interleaving = "interleaving";

    [JsonPropertyName("id")] public int Id { get; init; }
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("surface")] public string Surface { get; init; } = "recommendations";
    [JsonPropertyName("status")] public string Status { get; init; } = Draft;
    [JsonPropertyName("kind")] public string Kind { get; init; } = AB;
    [JsonPropertyName("variants")] public IReadOnlyList<Variant> Variants { get; init; } = [];
    [JsonPropertyName("created_at")] public DateTimeOffset CreatedAt { get; init; }
    [JsonPropertyName("started_at")] public DateTimeOffset? StartedAt { get; init; }
    [JsonPropertyName("stopped_at")] public DateTimeOffset? StoppedAt { get; init; }

    /// <summary>The first variant: what everyone outside the experiment gets.</summary>
    [JsonIgnore] public Variant Control => Variants[0];

    [JsonIgnore] public bool Interleaves => Kind == Interleaving;
}

/// <summary>Checks a new experiment and builds each variant's engine constants.</summary>
public static class ExperimentRules
{
    public const int MaxVariants = 10;
    public const int MaxNameLength = 50;

    /// <summary>
    /// The constants a variant may change: the numeric ones. The catalogue refresh and staleness, the database check's
    /// timeout, the algorithm version and the private-groups type belong to the deployment, not to a ranking.
    /// </summary>
    public static IReadOnlyDictionary<string, PropertyInfo> Tunable { get; } =
        typeof(RecommendationOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && (p.PropertyType == typeof(int) || p.PropertyType == typeof(double)))
            .Where(p => p.Name is not nameof(RecommendationOptions.CatalogRefreshMilliseconds)
                and not nameof(RecommendationOptions.DatabaseCheckMilliseconds)
                and not nameof(RecommendationOptions.CatalogMaxStaleSeconds)
                and not nameof(RecommendationOptions.PrivateGroupsFallbackTypeId))
            .ToDictionary(p => p.Name, StringComparer.Ordinal);

    /// <summary>What is wrong with an experiment about to be created; empty when it can be.</summary>
    public static IReadOnlyList<string> Problems(string name, IReadOnlyList<Variant> variants, RecommendationOptions baseline, string kind = Experiment.AB)
    {
        var problems = new List<string>();
        if (kind is not (Experiment.AB or Experiment.Interleaving))
        {
            problems.Add($"kind is {Experiment.AB} or {Experiment.Interleaving}");
        }
        else if (kind == Experiment.Interleaving && variants.Count != 2)
        {
            problems.Add("an interleaving experiment has two variants, the control and the candidate");
            return problems;
        }

        if (string.IsNullOrWhiteSpace(name) || name.Length > 100)
        {
            problems.Add("name must be 1 to 100 characters");
        }

        if (variants.Count is < 2 or > MaxVariants)
        {
            problems.Add($"an experiment has 2 to {MaxVariants} variants");
            return problems;
        }

        if (variants.Sum(v => v.Share) != 100 || variants.Any(v => v.Share is < 1 or > 99))
        {
            problems.Add("variant shares are whole percents from 1 to 99 that add up to 100");
        }

        if (variants.Select(v => v.Name).Distinct(StringComparer.Ordinal).Count() != variants.Count
            || variants.Any(v => v.Name.Length is 0 or > MaxNameLength || !v.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            problems.Add($"variant names are distinct, 1 to {MaxNameLength} letters, digits, '-' or '_'");
        }

        if (variants[0].Overrides.Count > 0)
        {
            problems.Add($"the first variant ({variants[0].Name}) is the control and overrides nothing");
        }

        foreach (var variant in variants)
        {
            foreach (var (key, value) in variant.Overrides)
            {
                if (!Tunable.TryGetValue(key, out var property))
                {
                    problems.Add($"{variant.Name}: {key} is not a tunable constant (valid: {string.Join(", ", Tunable.Keys.Order(StringComparer.Ordinal))})");
                }
                else if (property.PropertyType == typeof(int) && (value != Math.Floor(value) || value is < int.MinValue or > int.MaxValue))
                {
                    problems.Add($"{variant.Name}: {key} takes a whole number");
                }
            }

            if (problems.Count == 0)
            {
                problems.AddRange(OptionsFor(baseline, variant).Problems().Select(p => $"{variant.Name}: {p}"));
            }
        }

        return problems;
    }

    /// <summary>The baseline constants with the variant's overrides applied (a copy; the baseline is not changed).</summary>
    public static RecommendationOptions OptionsFor(RecommendationOptions baseline, Variant variant)
    {
        var copy = JsonSerializer.Deserialize<RecommendationOptions>(JsonSerializer.Serialize(baseline))!;
        foreach (var (key, value) in variant.Overrides)
        {
            var property = Tunable[key];
            property.SetValue(copy, property.PropertyType == typeof(int) ? Convert.ToInt32(value, CultureInfo.InvariantCulture) : (object)value);
        }

        return copy;
    }
}
