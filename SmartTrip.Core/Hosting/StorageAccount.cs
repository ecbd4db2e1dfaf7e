using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;

namespace SmartTrip.Core.Hosting;

/// <summary>
/// The storage account of <c>AzureWebJobsStorage</c>, read the way the Functions host reads it: a connection string
/// (Azurite, or keys), or an identity-based connection (<c>AzureWebJobsStorage__accountName</c>, or a service's own
/// <c>__queueServiceUri</c> / <c>__blobServiceUri</c>, with <c>__clientId</c> for a user-assigned identity), which is
/// what Azure uses here since the account allows no shared keys.
/// </summary>
internal sealed class StorageAccount
{
    private readonly IConfigurationSection _section;

    public StorageAccount(IConfiguration configuration)
    {
        ConnectionString = configuration[SettingNames.Storage] is var value && !string.IsNullOrWhiteSpace(value) ? value : null;
        _section = configuration.GetSection(SettingNames.Storage);
        if (ConnectionString is null && (_section["accountName"] is { Length: > 0 } || _section["queueServiceUri"] is { Length: > 0 }
                                         || _section["blobServiceUri"] is { Length: > 0 }))
        {
            Credential = _section["clientId"] is { Length: > 0 } clientId
                ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
                : new DefaultAzureCredential();
        }
    }

    /// <summary>The connection string, when the account is given by one.</summary>
    public string? ConnectionString { get; }

    /// <summary>The identity that signs requests, when the account is identity-based.</summary>
    public TokenCredential? Credential { get; }

    /// <summary>The endpoint of one service (<c>queue</c>, <c>blob</c>) of an identity-based account; null when not given.</summary>
    public Uri? ServiceUri(string service) =>
        _section[$"{service}ServiceUri"] is { Length: > 0 } uri ? new Uri(uri)
        : _section["accountName"] is { Length: > 0 } account ? new Uri($"https://{account}.{service}.core.windows.net")
        : null;

    /// <summary>A Blob container of the account (the archive's).</summary>
    public BlobContainerClient GetBlobContainer(string name) =>
        ConnectionString is not null ? new BlobContainerClient(ConnectionString, name)
        : ServiceUri("blob") is { } uri ? new BlobContainerClient(new Uri(uri, name), Credential!)
        : throw new InvalidOperationException("The setting AzureWebJobsStorage (the Storage account of the archive) is not set.");
}
