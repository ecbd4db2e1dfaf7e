using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using SmartTrip.Core.Recommendations;
using SmartTrip.Core.Wire;
using SmartTrip.Functions.Http;

namespace SmartTrip.Functions;

/// <summary>
/// <c>POST /api/v2/recommendations</c> (api.md §6): preferences in, ranked trips out. Its errors take the endpoint's own
/// shape (<see cref="ErrorShape.Recommendations"/>); a failing database and defects escape to <see cref="ApiErrors"/>.
/// </summary>
public sealed class RecommendationFunctions(RecommendationService recommendations)
{
    private const ErrorShape Shape = ErrorShape.Recommendations;

    [ApiSummary("Ranked trips for the traveller's preferences")]
    [ApiRequestBody(typeof(RecommendationRequestBody), "The preferences (every field optional)")]
    [ApiErrorShape(Shape)]
    [ApiResponse(200, typeof(RecommendationResponse), "The primary results, then the relaxed ones")]
    [ApiResponse(400, typeof(RecommendationErrorBody), "A body the API rejects, with every field error")]
    [Function(nameof(GetRecommendations))]
    public async Task<IActionResult> GetRecommendations(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v2/recommendations")] HttpRequest req, CancellationToken ct)
    {
        if (await RequestBody.ReadAsync(req, ct) is not { } body)
        {
            return ApiErrors.TooLarge(Shape);
        }

        var outcome = await recommendations.RecommendAsync(new RecommendationRequest(body, req.Headers["X-Session-ID"].FirstOrDefault()), ct);
        return outcome.Response is { } response ? Respond.Ok(response) : new ApiResult(400, outcome.Refusal);
    }
}
