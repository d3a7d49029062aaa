using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Otp.Net.Diagnostics;

/// <summary>
/// The node's view of the host's logger factory: a logging provider that throws never breaks the runtime's own
/// sequences (an exit path, a supervisor's restart, an application's stop). A failed write is reported once per
/// logger through the same logger (<see cref="NodeLog.LoggingFailed"/>), which the providers that still work
/// receive, and counted.
/// </summary>
internal sealed class SafeLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    private readonly ConcurrentDictionary<string, SafeLogger> _loggers = new(StringComparer.Ordinal);
    private long _failures;

    public ILoggerFactory Inner => inner;

    /// <summary>The node's events: while they are observed, Information and above is also published as reports.</summary>
    public NodeEvents? Events { get; set; }

    /// <summary>Writes that threw since the node started.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    public ILogger CreateLogger(string categoryName) =>
        _loggers.TryGetValue(categoryName, out var logger) ? logger : _loggers.GetOrAdd(categoryName, c => new SafeLogger(this, c, Create(c)));

    private ILogger Create(string categoryName)
    {
        try
        {
            return inner.CreateLogger(categoryName);
        }
        catch (Exception)
        {
            Interlocked.Increment(ref _failures);
            return Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        }
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose()
    {
        // The host owns the factory it passed in.
    }

    private sealed class SafeLogger(SafeLoggerFactory owner, string category, ILogger inner) : ILogger
    {
        private int _reported;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            try
            {
                return inner.BeginScope(state);
            }
            catch (Exception ex)
            {
                Failed(ex);
                return null;
            }
        }

        public bool IsEnabled(LogLevel logLevel)
        {
            if (Reported(logLevel)) return true;
            try
            {
                return inner.IsEnabled(logLevel);
            }
            catch (Exception ex)
            {
                Failed(ex);
                return false;
            }
        }

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            try
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
            catch (Exception ex)
            {
                Failed(ex);
            }
            if (Reported(logLevel) && owner.Events is { } events)
            {
                string message;
                try
                {
                    message = formatter(state, exception);
                }
                catch (Exception ex)
                {
                    Failed(ex);
                    return;
                }
                events.Publish(new NodeEvent(NodeEventKind.Report, events.Now)
                {
                    Report = new LogReport(logLevel, category, eventId.Id, eventId.Name, message, exception?.ToString()),
                });
            }
        }

        private bool Reported(LogLevel logLevel) => logLevel >= LogLevel.Information && logLevel != LogLevel.None && owner.Events is { IsObserved: true };

        private void Failed(Exception ex)
        {
            Interlocked.Increment(ref owner._failures);
            if (Interlocked.Exchange(ref _reported, 1) != 0) return;
            try
            {
                NodeLog.LoggingFailed(inner, ex);
            }
            catch (Exception)
            {
                // The provider that failed fails again; the others have the report.
            }
        }
    }
}
