using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Otp.Net.Tests;

/// <summary>Records log events with their structured properties, for tests of reports.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, EventId EventId, IReadOnlyDictionary<string, object?> Properties, string Message)> Events { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var props = state is IEnumerable<KeyValuePair<string, object?>> kvs ? kvs.ToDictionary(kv => kv.Key, kv => kv.Value) : new Dictionary<string, object?>();
            owner.Events.Enqueue((category, logLevel, eventId, props, formatter(state, exception)));
        }
    }
}
