using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace SmartTrip.DevHost;

/// <summary>
/// <see cref="AuthorizationLevel.Function"/> and <see cref="AuthorizationLevel.Admin"/> as Azure enforces them:
/// the key in the <c>x-functions-key</c> header or the <c>code</c> query parameter, else 401 with an empty body.
/// The development host has one key (<c>DevHost__FunctionKey</c>).
/// </summary>
public sealed class FunctionKeyPolicy(string key)
{
    public const string HeaderName = "x-functions-key";
    public const string QueryName = "code";
    public const string DefaultKey = "dev-function-key";

    public bool IsAuthorized(AuthorizationLevel level, HttpRequest request)
    {
        if (level == AuthorizationLevel.Anonymous)
        {
            return true;
        }

        var presented = request.Headers[HeaderName].FirstOrDefault() ?? request.Query[QueryName].FirstOrDefault();
        return presented is not null && FixedTimeEquals(presented, key);
    }

    private static bool FixedTimeEquals(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(a), System.Text.Encoding.UTF8.GetBytes(b));
}
