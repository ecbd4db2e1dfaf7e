using System.Text;
using Microsoft.Extensions.Logging;

namespace SmartTrip.Tests.Fixtures;

/// <summary>The formatted log lines of an in-process host, as a Functions host's console would show them.</summary>
public sealed class CapturedLog : ILoggerProvider
{
    private readonly StringBuilder _text = new();

    public override string ToString()
    {
        lock (_text)
        {
            return _text.ToString();
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLog log) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            lock (log._text)
            {
                log._text.AppendLine(formatter(state, exception));
                if (exception is not null)
                {
                    log._text.AppendLine(exception.ToString()); // as a console or Application Insights logger keeps it
                }
            }
        }
    }
}
