using Microsoft.Extensions.Logging;

namespace Otp.Net.Diagnostics;

/// <summary>
/// The logger of a node created without one: warnings and errors (crash reports, supervisor reports, failed
/// upgrades) written to standard error, as OTP's default logger prints its error reports on the console. A host
/// passes its own factory (hosting does so by itself); <c>NullLoggerFactory.Instance</c> silences the node.
/// </summary>
internal sealed class StandardErrorLoggerFactory : ILoggerFactory
{
    private static readonly Lock WriteLock = new();

    public static StandardErrorLoggerFactory Instance { get; } = new();

    private StandardErrorLoggerFactory()
    {
    }

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName);

    public void AddProvider(ILoggerProvider provider) =>
        throw new NotSupportedException("The default standard-error logger takes no providers: pass a LoggerFactory in NodeOptions.");

    public void Dispose()
    {
        // Shared and stateless.
    }

    private sealed class Logger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var level = logLevel switch
            {
                LogLevel.Warning => "warning",
                LogLevel.Error => "error",
                _ => "critical",
            };
            var text = $"=={level}== {category}[{eventId.Id}]{Environment.NewLine}    {formatter(state, exception).Replace("\n", "\n    ", StringComparison.Ordinal)}";
            if (exception is not null) text += Environment.NewLine + "    " + exception;
            lock (WriteLock)
                Console.Error.WriteLine(text);
        }
    }
}
