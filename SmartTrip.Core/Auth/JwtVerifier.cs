using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SmartTrip.Core.Tracking;

namespace SmartTrip.Core.Auth;

/// <summary>
/// Verifies <c>Authorization: Bearer</c> tokens. HS256 tokens are checked against the shared secret only, RS256/ES256
/// tokens against the JWKS keys only (the key decides the algorithm; <c>alg: none</c> never passes); <c>aud</c>, a
/// future <c>exp</c> (no leeway), <c>nbf</c>/<c>iat</c> not in the future, a non-empty <c>sub</c> and, when
/// <c>Auth__Issuer</c> is set, that <c>iss</c> are required. Keys from <c>Auth__JwksUrl</c> come from a
/// <see cref="JwksCache"/>. Any failure makes the caller a guest (null); it is never an error.
/// </summary>
public sealed class JwtVerifier
{
    private static readonly HttpClient Http = new() { Timeout = JwksCache.FetchTimeout };

    private readonly AuthOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<JwtVerifier> _logger;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly SymmetricSecurityKey? _secret;
    private readonly IReadOnlyList<SecurityKey> _configuredKeys;
    private readonly JwksCache? _fetchedKeys;

    public JwtVerifier(IOptions<AuthOptions> options, TimeProvider clock, ILogger<JwtVerifier> logger)
    {
        _options = options.Value;
        _clock = clock;
        _logger = logger;
        _secret = string.IsNullOrEmpty(_options.JwtSecret) ? null : new SymmetricSecurityKey(Encoding.UTF8.GetBytes(_options.JwtSecret));
        _configuredKeys = string.IsNullOrWhiteSpace(_options.Jwks) ? [] : PublicKeys(new JsonWebKeySet(_options.Jwks));
        if (_configuredKeys.Count == 0 && !string.IsNullOrWhiteSpace(_options.JwksUrl))
        {
            if (!AuthOptions.IsAllowedJwksUrl(_options.JwksUrl))
            {
                throw new ArgumentException("Auth:JwksUrl must be an https URL (http only on a loopback address).", nameof(options));
            }

            _fetchedKeys = new JwksCache(new Uri(_options.JwksUrl), Http, clock, logger);
        }
    }

    /// <summary>True when at least one kind of key is configured.</summary>
    public bool IsConfigured => _secret is not null || _configuredKeys.Count > 0 || _fetchedKeys is not null;

    /// <summary>The identity in an <c>Authorization</c> header value, or null for a guest.</summary>
    public async Task<VerifiedIdentity?> VerifyAsync(string? authorization, CancellationToken ct)
    {
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.Ordinal) || !IsConfigured)
        {
            return null;
        }

        var token = authorization["Bearer ".Length..];
        JsonWebToken jwt;
        try
        {
            jwt = _handler.ReadJsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return null;
        }

        IReadOnlyList<SecurityKey> keys = jwt.Alg switch
        {
            SecurityAlgorithms.HmacSha256 when _secret is not null => [_secret],
            SecurityAlgorithms.RsaSha256 or SecurityAlgorithms.EcdsaSha256 => Matching(await PublicKeysAsync(ct), jwt.Kid),
            _ => [],
        };
        if (keys.Count == 0 && jwt.Alg is SecurityAlgorithms.RsaSha256 or SecurityAlgorithms.EcdsaSha256 &&
            !string.IsNullOrEmpty(jwt.Kid) && _fetchedKeys is not null)
        {
            keys = Matching(await _fetchedKeys.RefreshForUnknownKidAsync(ct), jwt.Kid); // the provider may have rotated its keys
        }

        if (keys.Count == 0)
        {
            return null;
        }

        var now = _clock.GetUtcNow().UtcDateTime;
        var parameters = new TokenValidationParameters
        {
            ValidateIssuer = !string.IsNullOrEmpty(_options.Issuer),
            ValidIssuer = _options.Issuer,
            ValidAudience = _options.Audience,
            ValidAlgorithms = [jwt.Alg],
            IssuerSigningKeys = keys,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = TimeSpan.Zero,
            LifetimeValidator = (notBefore, expires, _, _) => expires is { } exp && now < exp && (notBefore is not { } nbf || nbf <= now),
        };

        var result = await _handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid)
        {
            _logger.LogDebug(result.Exception, "A bearer token was refused; the caller is a guest");
            return null;
        }

        if (jwt.TryGetPayloadValue<long>("iat", out var issuedAt) && DateTimeOffset.FromUnixTimeSeconds(issuedAt).UtcDateTime > now)
        {
            return null;
        }

        if (!jwt.TryGetPayloadValue<string>("sub", out var sub) || string.IsNullOrEmpty(sub))
        {
            return null;
        }

        var email = jwt.TryGetPayloadValue<string>("email", out var value) && !string.IsNullOrEmpty(value) ? value : null;
        return new VerifiedIdentity(sub, email);
    }

    private async Task<IReadOnlyList<SecurityKey>> PublicKeysAsync(CancellationToken ct) =>
        _fetchedKeys is null ? _configuredKeys : await _fetchedKeys.GetAsync(ct);

    private static List<SecurityKey> Matching(IReadOnlyList<SecurityKey> keys, string? kid) =>
        keys.Where(k => string.IsNullOrEmpty(kid) || k.KeyId == kid).ToList();

    /// <summary>Only asymmetric keys come from a JWKS: a symmetric key there must never verify an HS256 token.</summary>
    internal static IReadOnlyList<SecurityKey> PublicKeys(JsonWebKeySet set) =>
        set.Keys.Where(k => k.Kty is JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve).Cast<SecurityKey>().ToList();
}
