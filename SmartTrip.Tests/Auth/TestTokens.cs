using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SmartTrip.Core.Auth;

namespace SmartTrip.Tests.Auth;

/// <summary>
/// Keys generated for one test run (an HS256 secret, an RSA and an EC key with their public JWKS) and tokens signed
/// with them, their times taken from the given clock.
/// </summary>
public sealed class TestTokens(Func<DateTimeOffset> now)
{
    public TestTokens(TimeProvider clock)
        : this(clock.GetUtcNow)
    {
    }

    public const string JwtSecret = "test-signing-secret-that-is-long-enough-for-hs256";

    public RsaSecurityKey RsaKey { get; } = new(RSA.Create(2048)) { KeyId = "rsa-1" };

    public ECDsaSecurityKey EcKey { get; } = new(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "ec-1" };

    /// <summary>The public keys as a JWKS document.</summary>
    public string Jwks => JsonSerializer.Serialize(new { keys = new[] { RsaPublicKey(), EcPublicKey() } });

    /// <summary>The settings a host verifies these tokens with: the HS256 secret and the JWKS.</summary>
    public AuthOptions Options => new() { JwtSecret = JwtSecret, Jwks = Jwks };

    private DateTime Now => now().UtcDateTime;

    public string HsToken(string sub, string? email = null, string audience = "authenticated", DateTime? expires = null, string? secret = null) =>
        Sign(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret ?? JwtSecret)), SecurityAlgorithms.HmacSha256, sub, email, audience, expires);

    public string RsToken(string sub, string? email = null, RsaSecurityKey? key = null) =>
        Sign(key ?? RsaKey, SecurityAlgorithms.RsaSha256, sub, email, "authenticated", null);

    public string EsToken(string sub) => Sign(EcKey, SecurityAlgorithms.EcdsaSha256, sub, null, "authenticated", null);

    /// <summary>A signed token; <c>iat</c> and <c>nbf</c> a minute ago and <c>exp</c> in an hour unless given.</summary>
    public string Sign(
        SecurityKey key, string algorithm, string sub, string? email, string audience, DateTime? expires,
        DateTime? notBefore = null, DateTime? issuedAt = null, string? issuer = null)
    {
        var claims = new Dictionary<string, object> { ["sub"] = sub, ["aud"] = audience, ["role"] = "authenticated" };
        if (email is not null)
        {
            claims["email"] = email;
        }

        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            IssuedAt = issuedAt ?? Now.AddMinutes(-1),
            NotBefore = notBefore ?? Now.AddMinutes(-1),
            Expires = expires ?? Now.AddHours(1),
            Issuer = issuer,
            SigningCredentials = new SigningCredentials(key, algorithm),
        });
    }

    private Dictionary<string, string> RsaPublicKey()
    {
        var parameters = RsaKey.Rsa.ExportParameters(false);
        return new Dictionary<string, string>
        {
            ["kty"] = "RSA", ["kid"] = RsaKey.KeyId, ["use"] = "sig", ["alg"] = "RS256",
            ["n"] = Base64UrlEncoder.Encode(parameters.Modulus!), ["e"] = Base64UrlEncoder.Encode(parameters.Exponent!),
        };
    }

    private Dictionary<string, string> EcPublicKey()
    {
        var point = EcKey.ECDsa.ExportParameters(false).Q;
        return new Dictionary<string, string>
        {
            ["kty"] = "EC", ["kid"] = EcKey.KeyId, ["use"] = "sig", ["alg"] = "ES256", ["crv"] = "P-256",
            ["x"] = Base64UrlEncoder.Encode(point.X!), ["y"] = Base64UrlEncoder.Encode(point.Y!),
        };
    }
}
