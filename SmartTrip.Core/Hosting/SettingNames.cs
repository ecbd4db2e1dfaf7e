namespace SmartTrip.Core.Hosting;

/// <summary>Names of the settings read directly from configuration.</summary>
public static class SettingNames
{
    public const string ConnectionStringName = "SmartTripDb";
    public const string Storage = "AzureWebJobsStorage";
}

/// <summary>The Storage queues of the event pipeline.</summary>
public static class QueueNames
{
    public const string Events = "events";
    public const string EventsPoison = "events-poison";
}
