using Azure.Storage.Queues;

namespace SmartTrip.Core.Platform;

/// <summary>Creates clients for the app's Storage queues (messages are base64, like the queue trigger expects).</summary>
public interface IQueueClientFactory
{
    QueueClient GetQueue(string name);
}

internal sealed class QueueClientFactory(string? connectionString) : IQueueClientFactory
{
    private readonly QueueClientOptions _options = new() { MessageEncoding = QueueMessageEncoding.Base64 };

    public QueueClient GetQueue(string name)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException("The setting AzureWebJobsStorage (the Storage account for the queues) is not set.");
        }

        return new QueueClient(connectionString, name, _options);
    }
}
