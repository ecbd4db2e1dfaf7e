using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using SmartTrip.Core.Auth;
using SmartTrip.Core.Tracking;
using SmartTrip.Core.Validation;
using SmartTrip.Core.Wire;
using SmartTrip.Functions.Http;

namespace SmartTrip.Functions;

/// <summary>Sessions, identity and event intake (api.md §7, events.md §1–§3).</summary>
public sealed class TrackingFunctions(
    SessionService sessions, EventIngestion ingestion, JwtVerifier jwt, Microsoft.Extensions.Options.IOptions<TrackingOptions> tracking,
    Core.Telemetry.SmartTripMetrics metrics)
{
    [ApiSummary("Start or resume a browser session")]
    [ApiRequestBody(typeof(SessionStartBody), "The session and the browser")]
    [ApiResponse(200, typeof(SessionStarted), "The session, created or resumed")]
    [ApiResponse(400, typeof(ErrorBody), "A missing or malformed field")]
    [ApiResponse(409, typeof(ErrorBody), "The session has ended")]
    [Function(nameof(StartSession))]
    public async Task<IActionResult> StartSession(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "session/start")] HttpRequest req, CancellationToken ct)
    {
        var (body, failure) = await ReadObjectAsync(req, ct);
        if (failure is not null)
        {
            return failure;
        }

        var ip = TrackingIds.ClientIp(
            req.Headers["X-Forwarded-For"].ToString(), req.HttpContext.Connection.RemoteIpAddress, tracking.Value.TrustedProxyHops);
        var (start, error) = SessionService.ReadStart(body, req.Headers.UserAgent.FirstOrDefault(), ip);
        if (start is null)
        {
            return Respond.BadRequest(error!);
        }

        var result = await sessions.StartAsync(start, await IdentityAsync(req, ct), ct);
        return result.Status == SessionStartStatus.Ended
            ? Respond.Error(409, "Session has ended. Start a new session with a new session_id.")
            : Respond.Ok(new SessionStarted(result.UserId, result.SessionId, result.Status == SessionStartStatus.Created));
    }

    [ApiSummary("Track one event")]
    [ApiRequestBody(typeof(EventBody), "The event")]
    [ApiResponse(202, typeof(EventAccepted), "Accepted: it will be stored once")]
    [ApiResponse(400, typeof(ErrorBody), "The event was refused, with its field")]
    [Function(nameof(TrackEvent))]
    public async Task<IActionResult> TrackEvent(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "events")] HttpRequest req, CancellationToken ct)
    {
        var (body, failure) = await ReadObjectAsync(req, ct, checkText: false);
        if (failure is not null)
        {
            return failure;
        }

        var (tracked, error) = EventValidator.Validate(body, 0, ct);
        if (tracked is null)
        {
            metrics.EventsRefused(1);
            return Respond.BadRequest(error!.Message, [new FieldError(error.Field, error.Message)]);
        }

        await ingestion.EnqueueAsync([tracked], await IdentityAsync(req, ct), ct);
        return new ApiResult(202, new EventAccepted(tracked.EventId));
    }

    [ApiSummary("Track up to 100 events of one browser")]
    [ApiRequestBody(typeof(EventBatchBody), "The events")]
    [ApiResponse(202, typeof(BatchAccepted), "The valid events were accepted; the others are listed by index")]
    [ApiResponse(400, typeof(ErrorBody), "No events, too many, or not a JSON object")]
    [Function(nameof(TrackEventBatch))]
    public async Task<IActionResult> TrackEventBatch(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "events/batch")] HttpRequest req, CancellationToken ct)
    {
        var (body, failure) = await ReadObjectAsync(req, ct, checkText: false);
        if (failure is not null)
        {
            return failure;
        }

        var (events, shapeError) = EventIngestion.BatchEvents(body);
        if (shapeError is not null)
        {
            return Respond.BadRequest(shapeError);
        }

        var outcome = await ingestion.AcceptBatchAsync(events, await IdentityAsync(req, ct), ct);
        return new ApiResult(202, new BatchAccepted(outcome.Processed, outcome.Total, outcome.Errors.Count == 0 ? null : outcome.Errors));
    }

    [ApiSummary("Link the signed-in identity to a browser (JWT required)")]
    [ApiRequestBody(typeof(IdentifyBody), "The browser")]
    [ApiResponse(200, typeof(UserIdentified), "The user")]
    [ApiResponse(400, typeof(ErrorBody), "A missing or malformed anonymous_id")]
    [ApiResponse(401, typeof(ErrorBody), "No valid token")]
    [Function(nameof(IdentifyUser))]
    public async Task<IActionResult> IdentifyUser(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "user/identify")] HttpRequest req, CancellationToken ct)
    {
        if (await IdentityAsync(req, ct) is not { } identity)
        {
            return Respond.Error(401, ErrorMessages.AuthenticationRequired);
        }

        var (body, failure) = await ReadObjectAsync(req, ct);
        if (failure is not null)
        {
            return failure;
        }

        var (anonymousId, error) = SessionService.ReadIdentify(body);
        return anonymousId is { } id
            ? Respond.Ok(new UserIdentified(await sessions.IdentifyAsync(id, identity, ct)))
            : Respond.BadRequest(error!);
    }

    [ApiSummary("The accepted event types, sources and categories")]
    [ApiResponse(200, typeof(EventTypesBody), "The event reference")]
    [Function(nameof(GetEventTypes))]
    public IActionResult GetEventTypes(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "events/types")] HttpRequest req) =>
        Respond.Ok(new EventTypesBody(
            EventCatalog.Types.Select(t => t.Type).ToList(),
            EventCatalog.Types.GroupBy(t => t.Category).ToDictionary(g => g.Key, g => g.Select(t => t.Type).ToList()),
            EventCatalog.Sources));

    private Task<VerifiedIdentity?> IdentityAsync(HttpRequest req, CancellationToken ct) =>
        jwt.VerifyAsync(req.Headers.Authorization.FirstOrDefault(), ct);

    /// <summary>
    /// The body as a JSON object (an empty body is <c>{}</c>), or the 413 / 400 it deserves. With
    /// <paramref name="checkText"/> false, the caller's validator checks the text of each event itself (a batch answers
    /// per event).
    /// </summary>
    private static async Task<(JsonElement Body, ApiResult? Failure)> ReadObjectAsync(HttpRequest req, CancellationToken ct, bool checkText = true)
    {
        if (await RequestBody.ReadAsync(req, ct) is not { } bytes)
        {
            return (default, ApiErrors.TooLarge(ErrorShape.Standard));
        }

        var (body, error) = JsonBody.Parse(bytes, ct);
        if (error is not null)
        {
            return (default, Respond.BadRequest(error));
        }

        return (body, checkText ? RequestBody.RefuseUnstorableText(body, ct) : null);
    }
}
