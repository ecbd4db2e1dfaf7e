using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using SmartTrip.Core.Experiments;
using SmartTrip.Core.Wire;
using SmartTrip.Functions.Http;

namespace SmartTrip.Functions;

/// <summary>Ranking experiments and their results (docs/experiments.md §5), behind the function key.</summary>
public sealed class ExperimentFunctions(ExperimentStore store, ExperimentResultsService results, ExperimentPreview preview)
{
    [ApiSummary("Ranking experiments (docs/experiments.md)")]
    [ApiResponse(200, typeof(ListBody<Experiment>), "The experiments")]
    [Function(nameof(GetExperiments))]
    public async Task<IActionResult> GetExperiments(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "experiments")] HttpRequest req, CancellationToken ct) =>
        Respond.List(await store.ListAsync(ct));

    [ApiSummary("An experiment's results per variant")]
    [ApiResponse(200, typeof(ItemBody<ExperimentResults>), "The results")]
    [ApiResponse(404, typeof(ErrorBody), "No such experiment")]
    [Function(nameof(GetExperimentResults))]
    public async Task<IActionResult> GetExperimentResults(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "experiments/{id}/results")] HttpRequest req, string id, CancellationToken ct) =>
        await Respond.ItemByIdAsync(id, value => results.ResultsAsync(value, ct), "Experiment not found");

    [ApiSummary("What each variant would change, replayed over the logged searches, and its clicks as the log's propensities estimate them")]
    [ApiQuery("days", QueryShape.Clamped, "Days of logged searches to replay, 1-365; unreadable is 30", Minimum = 1, Maximum = 365, Default = 30)]
    [ApiResponse(200, typeof(ItemBody<ExperimentPreviewReport>), "The preview (docs/experiments.md §5 and §8)")]
    [ApiResponse(404, typeof(ErrorBody), "No such experiment")]
    [Function(nameof(GetExperimentPreview))]
    public async Task<IActionResult> GetExperimentPreview(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "experiments/{id}/preview")] HttpRequest req, string id, CancellationToken ct)
    {
        var days = QueryReader.Of(req).Clamped("days");
        return await Respond.ItemByIdAsync(
            id, async value => await store.GetAsync(value, ct) is null ? null : await preview.RunAsync(value, days, ct), "Experiment not found");
    }
}
