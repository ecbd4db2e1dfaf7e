using System.IO.Compression;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.DependencyInjection;

namespace SmartTrip.Functions.Http;

/// <summary>
/// JSON responses compressed (Brotli or gzip at their fastest levels) when the client accepts it. Under the Functions
/// host every response byte is copied from the worker through the host to the client, so a 30 KB recommendation answer
/// that shrinks to about 5 KB costs the host a sixth of the copying. Registered as a startup filter, so the worker's
/// ASP.NET Core pipeline and the development host both put it in front of every function.
/// </summary>
public static class ResponseCompressionSetup
{
    public static IServiceCollection AddJsonResponseCompression(this IServiceCollection services)
    {
        services.AddResponseCompression(options =>
        {
            options.Providers.Add<GzipCompressionProvider>();
            options.Providers.Add<BrotliCompressionProvider>();
            options.MimeTypes = ["application/json"];
        });
        services.Configure<BrotliCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        services.AddTransient<IStartupFilter, CompressionFirst>();
        return services;
    }

    private sealed class CompressionFirst : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseResponseCompression();
            next(app);
        };
    }
}
