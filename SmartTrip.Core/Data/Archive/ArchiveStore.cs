using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace SmartTrip.Core.Data.Archive;

/// <summary>
/// What an archived month holds (<c>manifest.json</c>, written after its last file was uploaded and read back): the
/// rows, their id sum (what the partition must hold to be dropped), and each file with its rows and SHA-256.
/// </summary>
public sealed record ArchiveManifest(
    string Table,
    string Month,
    long Rows,
    decimal IdSum,
    IReadOnlyList<ArchivePart> Files,
    DateTimeOffset ArchivedAt,
    DateTimeOffset? RestoredAt = null)
{
    public string Format => "parquet";

    public string Compression => "zstd";

    public long Bytes => Files.Sum(f => f.Bytes);
}

/// <summary>
/// The archive's blobs: one folder per table and month, <c>table=events/month=2025-01/</c>, holding
/// <c>part-00000.parquet</c>, <c>part-00001.parquet</c>, … and, once the month is complete, <c>manifest.json</c>.
/// </summary>
public sealed class ArchiveStore(BlobContainerClient container)
{
    public const string ManifestName = "manifest.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public BlobContainerClient Container => container;

    public static string MonthText(DateOnly month) => month.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public static string Folder(ArchivedTable table, DateOnly month) => $"table={table.Name}/month={MonthText(month)}/";

    public Task EnsureContainerAsync(CancellationToken ct) => container.CreateIfNotExistsAsync(cancellationToken: ct);

    public async Task<ArchiveManifest?> ReadManifestAsync(ArchivedTable table, DateOnly month, CancellationToken ct)
    {
        try
        {
            var content = await container.GetBlobClient(Folder(table, month) + ManifestName).DownloadContentAsync(ct);
            return content.Value.Content.ToObjectFromJson<ArchiveManifest>(Json);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task WriteManifestAsync(ArchiveManifest manifest, CancellationToken ct)
    {
        var blob = container.GetBlobClient(Folder(ArchivedTable.Parse(manifest.Table), DateOnly.ParseExact(manifest.Month, "yyyy-MM", CultureInfo.InvariantCulture)) + ManifestName);
        await blob.UploadAsync(BinaryData.FromObjectAsJson(manifest, Json), new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
        }, ct);
    }

    /// <summary>Every complete archived month (the folders with a manifest).</summary>
    public async Task<IReadOnlyList<ArchiveManifest>> ListManifestsAsync(CancellationToken ct)
    {
        var manifests = new List<ArchiveManifest>();
        await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = "table=" }, ct))
        {
            if (item.Name.EndsWith("/" + ManifestName, StringComparison.Ordinal))
            {
                var content = await container.GetBlobClient(item.Name).DownloadContentAsync(ct);
                manifests.Add(content.Value.Content.ToObjectFromJson<ArchiveManifest>(Json)!);
            }
        }

        return manifests;
    }

    /// <summary>The files of a month uploaded so far, in order, from their metadata.</summary>
    public async Task<List<ArchivePart>> ListPartsAsync(ArchivedTable table, DateOnly month, CancellationToken ct)
    {
        var parts = new List<ArchivePart>();
        await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = Folder(table, month) + "part-", Traits = BlobTraits.Metadata }, ct))
        {
            var m = item.Metadata;
            parts.Add(new ArchivePart(item.Name[(item.Name.LastIndexOf('/') + 1)..], long.Parse(m["rows"], CultureInfo.InvariantCulture),
                item.Properties.ContentLength ?? 0, m["sha256"], long.Parse(m["firstid"], CultureInfo.InvariantCulture),
                long.Parse(m["lastid"], CultureInfo.InvariantCulture), decimal.Parse(m["idsum"], CultureInfo.InvariantCulture)));
        }

        return [.. parts.OrderBy(p => p.Name, StringComparer.Ordinal)];
    }

    /// <summary>Uploads one file with what it holds as metadata, then reads it back and checks its SHA-256.</summary>
    public async Task UploadPartAsync(ArchivedTable table, DateOnly month, ArchivePart part, Stream file, CancellationToken ct)
    {
        var blob = container.GetBlobClient(Folder(table, month) + part.Name);
        file.Position = 0;
        await blob.UploadAsync(file, new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/vnd.apache.parquet" },
            Metadata = new Dictionary<string, string>
            {
                ["rows"] = part.Rows.ToString(CultureInfo.InvariantCulture),
                ["sha256"] = part.Sha256,
                ["firstid"] = part.FirstId.ToString(CultureInfo.InvariantCulture),
                ["lastid"] = part.LastId.ToString(CultureInfo.InvariantCulture),
                ["idsum"] = part.IdSum.ToString(CultureInfo.InvariantCulture),
            },
        }, ct);
        await VerifyPartAsync(table, month, part, ct);
    }

    /// <summary>Reads a file back and fails unless its size and SHA-256 are those recorded.</summary>
    public async Task VerifyPartAsync(ArchivedTable table, DateOnly month, ArchivePart part, CancellationToken ct)
    {
        var download = await container.GetBlobClient(Folder(table, month) + part.Name).DownloadStreamingAsync(cancellationToken: ct);
        await using var content = download.Value.Content;
        var sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(content, ct));
        if (sha != part.Sha256 || download.Value.Details.ContentLength != part.Bytes)
        {
            throw new InvalidDataException(
                $"The archived file {Folder(table, month)}{part.Name} does not read back as written ({download.Value.Details.ContentLength} bytes, SHA-256 {sha}; expected {part.Bytes}, {part.Sha256}).");
        }
    }

    /// <summary>Downloads a file into <paramref name="file"/> and fails unless its SHA-256 is the recorded one.</summary>
    public async Task DownloadPartAsync(ArchivedTable table, DateOnly month, ArchivePart part, FileStream file, CancellationToken ct)
    {
        file.SetLength(0);
        await container.GetBlobClient(Folder(table, month) + part.Name).DownloadToAsync(file, ct);
        var sha = await ArchivedTable.Sha256Async(file, ct);
        if (sha != part.Sha256)
        {
            throw new InvalidDataException($"The archived file {Folder(table, month)}{part.Name} has SHA-256 {sha}, not {part.Sha256} as its manifest says.");
        }
    }
}
