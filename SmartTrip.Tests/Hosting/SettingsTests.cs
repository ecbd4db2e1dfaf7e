using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SmartTrip.Core.Hosting;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Hosting;

/// <summary>No setting forgotten: every setting of the spec's configuration table is in the sample and in Azure.</summary>
[Trait("Category", "Unit")]
public sealed partial class SettingsTests
{
    /// <summary>The configuration table of the product specification (shared/spec/README.md).</summary>
    private static readonly string[] SpecSettings =
    [
        "ConnectionStrings__SmartTripDb", "AzureWebJobsStorage", "Auth__JwtSecret", "Auth__Jwks", "Auth__JwksUrl", "Auth__Audience",
        "Cors__AllowedOrigins", "DevHost__FunctionKey", "DailyMetricsSchedule", "CloseIdleSessionsSchedule",
        "Recommendations__MaxResults", "RetryAfterSeconds",
    ];

    /// <summary>Settings the code reads beyond the spec's table.</summary>
    private static readonly string[] ProductSettings =
        ["Recommendations__CatalogRefreshMilliseconds", "Tracking__SessionIdleMinutes", "Auth__Issuer", "Tracking__TrustedProxyHops",
         "PartitionMaintenanceSchedule", "Lifecycle__ArchiveContainer", "Exploration__Share"];

    /// <summary>Settings that exist only on a development machine.</summary>
    private static readonly string[] DevelopmentOnly =
    [
        "DevHost__FunctionKey", "DevHost__MasterKey", // Azure manages function keys
        "DevHost__BackgroundTriggers", // the Functions host runs triggers itself
        "FUNCTIONS_WORKER_RUNTIME", // Flex Consumption takes the runtime from functionAppConfig
    ];

    private static string Read(params string[] path) => File.ReadAllText(Path.Combine([TestServices.RepositoryRoot, .. path]));

    private static HashSet<string> SampleSettings() =>
        JsonDocument.Parse(Read("local.settings.sample.json")).RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name).ToHashSet();

    private static HashSet<string> BicepAppSettings()
    {
        var bicep = Read("infra", "modules", "app.bicep");
        var block = bicep[bicep.IndexOf("name: 'appsettings'", StringComparison.Ordinal)..];
        return SettingLine().Matches(block).Select(m => m.Groups[1].Value).ToHashSet();
    }

    [GeneratedRegex(@"^\s+([A-Za-z_][A-Za-z0-9_]*):", RegexOptions.Multiline)]
    private static partial Regex SettingLine();

    [Fact]
    public void Every_setting_is_in_the_sample()
    {
        var sample = SampleSettings();

        Assert.Equal([], SpecSettings.Concat(ProductSettings).Where(s => !sample.Contains(s)).ToArray());
    }

    [Fact]
    public void Every_production_setting_is_in_the_function_app_settings()
    {
        var bicep = BicepAppSettings();
        // Azure connects to storage with the app's identity: AzureWebJobsStorage is given as its identity-based form.
        var expected = SpecSettings.Concat(ProductSettings).Except(DevelopmentOnly)
            .Select(s => s == SettingNames.Storage ? "AzureWebJobsStorage__accountName" : s);

        Assert.Equal([], expected.Where(s => !bicep.Contains(s)).ToArray());
        Assert.Contains("AzureWebJobsStorage__credential", bicep);
        Assert.Contains("AzureWebJobsStorage__clientId", bicep);
    }

    [Fact]
    public void Every_sample_setting_is_documented_in_the_development_guide()
    {
        var readme = Read("docs/development.md");

        Assert.Equal([], SampleSettings().Where(s => !readme.Contains($"`{s}`", StringComparison.Ordinal)).ToArray());
    }

    [Theory]
    [InlineData("AzureWebJobsStorage__accountName", "stsmarttrip", "https://stsmarttrip.queue.core.windows.net/events")]
    [InlineData("AzureWebJobsStorage__queueServiceUri", "https://example.queue.core.windows.net", "https://example.queue.core.windows.net/events")]
    public void Identity_based_storage_settings_address_the_account(string key, string value, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:SmartTripDb"] = "Host=127.0.0.1;Database=unused",
            [key.Replace("__", ":", StringComparison.Ordinal)] = value,
            ["AzureWebJobsStorage:clientId"] = "00000000-0000-0000-0000-000000000001",
        }).Build();
        using var services = new ServiceCollection().AddSmartTrip(configuration).BuildServiceProvider();

        var factory = services.GetRequiredService<IQueueClientFactory>();

        Assert.True(factory.IsConfigured);
        Assert.Equal(expected, factory.GetQueue("events").Uri.ToString());
    }
}
