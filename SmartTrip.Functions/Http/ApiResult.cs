using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using SmartTrip.Core.Json;

namespace SmartTrip.Functions.Http;

/// <summary>
/// A JSON response in the SmartTrip wire format. It is both an <see cref="IActionResult"/> (what HTTP functions
/// return) and an <see cref="IResult"/>, and writes itself without MVC formatters, so every host produces
/// byte-identical bodies.
/// </summary>
public sealed class ApiResult(int statusCode, object? body, IReadOnlyDictionary<string, string>? headers = null)
    : IActionResult, IResult
{
    public const string JsonContentType = "application/json; charset=utf-8";

    public int StatusCode { get; } = statusCode;

    public object? Body { get; } = body;

    public IReadOnlyDictionary<string, string> Headers { get; } = headers ?? new Dictionary<string, string>();

    public Task ExecuteResultAsync(ActionContext context) => ExecuteAsync(context.HttpContext);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        foreach (var (name, value) in Headers)
        {
            response.Headers[name] = value;
        }

        if (Body is null)
        {
            response.ContentLength = 0;
            return;
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(Body, Body.GetType(), SmartTripJson.Options);
        response.ContentType = JsonContentType;
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, httpContext.RequestAborted);
    }
}
