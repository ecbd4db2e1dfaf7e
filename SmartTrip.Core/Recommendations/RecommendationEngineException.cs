namespace SmartTrip.Core.Recommendations;

/// <summary>
/// A defect inside the ranking itself (scoring, filtering, the tiers), told apart from any other defect of a search
/// because the endpoint answers it with its own message (api.md §6.4).
/// </summary>
public sealed class RecommendationEngineException(Exception inner) : Exception("The recommendation engine failed.", inner);
