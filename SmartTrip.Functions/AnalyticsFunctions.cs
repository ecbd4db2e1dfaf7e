using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using SmartTrip.Core.Analytics;
using SmartTrip.Functions.Http;

namespace SmartTrip.Functions;

/// <summary>Evaluation of the personas (api.md §8.4–§8.5), behind the function key.</summary>
public sealed class AnalyticsFunctions(EvaluationService evaluation)
{
    [Function(nameof(GetEvaluationScenarios))]
    public async Task<IActionResult> GetEvaluationScenarios(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "evaluation/scenarios")] HttpRequest req, CancellationToken ct) =>
        ApiResults.List(await evaluation.ListAsync(new QueryReader(req.Query).String("category"), ct));

    [Function(nameof(RunEvaluation))]
    public async Task<IActionResult> RunEvaluation(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "evaluation/run")] HttpRequest req, CancellationToken ct)
    {
        if (await RequestBody.ReadAsync(req, ct) is not { } bytes)
        {
            return ApiResults.Error(413, ApiResults.BodyTooLarge);
        }

        var body = RequestBody.AsObject(bytes);
        var category = body is { } b && b.TryGetProperty("category", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        if (!TryScenarioIds(body, out var ids))
        {
            return ApiResults.BadRequest("scenario_ids must contain integers");
        }

        return ApiResults.Ok(await evaluation.RunAsync(category, ids, ct));
    }

    /// <summary>
    /// <c>scenario_ids</c>: not an array → ignored; integers and digit strings are used, other non-strings ignored,
    /// a non-numeric string is an error.
    /// </summary>
    private static bool TryScenarioIds(JsonElement? body, out List<int> ids)
    {
        ids = [];
        if (body is not { } b || !b.TryGetProperty("scenario_ids", out var value) || value.ValueKind != JsonValueKind.Array)
        {
            return true;
        }

        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Number && Core.Json.JsonIntegers.TryGet(item, out var id))
            {
                ids.Add(id);
            }
            else if (item.ValueKind == JsonValueKind.String)
            {
                if (!int.TryParse(item.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                {
                    return false;
                }

                ids.Add(parsed);
            }
        }

        return true;
    }
}
