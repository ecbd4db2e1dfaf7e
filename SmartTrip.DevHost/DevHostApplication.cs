using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartTrip.Core.Platform;
using SmartTrip.Functions.Http;

namespace SmartTrip.DevHost;

/// <summary>
/// The development host: the function classes of SmartTrip.Functions served by Kestrel with the service graph of
/// <see cref="SmartTripServiceCollectionExtensions.AddSmartTrip"/>, routes and auth levels from the functions' attributes,
/// the route prefix from host.json and CORS as the platform applies it in Azure. For development and tests only;
/// Azure runs the same classes in the Functions host.
/// </summary>
public static class DevHostApplication
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    /// <param name="args">Command-line arguments (configuration overrides such as <c>--urls</c>).</param>
    /// <param name="configure">Last chance to change the builder: tests swap the server, the clock or settings here.</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });

        // local.settings.json sits below every other source, so environment variables win as under Core Tools.
        var local = new ConfigurationBuilder().AddLocalSettings(LocalSettings.Find()).Sources;
        foreach (var source in local.Reverse())
        {
            builder.Configuration.Sources.Insert(0, source);
        }

        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddSmartTrip(builder.Configuration);
        builder.Services.AddSingleton(new FunctionKeyPolicy(
            builder.Configuration["DevHost:FunctionKey"] is { Length: > 0 } key ? key : FunctionKeyPolicy.DefaultKey));
        builder.Services.AddSingleton(_ => HostJson.Load(HostJson.DefaultPath));
        builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
            .WithOrigins([.. CorsOriginsFrom(builder.Configuration)])
            .AllowCredentials()
            .WithMethods("GET", "POST", "OPTIONS")
            .WithHeaders("Content-Type", "Authorization", "X-Session-ID")
            .WithExposedHeaders("Retry-After")));
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseCors();
        app.UseRouting();
        MapHttpFunctions(app, app.Services.GetRequiredService<HostJson>(), HttpRouteTable.Default);
        return app;
    }

    /// <summary>Maps every HTTP-triggered function under the route prefix, as the Functions host does.</summary>
    public static void MapHttpFunctions(WebApplication app, HostJson hostJson, HttpRouteTable routes)
    {
        foreach (var route in routes.Routes)
        {
            var endpoint = new HttpFunctionEndpoint(route);
            app.MapMethods(RouteTemplate(hostJson, route), route.HttpMethods, endpoint.InvokeAsync)
                .WithDisplayName(route.Name);
        }
    }

    /// <summary>The full route template of a function: route prefix plus the trigger's route.</summary>
    public static string RouteTemplate(HostJson hostJson, HttpFunctionRoute route) =>
        hostJson.RoutePrefix.Length == 0 ? "/" + route.Route : $"/{hostJson.RoutePrefix}/{route.Route}";

    private static IReadOnlyList<string> CorsOriginsFrom(IConfiguration configuration)
    {
        var options = new CorsOptions();
        configuration.GetSection(CorsOptions.Section).Bind(options);
        return options.Origins;
    }
}
