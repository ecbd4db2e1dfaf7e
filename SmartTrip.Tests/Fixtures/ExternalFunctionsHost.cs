using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SmartTrip.Tests.Fixtures;

/// <summary>
/// A real Azure Functions host running SmartTrip.Functions' build output through <c>scripts/functions-host.sh</c>, chosen
/// by <c>SMARTTRIP_TEST_FUNCTIONS_HOST</c> (Core Tools' <c>func</c>, or a command such as the host built from source by
/// <c>shared/tools/realhost/run.sh</c>). The integration fixtures use it instead of the in-process development host when
/// the variable is set, so the HTTP and event-pipeline suites run against the host production has. Its output is kept
/// (and written to <c>SMARTTRIP_TEST_ARTIFACTS</c> when set) so tests can read which function ran.
/// </summary>
public sealed class ExternalFunctionsHost : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly string _state;
    private readonly string _name;

    private ExternalFunctionsHost(Process process, Uri address, string state, string name)
    {
        _process = process;
        Address = address;
        _state = state;
        _name = name;
    }

    /// <summary>The host command, or null to run the development host in process.</summary>
    public static string? Command =>
        Environment.GetEnvironmentVariable("SMARTTRIP_TEST_FUNCTIONS_HOST") is { Length: > 0 } command ? command : null;

    public Uri Address { get; }

    /// <summary>Everything the host (and its worker) has written so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <param name="name">Names the host's log file among the artifacts.</param>
    /// <param name="settings">App settings (configuration keys; <c>:</c> becomes <c>__</c>).</param>
    public static async Task<ExternalFunctionsHost> StartAsync(string name, IReadOnlyDictionary<string, string?> settings)
    {
        var port = FreePort();
        var state = Directory.CreateTempSubdirectory("smarttrip-test-host-").FullName;
        var start = new ProcessStartInfo("bash")
        {
            ArgumentList = { Path.Combine(TestServices.RepositoryRoot, "scripts", "functions-host.sh"), TestServices.FunctionsOutput, port.ToString() },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["SMARTTRIP_FUNCTIONS_HOST"] = Command;
        start.Environment["FUNCTIONS_SECRETS_PATH"] = Path.Combine(state, "secrets");
        start.Environment["FUNCTIONS_STATE_DIR"] = state;
        start.Environment["FUNCTIONS_LOG_PATH"] = Path.Combine(state, "logs");
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the Functions host");
        var host = new ExternalFunctionsHost(process, new Uri($"http://127.0.0.1:{port}"), state, name);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await host.WaitUntilReadyAsync(TimeSpan.FromSeconds(120));
        return host;
    }

    /// <summary>Waits until the host's log holds <paramref name="text"/> (log lines arrive after the response).</summary>
    public async Task<bool> WaitForLogAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Log.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(100);
        }

        return true;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    /// <summary>Ready when an unknown route gets the app's JSON 404: the worker runs and the routes are mapped.</summary>
    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The Functions host exited with {_process.ExitCode}:\n{Tail()}");
            }

            try
            {
                using var response = await client.GetAsync("/api/readiness-probe-of-the-tests");
                if (response.StatusCode == HttpStatusCode.NotFound &&
                    (await response.Content.ReadAsStringAsync()).Contains("Endpoint not found", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The Functions host was not ready within {timeout.TotalSeconds} s:\n{Tail()}");
            }

            await Task.Delay(250);
        }
    }

    private string Tail() => string.Join('\n', Log.Split('\n').TakeLast(40));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        if (Environment.GetEnvironmentVariable("SMARTTRIP_TEST_ARTIFACTS") is { Length: > 0 } artifacts)
        {
            Directory.CreateDirectory(artifacts);
            await File.WriteAllTextAsync(Path.Combine(artifacts, $"functions-host-{_name}-{Address.Port}.log"), Log);
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_state, recursive: true);
        }
        catch (IOException)
        {
            // the host may still hold a file for a moment; the folder is under /tmp
        }
    }
}
