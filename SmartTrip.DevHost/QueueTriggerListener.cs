using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartTrip.Core.Hosting;

namespace SmartTrip.DevHost;

/// <summary>
/// Drains a Storage queue into a queue-triggered function the way the Functions host does: up to host.json's
/// <c>batchSize</c> messages at a time processed in parallel, polling backing off up to <c>maxPollingInterval</c> while
/// the queue is empty, a failed message made visible again after <c>visibilityTimeout</c>, and moved to
/// <c>{queue}-poison</c> once it has failed <c>maxDequeueCount</c> times.
/// </summary>
internal sealed class QueueTriggerListener(
    BackgroundFunction function, IServiceProvider services, IQueueClientFactory queues, HostJson hostJson, ILogger logger)
    : BackgroundService
{
    private static readonly TimeSpan ProcessingLease = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MinimumPoll = TimeSpan.FromMilliseconds(100);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = hostJson.Queues;
        QueueClient queue;
        try
        {
            queue = queues.GetQueue(function.Trigger);
        }
        catch (InvalidOperationException e)
        {
            logger.LogError(e, "Function {Function} cannot listen to queue {Queue}", function.Name, function.Trigger);
            return;
        }

        var delay = MinimumPoll;
        while (!stoppingToken.IsCancellationRequested)
        {
            QueueMessage[] messages;
            try
            {
                messages = (await queue.ReceiveMessagesAsync(Math.Clamp(settings.BatchSize, 1, 32), ProcessingLease, stoppingToken)).Value;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not read queue {Queue} for {Function}", function.Trigger, function.Name);
                messages = [];
            }

            if (messages.Length == 0)
            {
                await Task.Delay(delay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, Math.Max(settings.MaxPollingInterval.Ticks, MinimumPoll.Ticks)));
                continue;
            }

            delay = MinimumPoll;
            await Task.WhenAll(messages.Select(message => ProcessAsync(queue, message, settings, stoppingToken)));
        }
    }

    private async Task ProcessAsync(QueueClient queue, QueueMessage message, QueueSettings settings, CancellationToken ct)
    {
        try
        {
            await function.InvokeAsync(services, message.Body.ToString(), ct, message);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            await ReturnOrPoisonAsync(queue, message, settings, e);
            return;
        }

        try
        {
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Message {MessageId} was processed but could not be deleted; it may be delivered again", message.MessageId);
        }
    }

    private async Task ReturnOrPoisonAsync(QueueClient queue, QueueMessage message, QueueSettings settings, Exception e)
    {
        {
            try
            {
                if (message.DequeueCount >= settings.MaxDequeueCount)
                {
                    logger.LogError(e, "Function {Function} failed on message {MessageId} for the {DequeueCount}th time; moving it to {Queue}-poison",
                        function.Name, message.MessageId, message.DequeueCount, function.Trigger);
                    var poison = queues.GetQueue(function.Trigger + "-poison");
                    await poison.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None);
                    await poison.SendMessageAsync(message.Body, cancellationToken: CancellationToken.None);
                    await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
                }
                else
                {
                    logger.LogWarning(e, "Function {Function} failed on message {MessageId} (attempt {DequeueCount}); it will be retried",
                        function.Name, message.MessageId, message.DequeueCount);
                    await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: settings.VisibilityTimeout,
                        cancellationToken: CancellationToken.None);
                }
            }
            catch (Exception handling)
            {
                logger.LogWarning(handling, "Could not return message {MessageId} to {Queue}; it reappears when its lease ends", message.MessageId, function.Trigger);
            }
        }
    }
}
