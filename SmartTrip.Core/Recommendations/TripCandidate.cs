using SmartTrip.Core.Catalog;

namespace SmartTrip.Core.Recommendations;

/// <summary>
/// The narrow row the engine filters and scores: one occurrence with the template columns the rules read.
/// Full entity data is loaded later, for the winners only.
/// </summary>
public sealed record TripCandidate
{
    public required int Id { get; init; }
    public required int TemplateId { get; init; }
    public int? GuideId { get; init; }
    public required DateOnly StartDate { get; init; }
    public required DateOnly EndDate { get; init; }

    /// <summary><c>COALESCE(price_override, base_price)</c> as an IEEE double (recommendation.md §11).</summary>
    public required double EffectivePrice { get; init; }

    public required string Status { get; init; }
    public required int SpotsLeft { get; init; }
    public required int DifficultyLevel { get; init; }
    public int? TripTypeId { get; init; }
    public int? PrimaryCountryId { get; init; }

    /// <summary>The primary country's continent as a one-bit mask (<see cref="Continents.Bit"/>); 0 without a country.</summary>
    public int ContinentBit { get; init; }

    /// <summary>The primary country is the one named "Antarctica" (the direct-match rule of §5).</summary>
    public bool IsAntarcticaCountry { get; init; }

    /// <summary>The template's distinct tag ids.</summary>
    public IReadOnlyList<int> TagIds { get; init; } = [];

    public bool TemplateIsActive { get; init; } = true;

    public int DurationDays => EndDate.DayNumber - StartDate.DayNumber + 1;

    /// <summary>Not cancelled and not full.</summary>
    public bool IsOpenStatus => Status is not (TripStatuses.Cancelled or TripStatuses.Full);
}
