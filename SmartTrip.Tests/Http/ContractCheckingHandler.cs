using System.Net.Http.Headers;

namespace SmartTrip.Tests.Http;

/// <summary>
/// The test client's handler: every JSON response the suite receives is checked against the OpenAPI document, and a
/// response that breaks it fails the test that received it (compressed bodies are left to the compression tests).
/// </summary>
public sealed class ContractCheckingHandler : DelegatingHandler
{
    /// <summary>A client of a host listening at <paramref name="address"/>, every answer checked.</summary>
    public static HttpClient Over(Uri address) =>
        new(new ContractCheckingHandler { InnerHandler = new SocketsHttpHandler() }) { BaseAddress = address };

    /// <summary>A client of an in-process test server (a host built by a test itself), every answer checked.</summary>
    public static HttpClient Over(Microsoft.AspNetCore.TestHost.TestServer server) =>
        new(new ContractCheckingHandler { InnerHandler = server.CreateHandler() }) { BaseAddress = server.BaseAddress };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (request.Method == HttpMethod.Head || request.Method == HttpMethod.Options || response.Content.Headers.ContentEncoding.Count > 0
            || request.RequestUri is not { } uri)
        {
            return response;
        }

        await response.Content.LoadIntoBufferAsync(cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var isJson = response.Content.Headers.ContentType is MediaTypeHeaderValue { MediaType: "application/json" };
        if (body.Length > 0 && !isJson)
        {
            return response; // the dashboard's files and other pages of the development host
        }

        if (OpenApiContract.Check(request.Method.Method, uri.AbsolutePath, (int)response.StatusCode, body) is { } violation)
        {
            throw new ContractViolationException(violation);
        }

        return response;
    }
}

public sealed class ContractViolationException(string message) : Exception(message);
