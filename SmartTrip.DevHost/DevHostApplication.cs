using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartTrip.Core.Hosting;
using SmartTrip.Core.Telemetry;
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

    /// <summary>Where the metrics dashboard is served.</summary>
    public const string DashboardPath = "/dashboard";

    /// <summary>Where the API reference page is served.</summary>
    public const string ApiReferencePath = "/api-docs";

    /// <param name="args">Command-line arguments (configuration overrides such as <c>--urls</c>).</param>
    /// <param name="configure">Last chance to change the builder: tests swap the server, the clock or settings here.</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });

        // local.settings.json sits below every other source, so environment variables win as under Core Tools. Nothing
        // else supplies defaults for trigger settings: an unset %Setting% disables its function, as in the Functions host.
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
        builder.Services.AddSmartTripTelemetry(builder.Configuration);
        builder.Services.AddJsonResponseCompression();
        builder.Services.AddSingleton(new FunctionKeyPolicy(
            builder.Configuration["DevHost:FunctionKey"] is { Length: > 0 } key ? key : FunctionKeyPolicy.DefaultKey,
            builder.Configuration["DevHost:MasterKey"] is { Length: > 0 } master ? master : FunctionKeyPolicy.DefaultMasterKey));
        builder.Services.AddSingleton(_ => HostJson.Load(HostJson.DefaultPath));
        builder.Services.AddSingleton(sp => CreateFunctionRouter(sp, HttpRouteTable.Default));
        builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
            .WithOrigins([.. CorsOriginsFrom(builder.Configuration)])
            .AllowCredentials()
            .WithMethods("GET", "POST", "OPTIONS")
            .WithHeaders("Content-Type", "Authorization", "X-Session-ID", FunctionKeyPolicy.HeaderName)
            .WithExposedHeaders("Retry-After")));
        configure?.Invoke(builder);
        AddBackgroundTriggers(builder); // after configure, which may turn them off
        RefuseDefaultKeysOffLoopback(builder);

        var app = builder.Build();
        app.UseCors();
        UseDashboard(app);
        UseApiReference(app);
        app.UseRouter(app.Services.GetRequiredService<FunctionRouter>().Router);
        app.UseRouting();
        MapAdminApi(app);
        return app;
    }

    /// <summary>
    /// The metrics dashboard (the static files of <c>dashboard/</c>, copied next to the host) at <c>/dashboard/</c>. The page
    /// holds no key or address: the operator types them, and the page may call any API base URL.
    /// </summary>
    private static void UseDashboard(WebApplication app)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "dashboard");
        if (!Directory.Exists(folder))
        {
            return;
        }

        var files = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(folder);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = DashboardPath });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            RequestPath = DashboardPath,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.CacheControl = "no-cache";
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                headers.ContentSecurityPolicy =
                    "default-src 'self'; connect-src 'self' https: http:; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
            },
        });
    }

    /// <summary>
    /// The browsable reference of <c>/api/openapi.json</c> at <c>/api-docs/</c>: Swagger UI from npm, copied next to the host
    /// when <c>tools/api-reference</c>'s packages are installed (run.sh and test.sh install them); absent otherwise.
    /// </summary>
    private static void UseApiReference(WebApplication app)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "api-reference");
        if (!File.Exists(Path.Combine(folder, "swagger-ui-bundle.js")))
        {
            return;
        }

        var files = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(folder);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = ApiReferencePath });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            RequestPath = ApiReferencePath,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                // Swagger UI sets style attributes and draws icons from data: URLs; scripts and data stay on this host.
                headers.ContentSecurityPolicy =
                    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";
            },
        });
    }

    /// <summary>The queue- and timer-triggered functions of SmartTrip.Functions.</summary>
    public static IReadOnlyList<BackgroundFunction> BackgroundFunctions { get; } =
        BackgroundFunction.Discover(typeof(HttpRouteTable).Assembly);

    /// <summary>
    /// Queue listeners and timer schedules for every background function, unless <c>DevHost__BackgroundTriggers</c>
    /// is false (tests that share one storage emulator run them in one place only).
    /// </summary>
    private static void AddBackgroundTriggers(WebApplicationBuilder builder)
    {
        if (string.Equals(builder.Configuration["DevHost:BackgroundTriggers"], "false", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        foreach (var function in BackgroundFunctions)
        {
            builder.Services.AddSingleton<IHostedService>(sp =>
            {
                var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("SmartTrip.DevHost.Functions");
                return function.Kind == TriggerKind.Queue
                    ? new QueueTriggerListener(function, sp, sp.GetRequiredService<IQueueClientFactory>(), sp.GetRequiredService<HostJson>(), logger)
                    : new TimerTriggerScheduler(function, sp, sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<TimeProvider>(), logger);
            });
        }
    }

    /// <summary>
    /// <c>POST /admin/functions/{name}</c>, as the Functions host's admin API: runs a queue or timer function now
    /// (body <c>{"input":"…"}</c> is a queue function's message), with the master key and a JSON body (else 415). Answers 202 once the run is
    /// over (Azure answers before), 404 for an unknown or disabled function, 500 when the run failed.
    /// </summary>
    private static void MapAdminApi(WebApplication app)
    {
        app.MapPost("/admin/functions/{name}", async (string name, HttpContext context) =>
        {
            var access = context.RequestServices.GetRequiredService<FunctionKeyPolicy>().Check(AuthorizationLevel.Admin, context.Request);
            if (access != StatusCodes.Status200OK)
            {
                return Results.StatusCode(access);
            }

            var function = BackgroundFunctions.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));
            if (function is null || (function.Kind == TriggerKind.Timer &&
                                     TimerTriggerScheduler.Schedule(function, app.Configuration, out _) is null))
            {
                return Results.NotFound();
            }

            string? input = null;
            if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
            {
                if (!context.Request.HasJsonContentType())
                {
                    return Results.StatusCode(StatusCodes.Status415UnsupportedMediaType);
                }

                using var body = await System.Text.Json.JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
                input = body.RootElement.TryGetProperty("input", out var value) ? value.GetString() : null;
            }

            try
            {
                await function.InvokeAsync(app.Services, input, context.RequestAborted);
                return Results.StatusCode(StatusCodes.Status202Accepted);
            }
            catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
            {
                app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("SmartTrip.DevHost.Functions")
                    .LogError(e, "Function {Function} failed when run through the admin API", function.Name);
                return Results.StatusCode(StatusCodes.Status500InternalServerError);
            }
        });
    }

    /// <summary>
    /// Every HTTP-triggered function under host.json's route prefix, matched as the Functions host matches them (see
    /// <see cref="FunctionRouter"/>).
    /// </summary>
    public static FunctionRouter CreateFunctionRouter(IServiceProvider services, HttpRouteTable routes)
    {
        var byName = routes.Routes.ToDictionary(r => r.Name, StringComparer.Ordinal);
        return new FunctionRouter(
            services.GetRequiredService<IInlineConstraintResolver>(),
            services.GetRequiredService<HostJson>().RoutePrefix,
            routes.Routes.Select(r => new FunctionRouteEntry(r.Name, r.Route, r.HttpMethods)),
            entry => new HttpFunctionEndpoint(byName[entry.Name]).InvokeAsync);
    }

    private static IReadOnlyList<string> CorsOriginsFrom(IConfiguration configuration)
    {
        var options = new CorsOptions();
        configuration.GetSection(CorsOptions.Section).Bind(options);
        return options.Origins;
    }

    /// <summary>
    /// The default keys are printed in this repository: a host that listens beyond loopback must be given its own
    /// (<c>DevHost__FunctionKey</c> and <c>DevHost__MasterKey</c>), or it does not start.
    /// </summary>
    private static void RefuseDefaultKeysOffLoopback(WebApplicationBuilder builder)
    {
        var urls = builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey) ?? DefaultUrl;
        var exposed = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(u => !IsLoopback(u)).ToList();
        var keys = new[] { builder.Configuration["DevHost:FunctionKey"], builder.Configuration["DevHost:MasterKey"] };
        if (exposed.Count > 0 && keys.Any(k => string.IsNullOrEmpty(k) || k is FunctionKeyPolicy.DefaultKey or FunctionKeyPolicy.DefaultMasterKey))
        {
            throw new InvalidOperationException(
                $"The development host would listen on {string.Join(", ", exposed)} with a default key: set DevHost__FunctionKey " +
                "and DevHost__MasterKey to keys of your own, or listen on a loopback address only.");
        }
    }

    private static bool IsLoopback(string url)
    {
        var host = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        host = host.StartsWith('[') ? host[1..host.IndexOf(']')] : host.Split(':')[0];
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ||
               (System.Net.IPAddress.TryParse(host, out var address) && System.Net.IPAddress.IsLoopback(address));
    }
}
