using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace SmartTrip.DevHost;

/// <summary>
/// Keys as the Functions host checks them: the key is the <c>x-functions-key</c> header, or the <c>code</c> query
/// parameter when the header is missing or empty; <see cref="AuthorizationLevel.Function"/> accepts the function key or
/// the master key, <see cref="AuthorizationLevel.Admin"/> (and the admin API) only the master key; an unknown or missing
/// key is 401 and the function key where the master key is needed 403, both with an empty body. The development host has one key of each (<c>DevHost__FunctionKey</c>, <c>DevHost__MasterKey</c>).
/// </summary>
public sealed class FunctionKeyPolicy(string functionKey, string masterKey)
{
    public const string HeaderName = "x-functions-key";
    public const string QueryName = "code";
    public const string DefaultKey = "dev-function-key";
    public const string DefaultMasterKey = "dev-master-key";

    public string FunctionKey => functionKey;

    public string MasterKey => masterKey;

    public bool IsAuthorized(AuthorizationLevel level, HttpRequest request) => Check(level, request) == StatusCodes.Status200OK;

    /// <summary>
    /// 200 when the request may run at this level; 401 for a missing or unknown key; 403 for the function key where the
    /// master key is needed (the host's answer on its admin API).
    /// </summary>
    public int Check(AuthorizationLevel level, HttpRequest request)
    {
        if (level == AuthorizationLevel.Anonymous)
        {
            return StatusCodes.Status200OK;
        }

        var presented = request.Headers[HeaderName].FirstOrDefault();
        if (string.IsNullOrEmpty(presented))
        {
            presented = request.Query[QueryName].FirstOrDefault();
        }

        if (string.IsNullOrEmpty(presented))
        {
            return StatusCodes.Status401Unauthorized;
        }

        if (FixedTimeEquals(presented, masterKey))
        {
            return StatusCodes.Status200OK;
        }

        if (!FixedTimeEquals(presented, functionKey))
        {
            return StatusCodes.Status401Unauthorized;
        }

        return level == AuthorizationLevel.Admin ? StatusCodes.Status403Forbidden : StatusCodes.Status200OK;
    }

    private static bool FixedTimeEquals(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(a), System.Text.Encoding.UTF8.GetBytes(b));
}
