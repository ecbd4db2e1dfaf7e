using System.Net;
using System.Net.Sockets;

namespace SmartTrip.Tests.Fixtures;

/// <summary>
/// A TCP relay in front of the test PostgreSQL that a test can cut and restore, so that one host sees the database go
/// away (connections refused, open ones broken) while the server itself keeps serving every other test.
/// </summary>
public sealed class OutageProxy : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly List<TcpClient> _open = [];
    private TcpListener? _listener;
    private CancellationTokenSource _cut = new();

    public OutageProxy(string host, int port)
    {
        _target = new IPEndPoint(IPAddress.Parse(host == "localhost" ? "127.0.0.1" : host), port);
        Port = Listen(0);
    }

    public int Port { get; }

    /// <summary>The connection string of <paramref name="connectionString"/>'s database, through this relay, without pooling surprises.</summary>
    public string Through(string connectionString) =>
        new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = Port, Timeout = 3, CommandTimeout = 5 }.ConnectionString;

    /// <summary>Refuses new connections and breaks the open ones.</summary>
    public void Cut()
    {
        _cut.Cancel();
        _listener?.Stop();
        _listener = null;
        lock (_open)
        {
            _open.ForEach(c => c.Dispose());
            _open.Clear();
        }
    }

    /// <summary>Accepts connections again, on the same port.</summary>
    public void Restore()
    {
        if (_hanging)
        {
            Cut(); // lets go of the connections held open
        }

        _hanging = false;
        _cut = new CancellationTokenSource();
        Listen(Port);
    }

    /// <summary>
    /// A black hole: breaks the open connections, then accepts new ones and never answers on them (a firewall that drops
    /// packets, a server that stopped responding), so clients wait for their own timeouts.
    /// </summary>
    public void Hang()
    {
        Cut();
        _hanging = true;
        _cut = new CancellationTokenSource();
        Listen(Port);
    }

    private volatile bool _hanging;

    private int Listen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        var token = _cut.Token;
        _ = Task.Run(async () =>
        {
            while (!token.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync(token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                _ = RelayAsync(client, token);
            }
        });
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task RelayAsync(TcpClient client, CancellationToken token)
    {
        var server = new TcpClient();
        lock (_open)
        {
            _open.Add(client);
            _open.Add(server);
        }

        try
        {
            if (_hanging)
            {
                await Task.Delay(Timeout.Infinite, token); // held open, never relayed, until the relay is cut or restored
            }

            await server.ConnectAsync(_target, token);
            await using var a = client.GetStream();
            await using var b = server.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, token), b.CopyToAsync(a, token));
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // cut, or one side closed
        }
        finally
        {
            client.Dispose();
            server.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        Cut();
        return ValueTask.CompletedTask;
    }
}
