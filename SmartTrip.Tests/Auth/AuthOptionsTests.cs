using SmartTrip.Core.Auth;

namespace SmartTrip.Tests.Auth;

/// <summary>The start-up checks of the <c>Auth__*</c> settings: a host with keys it cannot use does not start.</summary>
[Trait("Category", "Unit")]
public sealed class AuthOptionsTests
{
    private static readonly AuthOptionsValidator Validator = new();

    [Fact]
    public void Usable_settings_pass_and_each_unusable_one_is_named()
    {
        var tokens = new TestTokens(() => DateTimeOffset.UtcNow);

        Assert.True(Validator.Validate(null, new AuthOptions()).Succeeded);
        Assert.True(Validator.Validate(null, new AuthOptions { Jwks = tokens.Jwks, JwksUrl = "https://example.supabase.co/auth/v1/.well-known/jwks.json" }).Succeeded);
        Assert.True(Validator.Validate(null, new AuthOptions { Jwks = "  ", JwksUrl = "http://127.0.0.1:5000/jwks" }).Succeeded);

        var broken = Validator.Validate(null, new AuthOptions { Jwks = """{"keys":[]}""", JwksUrl = "http://example.com/jwks" });
        var notJson = Validator.Validate(null, new AuthOptions { Jwks = "not a key set" });

        Assert.Equal(
            ["Auth:Jwks is not a JWKS document.", "Auth:JwksUrl must be an https URL (http only on a loopback address)."],
            broken.Failures);
        Assert.Equal(["Auth:Jwks is not a JWKS document."], notJson.Failures);
    }
}
