using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SmartTrip.Core.Hosting;
using SmartTrip.Core.Recommendations;
using SmartTrip.DevHost;

namespace SmartTrip.Tests.Recommendations;

[Trait("Category", "Unit")]
public sealed class RecommendationOptionsTests
{
    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(
            new Dictionary<string, string?> { ["ConnectionStrings:SmartTripDb"] = "Host=127.0.0.1;Database=unused" }
                .Concat(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))).Build();

    [Fact]
    public void Defaults_are_the_product_values()
    {
        using var services = new ServiceCollection().AddSmartTrip(Settings()).BuildServiceProvider();

        var options = services.GetRequiredService<RecommendationOptions>();

        Assert.Equal((30, -15, 10, 5, "v2.0", 1000), (options.BaseScore, options.RelaxedPenalty, options.MaxResults, options.MinResultsThreshold,
            options.AlgorithmVersion, options.CatalogRefreshMilliseconds));
        Assert.Empty(options.Problems());
    }

    [Fact]
    public void Settings_under_Recommendations_change_the_engine()
    {
        using var services = new ServiceCollection()
            .AddSmartTrip(Settings(("Recommendations:MaxResults", "8"), ("Recommendations:BudgetMaxMultiplier", "1.25"))).BuildServiceProvider();

        var options = services.GetRequiredService<RecommendationEngine>().Options;

        Assert.Equal(8, options.MaxResults);
        Assert.Equal(1.25, options.BudgetMaxMultiplier);
    }

    [Fact]
    public async Task Invalid_options_stop_the_host_at_start_up_with_every_problem()
    {
        await using var app = DevHostApplication.Build([], builder =>
        {
            builder.WebHost.UseTestServer();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:SmartTripDb"] = "Host=127.0.0.1;Database=unused",
                ["DevHost:BackgroundTriggers"] = "false",
                ["Recommendations:MaxResults"] = "0",
                ["Recommendations:RelaxedBudgetMultiplier"] = "1.1",
            });
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("Recommendations:MaxResults must be between 1 and 100.", error.Failures);
        Assert.Contains(error.Failures, f => f.Contains("budget multipliers", StringComparison.Ordinal));
    }
}
