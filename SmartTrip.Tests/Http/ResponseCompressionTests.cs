using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Http;

/// <summary>JSON answers are compressed for clients that accept it, and only for them.</summary>
public sealed class ResponseCompressionTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private async Task<(string? Encoding, byte[] Bytes)> GetAsync(string path, string? acceptEncoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (acceptEncoding is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        }

        using var response = await api.Client.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return (response.Content.Headers.ContentEncoding.SingleOrDefault(), await response.Content.ReadAsByteArrayAsync());
    }

    private static byte[] Decode(string? encoding, byte[] bytes)
    {
        using Stream decoder = encoding switch
        {
            "br" => new BrotliStream(new MemoryStream(bytes), CompressionMode.Decompress),
            "gzip" => new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress),
            _ => throw new InvalidOperationException($"unexpected encoding {encoding}"),
        };
        using var plain = new MemoryStream();
        decoder.CopyTo(plain);
        return plain.ToArray();
    }

    [Theory]
    [InlineData("gzip, deflate, br, zstd", "gzip")] // what Chrome sends: gzip is offered first, its fastest level is cheaper
    [InlineData("gzip", "gzip")]
    [InlineData("gzip;q=0.5, br;q=1", "br")]
    public async Task A_listing_comes_compressed_and_decodes_to_the_uncompressed_answer(string accept, string expected)
    {
        const string path = "/api/v2/templates?limit=50";
        var (plainEncoding, plain) = await GetAsync(path, null);
        var (encoding, compressed) = await GetAsync(path, accept);

        Assert.Null(plainEncoding);
        Assert.Equal(expected, encoding);
        Assert.True(compressed.Length * 4 < plain.Length, $"{compressed.Length} bytes compressed of {plain.Length}");
        Assert.Equal(Encoding.UTF8.GetString(plain), Encoding.UTF8.GetString(Decode(encoding, compressed)));
    }

    [Fact]
    public async Task Identity_is_honoured_and_a_recommendation_decodes_to_its_json()
    {
        var (identityEncoding, _) = await GetAsync("/api/v2/templates?limit=5", "identity");
        Assert.Null(identityEncoding);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v2/recommendations")
        {
            Content = new StringContent("""{"selected_continents":["Asia"],"budget":8000}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        using var response = await api.Client.SendAsync(request);

        Assert.Equal("gzip", response.Content.Headers.ContentEncoding.Single());
        using var body = JsonDocument.Parse(Decode("gzip", await response.Content.ReadAsByteArrayAsync()));
        Assert.True(body.RootElement.GetProperty("success").GetBoolean());
        Assert.Equal(10, body.RootElement.GetProperty("data").GetArrayLength());
    }
}
