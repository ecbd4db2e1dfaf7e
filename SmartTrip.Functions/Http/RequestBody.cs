using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SmartTrip.Core.Validation;

namespace SmartTrip.Functions.Http;

/// <summary>Reads a POST body whatever its content type (JSON or the text/plain of sendBeacon), up to 1 MB.</summary>
public static class RequestBody
{
    public const int MaxBytes = JsonBody.MaxBytes;

    /// <summary>
    /// The 400 for the first string of a body that cannot be stored (<see cref="StorableText"/>), naming its field; null
    /// when every string can.
    /// </summary>
    public static ApiResult? RefuseUnstorableText(JsonElement body, CancellationToken ct) =>
        StorableText.Check(body, ct) is { } refused ? Respond.BadRequest(refused.Message, [refused]) : null;

    /// <summary>The body's bytes, or null when it is larger than <see cref="MaxBytes"/>.</summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 1024);
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > MaxBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }
}
