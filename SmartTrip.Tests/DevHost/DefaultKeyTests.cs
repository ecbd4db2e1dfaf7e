using Microsoft.AspNetCore.Hosting;
using SmartTrip.DevHost;

namespace SmartTrip.Tests.DevHost;

/// <summary>The development host's printed default keys never guard an address beyond loopback.</summary>
[Trait("Category", "Unit")]
public sealed class DefaultKeyTests
{
    private static Exception? Build(string urls, string? functionKey = null, string? masterKey = null)
    {
        try
        {
            var app = DevHostApplication.Build([], builder =>
            {
                builder.WebHost.UseUrls(urls);
                builder.Configuration["ConnectionStrings:SmartTripDb"] = "Host=127.0.0.1;Database=unused";
                builder.Configuration["DevHost:BackgroundTriggers"] = "false";
                builder.Configuration["DevHost:FunctionKey"] = functionKey;
                builder.Configuration["DevHost:MasterKey"] = masterKey;
            });
            ((IDisposable)app).Dispose();
            return null;
        }
        catch (InvalidOperationException exception)
        {
            return exception;
        }
    }

    [Theory]
    [InlineData("http://0.0.0.0:7071")]
    [InlineData("http://*:7071")]
    [InlineData("http://127.0.0.1:7071;http://192.0.2.10:7071")]
    [InlineData("http://devbox.example.com:7071")]
    public void A_host_beyond_loopback_with_a_default_key_does_not_start(string urls)
    {
        var refused = Build(urls);
        var onlyFunctionKey = Build(urls, functionKey: "a-key-of-my-own");

        Assert.StartsWith("The development host would listen on ", refused?.Message);
        Assert.Contains("DevHost__FunctionKey", refused!.Message);
        Assert.NotNull(onlyFunctionKey); // the master key is default still
        Assert.Null(Build(urls, "a-key-of-my-own", "a-master-key-of-my-own"));
    }

    [Theory]
    [InlineData("http://127.0.0.1:7071")]
    [InlineData("http://localhost:7071")]
    [InlineData("http://[::1]:7071")]
    public void A_loopback_host_starts_with_the_default_keys(string urls)
    {
        Assert.Null(Build(urls));
    }
}
