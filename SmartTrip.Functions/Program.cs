using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Hosting;
using SmartTrip.Core.Hosting;
using SmartTrip.Core.Telemetry;
using SmartTrip.Functions.Http;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<HttpErrorMiddleware>();
builder.Services.AddSmartTrip(builder.Configuration);
builder.Services.AddSmartTripTelemetry(builder.Configuration, host: telemetry => telemetry.UseFunctionsWorkerDefaults());
builder.Services.AddJsonResponseCompression();
builder.Build().Run();
