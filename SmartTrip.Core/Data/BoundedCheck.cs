namespace SmartTrip.Core.Data;

/// <summary>A database round trip that took longer than a search may wait for it: the database counts as away.</summary>
public sealed class DatabaseCheckTimeoutException(TimeSpan timeout)
    : TimeoutException($"The database did not answer within {timeout.TotalMilliseconds:F0} ms.");

/// <summary>
/// Runs a database round trip a request depends on (the catalogue's version, the running experiment, health) under a
/// short timeout, so that a database whose connections hang (black-holed, not refused) costs a request that timeout, not
/// the driver's 15 s connect timeout with every other request queued behind it.
/// </summary>
public static class BoundedCheck
{
    public static async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> check, TimeSpan timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            return await check(limit.Token);
        }
        catch (Exception exception) when (limit.IsCancellationRequested && !ct.IsCancellationRequested &&
                                          exception is OperationCanceledException or Npgsql.NpgsqlException)
        {
            throw new DatabaseCheckTimeoutException(timeout);
        }
    }
}
