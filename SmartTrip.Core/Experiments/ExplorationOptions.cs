using Microsoft.Extensions.Options;

namespace SmartTrip.Core.Experiments;

/// <summary>
/// The randomised slice (<c>Exploration__*</c>, docs/experiments.md §7): the share of searches whose ranking gets a
/// minimal-harm change, logged with its probability, so that later estimates can tell what another ranking would do.
/// Off by default.
/// </summary>
public sealed class ExplorationOptions
{
    public const string Section = "Exploration";

    /// <summary>The share of searches changed, 0 (off) to 0.5.</summary>
    public double Share { get; set; }

    public ExplorationKind Kind { get; set; } = ExplorationKind.Swap;

    /// <summary>How deep the change reaches: a swap picks from positions 2..Depth, a shuffle reorders the first Depth.</summary>
    public int Depth { get; set; } = 10;

    /// <summary>The policy of a search whose first result's tier holds <paramref name="firstTierCount"/> results.</summary>
    public LoggingPolicy PolicyFor(int firstTierCount) => LoggingPolicy.For(Kind, Share, Depth, firstTierCount);
}

/// <summary>The start-up checks of <see cref="ExplorationOptions"/>.</summary>
public sealed class ExplorationOptionsValidator : IValidateOptions<ExplorationOptions>
{
    public ValidateOptionsResult Validate(string? name, ExplorationOptions options)
    {
        List<string> failures = [];
        if (!(options.Share is >= 0 and <= 0.5))
        {
            failures.Add("Exploration:Share must be between 0 and 0.5.");
        }

        if (options.Depth is < 2 or > 10)
        {
            failures.Add("Exploration:Depth must be between 2 and 10.");
        }

        if (!Enum.IsDefined(options.Kind))
        {
            failures.Add("Exploration:Kind must be Swap or Shuffle.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
