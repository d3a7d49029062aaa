using Microsoft.Extensions.Logging;

namespace Otp.Net.Diagnostics;

/// <summary>The node's own reports (EventIds 5000–5099).</summary>
internal static partial class NodeLog
{
    public const string Category = "Otp.Net.Node";

    [LoggerMessage(EventId = 5000, EventName = "TracerFailed", Level = LogLevel.Error,
        Message = "The process tracer threw on {Event} of {Pid}; the process's lifecycle went on")]
    public static partial void TracerFailed(ILogger logger, string @event, string pid, Exception exception);

    [LoggerMessage(EventId = 5001, EventName = "LoggingFailed", Level = LogLevel.Error,
        Message = "A logging provider threw; the runtime goes on without it for this entry (reported once per category)")]
    public static partial void LoggingFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5002, EventName = "ObserverFailed", Level = LogLevel.Error,
        Message = "A node event observer threw on {Event}; the node went on and the observer stays subscribed (its later failures are not logged)")]
    public static partial void ObserverFailed(ILogger logger, string @event, Exception exception);
}
