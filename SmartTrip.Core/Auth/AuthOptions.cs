using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace SmartTrip.Core.Auth;

/// <summary>The <c>Auth__*</c> settings: how Supabase access tokens are verified (api.md §1.3).</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>The project's HS256 shared secret; unset = HS256 tokens are not accepted.</summary>
    public string? JwtSecret { get; set; }

    /// <summary>A JWKS document (JSON) with the public RS256/ES256 keys.</summary>
    public string? Jwks { get; set; }

    /// <summary>Where to fetch the JWKS document when <see cref="Jwks"/> is unset: https (http only on a loopback address).</summary>
    public string? JwksUrl { get; set; }

    public string Audience { get; set; } = "authenticated";

    /// <summary>The <c>iss</c> tokens must carry (Supabase: <c>https://&lt;project&gt;.supabase.co/auth/v1</c>); unset = not checked.</summary>
    public string? Issuer { get; set; }

    /// <summary>Whether <see cref="JwksUrl"/> is unset or an address keys may be fetched from.</summary>
    public static bool IsAllowedJwksUrl(string? url) =>
        string.IsNullOrWhiteSpace(url) ||
        (Uri.TryCreate(url, UriKind.Absolute, out var uri) &&
         (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)));
}

/// <summary>The start-up checks of <see cref="AuthOptions"/>.</summary>
public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        List<string> failures = [];
        if (!string.IsNullOrWhiteSpace(options.Jwks) && !IsJwks(options.Jwks))
        {
            failures.Add("Auth:Jwks is not a JWKS document.");
        }

        if (!AuthOptions.IsAllowedJwksUrl(options.JwksUrl))
        {
            failures.Add("Auth:JwksUrl must be an https URL (http only on a loopback address).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsJwks(string text)
    {
        try
        {
            return new JsonWebKeySet(text).Keys.Count > 0;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
