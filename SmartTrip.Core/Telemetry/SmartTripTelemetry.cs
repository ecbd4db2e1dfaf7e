using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace SmartTrip.Core.Telemetry;

/// <summary>
/// OpenTelemetry for the worker and the development host, from this one registration: the app's traces and metrics
/// (<see cref="SmartTripTracing"/>, <see cref="SmartTripMetrics"/>), PostgreSQL spans (Npgsql) and the Azure SDK's
/// (the queue). Exported to Azure Monitor when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set and over OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is; with neither (and no extra exporter from a test) nothing is registered, so
/// nothing is collected or slowed down. <c>host</c> adds what the hosting model brings (the Functions worker: its
/// invocation spans, parented to the host's trace, and its resource attributes).
/// </summary>
public static class SmartTripTelemetry
{
    public const string ServiceName = "smarttrip-api";

    public static IServiceCollection AddSmartTripTelemetry(
        this IServiceCollection services, IConfiguration configuration,
        Action<TracerProviderBuilder>? extraTracing = null, Action<MeterProviderBuilder>? extraMetrics = null,
        Action<OpenTelemetry.IOpenTelemetryBuilder>? host = null)
    {
        var applicationInsights = configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"];
        var otlp = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        var azureMonitor = !string.IsNullOrWhiteSpace(applicationInsights);
        // In Azure the resource takes no keys (local auth off): the identity named by APPLICATIONINSIGHTS_AUTHENTICATION_STRING
        // ("Authorization=AAD;ClientId=…") signs the exports.
        var clientId = (configuration["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] ?? "").Split(';')
            .Select(part => part.Split('=', 2)).Where(kv => kv.Length == 2 && kv[0] == "ClientId").Select(kv => kv[1]).FirstOrDefault();
        void Monitor(AzureMonitorExporterOptions o)
        {
            o.ConnectionString = applicationInsights;
            if (clientId is not null)
            {
                o.Credential = new Azure.Identity.ManagedIdentityCredential(Azure.Identity.ManagedIdentityId.FromUserAssignedClientId(clientId));
            }
        }

        var otlpOn = !string.IsNullOrWhiteSpace(otlp);
        if (!azureMonitor && !otlpOn && extraTracing is null && extraMetrics is null)
        {
            return services;
        }

        var telemetry = services.AddOpenTelemetry();
        host?.Invoke(telemetry);
        telemetry
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithTracing(tracing =>
            {
                tracing.AddSource(SmartTripTracing.SourceName, "Azure.Storage.Queues.*").AddNpgsql();
                if (azureMonitor)
                {
                    tracing.AddAzureMonitorTraceExporter(Monitor);
                }

                if (otlpOn)
                {
                    tracing.AddOtlpExporter();
                }

                extraTracing?.Invoke(tracing);
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(SmartTripMetrics.MeterName);
                if (azureMonitor)
                {
                    metrics.AddAzureMonitorMetricExporter(Monitor);
                }

                if (otlpOn)
                {
                    metrics.AddOtlpExporter();
                }

                extraMetrics?.Invoke(metrics);
            });
        return services;
    }
}
