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
