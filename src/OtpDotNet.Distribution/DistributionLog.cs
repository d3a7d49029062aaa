using Microsoft.Extensions.Logging;

namespace Otp.Net.Distribution;

/// <summary>Distribution reports (EventIds 8000–8099).</summary>
internal static partial class DistributionLog
{
    public const string Category = "Otp.Net.Distribution";

    [LoggerMessage(EventId = 8000, EventName = "DistributionStarted", Level = LogLevel.Information, Message = "Node {Node} is distributed")]
    public static partial void Started(ILogger logger, string node);

    [LoggerMessage(EventId = 8001, EventName = "NodeUp", Level = LogLevel.Information, Message = "Node {Node} connected")]
    public static partial void NodeUp(ILogger logger, string node);

    [LoggerMessage(EventId = 8002, EventName = "NodeDown", Level = LogLevel.Warning, Message = "Node {Node} went down: its links, monitors and calls fire with noconnection")]
    public static partial void NodeDown(ILogger logger, string node);

    [LoggerMessage(EventId = 8003, EventName = "FrameRejected", Level = LogLevel.Warning, Message = "A frame from {Node} was dropped: {Reason}")]
    public static partial void FrameRejected(ILogger logger, string node, string reason);

    [LoggerMessage(EventId = 8004, EventName = "GlobalNameConflict", Level = LogLevel.Warning, Message = "Global name {Name} was held by {Kept} and {Lost} after nodes joined: {Lost} loses it and is sent exit {{global_name_conflict, Name}}")]
    public static partial void GlobalNameConflict(ILogger logger, string name, string kept, string lost);

    [LoggerMessage(EventId = 8005, EventName = "NodeEventHandlerFailed", Level = LogLevel.Error, Message = "A {Event} handler threw for node {Node}")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string @event, string node);
}
