using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;
using SmartTrip.Core.Auth;
using SmartTrip.Core.Tracking;

namespace SmartTrip.Tests.Auth;

/// <summary>The verifier alone (api.md §1.3), with tokens signed here by keys generated for the run and a pinned clock.</summary>
public sealed class JwtVerifierTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
    private readonly TestTokens _tokens;

    public JwtVerifierTests() => _tokens = new TestTokens(_clock);

    private DateTime Now => _clock.GetUtcNow().UtcDateTime;

    private JwtVerifier Verifier(AuthOptions? options = null) =>
        new(Options.Create(options ?? _tokens.Options), _clock, NullLogger<JwtVerifier>.Instance);

    private Task<VerifiedIdentity?> VerifyAsync(string token, AuthOptions? options = null) =>
        Verifier(options).VerifyAsync("Bearer " + token, CancellationToken.None);

    [Fact]
    public async Task A_valid_hs256_token_gives_the_identity()
    {
        Assert.Equal(new VerifiedIdentity("user-1", "u1@example.com"), await VerifyAsync(_tokens.HsToken("user-1", "u1@example.com")));
        Assert.Equal(new VerifiedIdentity("user-1", null), await VerifyAsync(_tokens.HsToken("user-1", "")));
    }

    [Fact]
    public async Task A_valid_token_signed_with_a_jwks_key_gives_the_identity()
    {
        Assert.Equal(new VerifiedIdentity("user-2", null), await VerifyAsync(_tokens.RsToken("user-2")));
        Assert.Equal(new VerifiedIdentity("user-3", null), await VerifyAsync(_tokens.EsToken("user-3")));
    }

    [Fact]
    public async Task Expired_wrong_audience_wrong_signature_and_unknown_keys_make_a_guest()
    {
        Assert.Null(await VerifyAsync(_tokens.HsToken("u", expires: Now.AddSeconds(-1))));
        Assert.Null(await VerifyAsync(_tokens.HsToken("u", audience: "anon")));
        Assert.Null(await VerifyAsync(_tokens.HsToken("u", secret: "another-secret-that-is-long-enough-for-hs256")));
        Assert.Null(await VerifyAsync(_tokens.RsToken("u", key: new RsaSecurityKey(RSA.Create(2048)) { KeyId = "rsa-1" })));
        Assert.Null(await VerifyAsync(_tokens.RsToken("u", key: new RsaSecurityKey(_tokens.RsaKey.Rsa) { KeyId = "rsa-2" })));
        Assert.Null(await VerifyAsync(_tokens.HsToken("")));
        Assert.Null(await Verifier().VerifyAsync("bearer " + _tokens.HsToken("u"), CancellationToken.None));
        Assert.Null(await Verifier().VerifyAsync(_tokens.HsToken("u"), CancellationToken.None));
        Assert.Null(await Verifier().VerifyAsync(null, CancellationToken.None));
        Assert.Null(await Verifier().VerifyAsync("Bearer not.a.token", CancellationToken.None));
    }

    [Fact]
    public async Task Expiry_is_exact_with_no_leeway()
    {
        Assert.Null(await VerifyAsync(_tokens.HsToken("u", expires: Now)));
        Assert.Equal("u", (await VerifyAsync(_tokens.HsToken("u", expires: Now.AddSeconds(1))))?.Sub);
    }

    [Fact]
    public async Task A_token_not_valid_yet_or_issued_in_the_future_makes_a_guest()
    {
        var key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(TestTokens.JwtSecret));
        string Token(DateTime notBefore, DateTime issuedAt) =>
            _tokens.Sign(key, SecurityAlgorithms.HmacSha256, "u", null, "authenticated", null, notBefore, issuedAt);

        Assert.Null(await VerifyAsync(Token(Now.AddSeconds(1), Now.AddMinutes(-1))));
        Assert.Null(await VerifyAsync(Token(Now.AddMinutes(-1), Now.AddSeconds(1))));
        Assert.Equal("u", (await VerifyAsync(Token(Now, Now)))?.Sub); // "now" itself is not the future
    }

    [Fact]
    public async Task Alg_none_is_refused()
    {
        static string Segment(object value) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value)));
        var exp = _clock.GetUtcNow().AddHours(1).ToUnixTimeSeconds();
        var unsigned = $"{Segment(new { alg = "none", typ = "JWT" })}.{Segment(new { sub = "intruder", aud = "authenticated", exp })}.";

        Assert.Null(await VerifyAsync(unsigned));
    }

    [Fact]
    public async Task An_hs256_token_keyed_with_the_public_key_is_refused()
    {
        var publicJwk = Encoding.UTF8.GetBytes(_tokens.RsaKey.Rsa.ExportSubjectPublicKeyInfoPem());
        var token = _tokens.Sign(new SymmetricSecurityKey(publicJwk) { KeyId = "rsa-1" }, SecurityAlgorithms.HmacSha256, "intruder", null, "authenticated", null);

        Assert.Null(await VerifyAsync(token));
    }

    [Fact]
    public async Task Each_kind_of_token_is_checked_only_against_its_own_kind_of_key()
    {
        // A symmetric key published in a JWKS never verifies an HS256 token; without the secret, HS256 is not accepted.
        var secret = Encoding.UTF8.GetBytes(TestTokens.JwtSecret);
        var jwksWithSecret = JsonSerializer.Serialize(new { keys = new[] { new { kty = "oct", kid = "shared", k = Base64UrlEncoder.Encode(secret) } } });
        Assert.Null(await VerifyAsync(_tokens.HsToken("u"), new AuthOptions { Jwks = jwksWithSecret }));
        Assert.Null(await VerifyAsync(_tokens.HsToken("u"), new AuthOptions { Jwks = _tokens.Jwks }));

        // Without a JWKS, RS256 and ES256 tokens are not accepted; with nothing configured, no token is.
        Assert.Null(await VerifyAsync(_tokens.RsToken("u"), new AuthOptions { JwtSecret = TestTokens.JwtSecret }));
        Assert.Null(await VerifyAsync(_tokens.EsToken("u"), new AuthOptions { JwtSecret = TestTokens.JwtSecret }));
        Assert.False(Verifier(new AuthOptions()).IsConfigured);
        Assert.Null(await VerifyAsync(_tokens.HsToken("u"), new AuthOptions()));
        Assert.True(Verifier(new AuthOptions { JwksUrl = "http://127.0.0.1:9/jwks" }).IsConfigured);
    }

    [Fact]
    public async Task The_audience_setting_is_the_one_checked()
    {
        var options = _tokens.Options;
        options.Audience = "partners";

        Assert.Null(await VerifyAsync(_tokens.HsToken("u"), options));
        Assert.Equal("u", (await VerifyAsync(_tokens.HsToken("u", audience: "partners"), options))?.Sub);
    }

    [Fact]
    public async Task Keys_from_the_jwks_url_are_fetched_once_an_hour_and_the_last_good_ones_kept_when_it_fails()
    {
        await using var server = await JwksServer.StartAsync(_tokens.Jwks);
        var verifier = Verifier(new AuthOptions { JwksUrl = server.Url });

        Assert.Equal("a", (await verifier.VerifyAsync("Bearer " + _tokens.RsToken("a"), CancellationToken.None))?.Sub);
        Assert.Equal("b", (await verifier.VerifyAsync("Bearer " + _tokens.EsToken("b"), CancellationToken.None))?.Sub);
        Assert.Equal(1, server.Requests); // cached

        _clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal("c", (await verifier.VerifyAsync("Bearer " + _tokens.RsToken("c"), CancellationToken.None))?.Sub);
        Assert.Equal(1, server.Requests);

        _clock.Advance(TimeSpan.FromMinutes(1)); // an hour after the fetch: fetched again
        Assert.Equal("d", (await verifier.VerifyAsync("Bearer " + _tokens.RsToken("d"), CancellationToken.None))?.Sub);
        Assert.Equal(2, server.Requests);

        server.Fail = true;
        _clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal("e", (await verifier.VerifyAsync("Bearer " + _tokens.RsToken("e"), CancellationToken.None))?.Sub); // the last good keys
        Assert.Equal(3, server.Requests);

        // A verifier that never fetched the keys has none to fall back on.
        var fresh = Verifier(new AuthOptions { JwksUrl = server.Url });
        Assert.Null(await fresh.VerifyAsync("Bearer " + _tokens.RsToken("f"), CancellationToken.None));
        Assert.Equal(4, server.Requests);
    }

    [Fact]
    public async Task A_configured_jwks_is_used_instead_of_the_url()
    {
        await using var server = await JwksServer.StartAsync(_tokens.Jwks);

        Assert.Equal("a", (await VerifyAsync(_tokens.RsToken("a"), new AuthOptions { Jwks = _tokens.Jwks, JwksUrl = server.Url }))?.Sub);
        Assert.Equal(0, server.Requests);
    }

    /// <summary>A JWKS endpoint on a loopback port that counts its requests and can be made to fail.</summary>
    private sealed class JwksServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _requests;

        private JwksServer(WebApplication app) => _app = app;

        public string Url { get; private set; } = "";

        public int Requests => Volatile.Read(ref _requests);

        public bool Fail { get; set; }

        public static async Task<JwksServer> StartAsync(string document)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var server = new JwksServer(app);
            app.MapGet("/jwks", (HttpContext context) =>
            {
                Interlocked.Increment(ref server._requests);
                return server.Fail ? Results.StatusCode((int)HttpStatusCode.ServiceUnavailable) : Results.Text(document, "application/json");
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            server.Url = address + "/jwks";
            return server;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
