using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using OpenTelemetry.Trace;
using SmartTrip.Core.Telemetry;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Telemetry;

/// <summary>The development host with the app's OpenTelemetry registration and an in-memory exporter added.</summary>
public sealed class TelemetryApiFixture : ApiFixture
{
    public List<Activity> Exported { get; } = [];

    protected override bool SupportsExternalHost => false;

    protected override string DatabasePrefix => "telemetry";

    protected override void Configure(WebApplicationBuilder builder) =>
        builder.Services.AddSmartTripTelemetry(
            builder.Configuration,
            extraTracing: tracing => tracing.AddSource("Microsoft.AspNetCore").AddInMemoryExporter(Exported));
}

/// <summary>What the shared registration exports: an HTTP request's trace holds its PostgreSQL spans.</summary>
public sealed class TelemetryExportTests(TelemetryApiFixture api) : IClassFixture<TelemetryApiFixture>
{
    [Fact]
    public async Task One_request_is_one_trace_with_its_database_spans()
    {
        var trace = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/countries/1");
        request.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");

        using var response = await api.Client.SendAsync(request);
        List<Activity> spans;
        var deadline = DateTime.UtcNow.AddSeconds(30); // wide: a loaded CI machine
        do
        {
            await Task.Delay(50); // the request's own span ends after the response is written
            lock (api.Exported)
            {
                spans = api.Exported.Where(a => a.TraceId == trace).ToList();
            }
        }
        while (!spans.Any(s => s.Source.Name == "Microsoft.AspNetCore") && DateTime.UtcNow < deadline);

        Assert.Equal(200, (int)response.StatusCode);
        var http = Assert.Single(spans, s => s.Source.Name == "Microsoft.AspNetCore");
        var database = spans.Where(s => s.Source.Name == "Npgsql").ToList();
        Assert.NotEmpty(database);
        Expect.All(database, database.Count, s => Assert.Equal(http.SpanId, s.ParentSpanId));
        Assert.All(database, s => Assert.Equal(ActivityKind.Client, s.Kind));
    }

    [Fact]
    public async Task A_search_span_carries_the_request_id_of_its_logged_search()
    {
        var trace = ActivityTraceId.CreateRandom();

        var (status, body) = await api.PostJsonAsync("/api/v2/recommendations", """{"selected_continents":["Asia"]}""",
            new Dictionary<string, string> { ["traceparent"] = $"00-{trace}-{ActivitySpanId.CreateRandom()}-01" });
        Activity? http = null;
        var deadline = DateTime.UtcNow.AddSeconds(30); // wide: a loaded CI machine
        while (http is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            lock (api.Exported)
            {
                http = api.Exported.FirstOrDefault(a => a.TraceId == trace && a.Source.Name == "Microsoft.AspNetCore");
            }
        }

        Assert.Equal(200, status);
        Assert.NotNull(http);
        Assert.Equal(body.GetProperty("request_id").GetString(), http.GetTagItem("smarttrip.request_id"));
    }
}
