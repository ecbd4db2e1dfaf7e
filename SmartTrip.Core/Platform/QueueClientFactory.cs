using Azure.Storage.Queues;

namespace SmartTrip.Core.Platform;

/// <summary>Creates clients for the app's Storage queues (messages are base64, like the queue trigger expects).</summary>
public interface IQueueClientFactory
{
    QueueClient GetQueue(string name);
}

internal sealed class QueueClientFactory(string? connectionString) : IQueueClientFactory
{
    private readonly QueueClientOptions _options = CreateOptions();

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

    public QueueClient GetQueue(string name)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException("The setting AzureWebJobsStorage (the Storage account for the queues) is not set.");
        }

        return new QueueClient(connectionString, name, _options);
    }
}
