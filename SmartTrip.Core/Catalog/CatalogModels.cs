using System.Text.Json;
using System.Text.Json.Serialization;

namespace SmartTrip.Core.Catalog;

// Entity objects of api.md §2. Dapper fills the column-backed properties (snake_case columns map to
// PascalCase names); nested objects are attached afterwards by CatalogGraph. JSON keys are camelCase.

public sealed record Country
{
    public int Id { get; init; }
    public string Name { get; init; } = "";
    public string NameHe { get; init; } = "";
    [JsonIgnore] public string ContinentLabel { get; init; } = "";
    public string Continent => Continents.DisplayName(ContinentLabel);
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }
}

public sealed record Guide
{
    public int Id { get; init; }
    public string Name { get; init; } = "";
    public string? NameHe { get; init; }
    public string Email { get; init; } = "";
    public string? Phone { get; init; }
    [JsonIgnore] public string GenderLabel { get; init; } = "";
    public string Gender => GenderLabel switch
    {
        "MALE" => "Male",
        "FEMALE" => "Female",
        "OTHER" => "Other",
        _ => GenderLabel,
    };
    public int? Age { get; init; }
    public string? Bio { get; init; }
    public string? BioHe { get; init; }
    public string? ImageUrl { get; init; }
    public bool IsActive { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }
}

/// <summary>A trip type or a theme tag (same shape).</summary>
public sealed record Taxon
{
    public int Id { get; init; }
    public string Name { get; init; } = "";
    public string NameHe { get; init; } = "";
    [JsonIgnore] public string? StoredDescription { get; init; }
    /// <summary>The existing frontend's schema rejects null here, so a missing description is "".</summary>
    public string Description => StoredDescription ?? "";
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }
}

public sealed record Company
{
    public int Id { get; init; }
    public string Name { get; init; } = "";
    public string NameHe { get; init; } = "";
    public string? Description { get; init; }
    public string? DescriptionHe { get; init; }
    public string? LogoUrl { get; init; }
    public string? WebsiteUrl { get; init; }
    public string? Email { get; init; }
    public string? Phone { get; init; }
    public string? Address { get; init; }
    public bool IsActive { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }
    /// <summary>Active templates of the company; only the single-company endpoint sets it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? TemplateCount { get; init; }
}

public sealed record Template
{
    public int Id { get; init; }
    public string Title { get; init; } = "";
    public string TitleHe { get; init; } = "";
    public string Description { get; init; } = "";
    public string DescriptionHe { get; init; } = "";
    public string? ShortDescription { get; init; }
    public string? ShortDescriptionHe { get; init; }
    public string? ImageUrl { get; init; }
    public decimal BasePrice { get; init; }
    public decimal? SingleSupplementPrice { get; init; }
    public int TypicalDurationDays { get; init; }
    public int DefaultMaxCapacity { get; init; }
    public int DifficultyLevel { get; init; }
    public int CompanyId { get; init; }
    public int? TripTypeId { get; init; }
    public int? PrimaryCountryId { get; init; }
    public bool IsActive { get; init; }
    public JsonElement? Properties { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }
    public Company? Company { get; init; }
    public Taxon? TripType { get; init; }
    public Country? PrimaryCountry { get; init; }
    /// <summary>Visited countries by visit order; recommendation items leave the key out (null).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<Country>? Countries { get; init; } = [];
    public IReadOnlyList<Taxon> Tags { get; init; } = [];
    /// <summary>Only with <c>include_occurrences=true</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<Occurrence>? UpcomingOccurrences { get; init; }
}

/// <summary>A trip occurrence (api.md §2.6); recommendation items extend it.</summary>
public record Occurrence
{
    public int Id { get; init; }
    public int TripTemplateId { get; init; }
    public int? GuideId { get; init; }
    public DateOnly StartDate { get; init; }
    public DateOnly EndDate { get; init; }
    public decimal? PriceOverride { get; init; }
    public decimal? SingleSupplementOverride { get; init; }
    public int? MaxCapacityOverride { get; init; }
    public int SpotsLeft { get; init; }
    public string Status { get; init; } = TripStatuses.Open;
    public string? ImageUrlOverride { get; init; }
    public string? Notes { get; init; }
    public string? NotesHe { get; init; }
    public JsonElement? Properties { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }
    public decimal EffectivePrice => PriceOverride ?? Template.BasePrice;
    public int EffectiveMaxCapacity => MaxCapacityOverride ?? Template.DefaultMaxCapacity;
    public string? EffectiveImageUrl => string.IsNullOrEmpty(ImageUrlOverride) ? Template.ImageUrl : ImageUrlOverride;
    public int DurationDays => EndDate.DayNumber - StartDate.DayNumber + 1;
    public Template Template { get; init; } = null!;
    public Guide? Guide { get; init; }
}

/// <summary>One page of a listing with its total before paging.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int Total, int Offset, int? Limit);

/// <summary>Counts served by <c>/api/v2/schema-info</c>.</summary>
public sealed record CatalogStatistics(
    [property: JsonPropertyName("companies")] int Companies,
    [property: JsonPropertyName("templates")] int Templates,
    [property: JsonPropertyName("occurrences")] int Occurrences,
    [property: JsonPropertyName("active_occurrences")] int ActiveOccurrences);

/// <summary>Unfiltered row counts of the catalogue tables (the health check).</summary>
public sealed record CatalogCounts(
    [property: JsonPropertyName("trip_occurrences")] long TripOccurrences,
    [property: JsonPropertyName("trip_templates")] long TripTemplates,
    [property: JsonPropertyName("countries")] long Countries,
    [property: JsonPropertyName("guides")] long Guides,
    [property: JsonPropertyName("tags")] long Tags,
    [property: JsonPropertyName("trip_types")] long TripTypes);
