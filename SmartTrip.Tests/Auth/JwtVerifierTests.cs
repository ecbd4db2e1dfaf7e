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
[Trait("Category", "Unit")]
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

        // Either kind alone is enough for its own tokens.
        Assert.Equal("u", (await VerifyAsync(_tokens.HsToken("u"), new AuthOptions { JwtSecret = TestTokens.JwtSecret }))?.Sub);
        Assert.Equal("u", (await VerifyAsync(_tokens.EsToken("u"), new AuthOptions { Jwks = _tokens.Jwks }))?.Sub);
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

    private Task<string?> SubAsync(JwtVerifier verifier, string token) =>
        verifier.VerifyAsync("Bearer " + token, CancellationToken.None).ContinueWith(t => t.Result?.Sub, TaskScheduler.Default);

    [Fact]
    public async Task Keys_from_the_jwks_url_are_fetched_once_and_refreshed_in_the_background_after_an_hour()
    {
        await using var server = await JwksServer.StartAsync(_tokens.Jwks);
        var verifier = Verifier(new AuthOptions { JwksUrl = server.Url });

        Assert.Equal("a", await SubAsync(verifier, _tokens.RsToken("a")));
        Assert.Equal("b", await SubAsync(verifier, _tokens.EsToken("b")));
        _clock.Advance(JwksCache.Lifetime - TimeSpan.FromSeconds(1));
        Assert.Equal("c", await SubAsync(verifier, _tokens.RsToken("c")));
        Assert.Equal(1, server.Requests); // cached

        // An hour on, the document is gone: the request is answered with the keys in hand while one refresh runs.
        server.Fail = true;
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("d", await SubAsync(verifier, _tokens.RsToken("d")));
        await server.WaitForRequestsAsync(2);
        Assert.Equal("e", await SubAsync(verifier, _tokens.RsToken("e"))); // the failure is remembered: no new attempt
        Assert.Equal(2, server.Requests);

        // After the backoff (1 s after a first failure) the next request tries again, and a good answer replaces the keys.
        server.Fail = false;
        server.Document = new TestTokens(_clock).Jwks; // other keys
        _clock.Advance(TimeSpan.FromSeconds(1));
        await WaitUntilAsync(async () =>
        {
            await SubAsync(verifier, _tokens.RsToken("f")); // starts the fetch once the failed one is over
            return server.Requests == 3;
        });
        await WaitUntilAsync(async () => await SubAsync(verifier, _tokens.RsToken("g")) is null); // the old key is gone
        Assert.Equal(3, server.Requests);
    }

    [Fact]
    public async Task Without_keys_a_failed_fetch_is_not_repeated_until_its_backoff_has_passed()
    {
        await using var server = await JwksServer.StartAsync(_tokens.Jwks);
        server.Fail = true;
        var verifier = Verifier(new AuthOptions { JwksUrl = server.Url });

        Assert.Null(await SubAsync(verifier, _tokens.RsToken("a")));
        Assert.Null(await SubAsync(verifier, _tokens.RsToken("b")));
        Assert.Equal(1, server.Requests);

        server.Fail = false;
        _clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Null(await SubAsync(verifier, _tokens.RsToken("c")));
        Assert.Equal(1, server.Requests);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("d", await SubAsync(verifier, _tokens.RsToken("d")));
        Assert.Equal(2, server.Requests);
    }

    [Fact]
    public async Task A_slow_jwks_endpoint_costs_parallel_requests_one_timeout_not_one_each()
    {
        await using var server = await JwksServer.StartAsync(_tokens.Jwks);
        server.Delay = TimeSpan.FromSeconds(30);
        var verifier = Verifier(new AuthOptions { JwksUrl = server.Url });
        var started = System.Diagnostics.Stopwatch.StartNew();

        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => SubAsync(verifier, _tokens.RsToken($"u{i}"))));
        var elapsed = started.Elapsed;

        Assert.Equal(new string?[5], answers);
        Assert.Equal(1, server.Requests);
        // One fetch gave up after the 3 s timeout and every request waited for that one; serially they would take 15 s.
        Assert.InRange(elapsed, JwksCache.FetchTimeout - TimeSpan.FromMilliseconds(100), 2 * JwksCache.FetchTimeout);
        Assert.Null(await SubAsync(verifier, _tokens.RsToken("later"))); // and the failure is remembered
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task An_unknown_kid_refetches_the_keys_at_most_once_a_minute()
    {
        await using var server = await JwksServer.StartAsync(_tokens.Jwks);
        var verifier = Verifier(new AuthOptions { JwksUrl = server.Url });
        Assert.Equal("a", await SubAsync(verifier, _tokens.RsToken("a")));

        // The provider rotates: a new key with a new kid is published and tokens are signed with it.
        var rotated = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "rsa-rotated" };
        server.Document = Jwks(rotated, _tokens.RsaKey);
        Assert.Equal("b", await SubAsync(verifier, _tokens.RsToken("b", key: rotated)));
        Assert.Equal(2, server.Requests);

        // A junk kid right after forces nothing more; a minute later it may.
        var junk = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "junk" };
        Assert.Null(await SubAsync(verifier, _tokens.RsToken("c", key: junk)));
        Assert.Equal(2, server.Requests);
        _clock.Advance(JwksCache.UnknownKidInterval);
        Assert.Null(await SubAsync(verifier, _tokens.RsToken("d", key: junk)));
        Assert.Equal(3, server.Requests);
        Assert.Equal("e", await SubAsync(verifier, _tokens.RsToken("e", key: rotated)));
        Assert.Equal(3, server.Requests);
    }

    [Theory]
    [InlineData("http://keys.example.com/jwks", false)]
    [InlineData("ftp://127.0.0.1/jwks", false)]
    [InlineData("/jwks", false)]
    [InlineData("https://keys.example.com/.well-known/jwks.json", true)]
    [InlineData("http://127.0.0.1:5000/jwks", true)]
    [InlineData("http://[::1]:5000/jwks", true)]
    [InlineData(null, true)]
    public void The_jwks_url_must_be_https_except_on_loopback(string? url, bool allowed)
    {
        Assert.Equal(allowed, AuthOptions.IsAllowedJwksUrl(url));
        if (!allowed)
        {
            Assert.StartsWith("Auth:JwksUrl must be an https URL", Assert.Throws<ArgumentException>(() => Verifier(new AuthOptions { JwksUrl = url })).Message);
        }
    }

    [Fact]
    public async Task With_an_issuer_set_only_tokens_from_that_issuer_pass()
    {
        var options = _tokens.Options;
        options.Issuer = "https://project.supabase.co/auth/v1";
        var key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(TestTokens.JwtSecret));

        Assert.Null(await VerifyAsync(_tokens.HsToken("u"), options)); // no iss
        Assert.Null(await VerifyAsync(_tokens.Sign(key, SecurityAlgorithms.HmacSha256, "u", null, "authenticated", null, issuer: "https://other.supabase.co/auth/v1"), options));
        Assert.Equal("u", (await VerifyAsync(_tokens.Sign(key, SecurityAlgorithms.HmacSha256, "u", null, "authenticated", null, issuer: options.Issuer), options))?.Sub);
        Assert.Equal("u", (await VerifyAsync(_tokens.HsToken("u")))?.Sub); // unset: not checked
    }

    private static string Jwks(params RsaSecurityKey[] keys) => JsonSerializer.Serialize(new
    {
        keys = keys.Select(k =>
        {
            var parameters = k.Rsa.ExportParameters(false);
            return new Dictionary<string, string>
            {
                ["kty"] = "RSA", ["kid"] = k.KeyId, ["alg"] = "RS256",
                ["n"] = Base64UrlEncoder.Encode(parameters.Modulus!), ["e"] = Base64UrlEncoder.Encode(parameters.Exponent!),
            };
        }),
    });

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30); // wide: a loaded CI machine
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 30 s");
            await Task.Delay(20);
        }
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

        public TimeSpan Delay { get; set; }

        public string Document { get; set; } = "";

        public async Task WaitForRequestsAsync(int count)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30); // wide: a loaded CI machine
            while (Requests < count)
            {
                Assert.True(DateTime.UtcNow < deadline, $"the JWKS endpoint did not get {count} requests within 30 s");
                await Task.Delay(20);
            }
        }

        public static async Task<JwksServer> StartAsync(string document)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var server = new JwksServer(app) { Document = document };
            app.MapGet("/jwks", async (HttpContext context) =>
            {
                Interlocked.Increment(ref server._requests);
                if (server.Delay > TimeSpan.Zero)
                {
                    await Task.Delay(server.Delay, context.RequestAborted);
                }

                return server.Fail ? Results.StatusCode((int)HttpStatusCode.ServiceUnavailable) : Results.Text(server.Document, "application/json");
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            server.Url = address + "/jwks";
            return server;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
