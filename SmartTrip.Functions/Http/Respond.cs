using System.Globalization;
using SmartTrip.Core.Catalog;
using SmartTrip.Core.Validation;
using SmartTrip.Core.Wire;

namespace SmartTrip.Functions.Http;

/// <summary>
/// Builds the <see cref="ApiResult"/> an HTTP function returns (<c>Respond.Ok(body)</c>, <c>Respond.NotFound(message)</c>…),
/// with the exact messages of api.md §1.4.
/// </summary>
public static class Respond
{
    public static ApiResult Ok(object body) => new(200, body);

    public static ApiResult Item<T>(T data) => new(200, new ItemBody<T>(data));

    public static ApiResult List<T>(IReadOnlyList<T> data) => new(200, new ListBody<T>(data));

    public static ApiResult Page<T>(Page<T> page) => new(200, new PageBody<T>(page.Total, page.Offset, page.Limit, page.Items));

    public static ApiResult Error(int status, string message, IReadOnlyList<FieldError>? errors = null) =>
        new(status, new ErrorBody(message, errors));

    public static ApiResult BadRequest(string message, IReadOnlyList<FieldError>? errors = null) => Error(400, message, errors);

    public static ApiResult NotFound(string message) => Error(404, message);

    public static ApiResult NotFoundOr<T>(T? data, string message) where T : class =>
        data is null ? NotFound(message) : Item(data);

    /// <summary>
    /// The item a route's <c>{id}</c> names, or the 404 when it names none. An id is read as the <c>int</c> route
    /// constraint reads it (white space and a sign allowed, ASCII digits, 32 bits); anything else (<c>2147483648</c>, a
    /// full-width digit, <c>abc</c>) names nothing: the JSON 404, where the constraint left the host's empty one.
    /// </summary>
    public static async Task<ApiResult> ItemByIdAsync<T>(string id, Func<int, Task<T?>> find, string notFound) where T : class =>
        int.TryParse(id, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? NotFoundOr(await find(value), notFound) : NotFound(notFound);

    public static ApiResult WithMethods(int status, string message, IEnumerable<string> allow) =>
        new(status, new ErrorBody(message), new Dictionary<string, string> { ["Allow"] = string.Join(", ", allow) });

    public static IReadOnlyDictionary<string, string> RetryAfter(int seconds) =>
        new Dictionary<string, string> { ["Retry-After"] = seconds.ToString(CultureInfo.InvariantCulture) };
}
