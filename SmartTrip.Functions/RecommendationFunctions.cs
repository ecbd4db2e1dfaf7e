using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using SmartTrip.Core.Platform;
using SmartTrip.Core.Recommendations;
using SmartTrip.Core.Wire;
using SmartTrip.Functions.Http;

namespace SmartTrip.Functions;

/// <summary><c>POST /api/v2/recommendations</c> (api.md §6): preferences in, ranked trips out.</summary>
public sealed class RecommendationFunctions(RecommendationService recommendations, IOptions<ApiOptions> api)
{
    [ApiSummary("Ranked trips for the traveller's preferences")]
    [ApiRequestBody(typeof(RecommendationRequestBody), "The preferences (every field optional)")]
    [ApiResponse(200, typeof(RecommendationResponse), "The primary results, then the relaxed ones")]
    [ApiResponse(400, typeof(RecommendationErrorBody), "A body the API rejects, with every field error")]
    [ApiResponse(413, typeof(RecommendationErrorBody), "A body over 1 MB")]
    [ApiResponse(500, typeof(RecommendationErrorBody), "A defect")]
    [ApiResponse(503, typeof(RecommendationErrorBody), "The database is unavailable")]
    [Function(nameof(GetRecommendations))]
    public async Task<IActionResult> GetRecommendations(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v2/recommendations")] HttpRequest req, CancellationToken ct)
    {
        if (await RequestBody.ReadAsync(req, ct) is not { } body)
        {
            return new ApiResult(413, new RecommendationErrorBody(RecommendationErrorBody.BodyTooLarge));
        }

        var outcome = await recommendations.RecommendAsync(new RecommendationRequest(body, req.Headers["X-Session-ID"].FirstOrDefault()), ct);
        return new ApiResult(outcome.Status, outcome.Body, outcome.Status == 503 ? Respond.RetryAfter(api.Value.RetryAfterSeconds) : null);
    }
}
