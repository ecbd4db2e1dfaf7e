using Azure.Core;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace SmartTrip.Core.Hosting;

/// <summary>Creates clients for the app's Storage queues (messages are base64, like the queue trigger expects).</summary>
public interface IQueueClientFactory
{
    /// <summary>True when a storage account is configured (connection string or identity-based).</summary>
    bool IsConfigured { get; }

    QueueClient GetQueue(string name);
}

/// <summary>Queue clients on the account of <c>AzureWebJobsStorage</c> (<see cref="StorageAccount"/>).</summary>
internal sealed class QueueClientFactory : IQueueClientFactory
{
    private readonly QueueClientOptions _options = CreateOptions();
    private readonly string? _connectionString;
    private readonly Uri? _serviceUri;
    private readonly TokenCredential? _credential;

    public QueueClientFactory(IConfiguration configuration)
    {
        var account = new StorageAccount(configuration);
        _connectionString = account.ConnectionString;
        _serviceUri = _connectionString is null ? account.ServiceUri("queue") : null;
        _credential = account.Credential;
    }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(_connectionString) || _serviceUri is not null;

    public QueueClient GetQueue(string name)
    {
        if (!string.IsNullOrWhiteSpace(_connectionString))
        {
            return new QueueClient(_connectionString, name, _options);
        }

        if (_serviceUri is not null)
        {
            return new QueueClient(new Uri(_serviceUri, name), _credential!, _options);
        }

        throw new InvalidOperationException("The setting AzureWebJobsStorage (the Storage account for the queues) is not set.");
    }

    /// <summary>Base64 messages; a queue that does not answer fails within seconds instead of after minutes of retries.</summary>
    private static QueueClientOptions CreateOptions()
    {
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(1);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
        return options;
    }
}
