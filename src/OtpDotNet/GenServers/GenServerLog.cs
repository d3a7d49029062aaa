using Microsoft.Extensions.Logging;

namespace Otp.Net.GenServers;

/// <summary>GenServer reports (EventIds 1000–1099), with property names taken from OTP's reports.</summary>
internal static partial class GenServerLog
{
    public const string Category = "Otp.Net.GenServer";

    [LoggerMessage(EventId = 1000, EventName = "CrashReport", Level = LogLevel.Error,
        Message = "GenServer {Server} ({Module}) terminating: last message {LastMessage}, state {State}, reason {Reason}")]
    public static partial void CrashReport(ILogger logger, string server, string module, string lastMessage, string state, string reason);

    [LoggerMessage(EventId = 1001, EventName = "UnexpectedMessage", Level = LogLevel.Warning,
        Message = "GenServer {Module} {Server} received unexpected message in handle_info: {Message}")]
    private static partial void UnexpectedMessageCore(ILogger logger, string module, string server, string message);

    [LoggerMessage(EventId = 1002, EventName = "Trace", Level = LogLevel.Information,
        Message = "*DBG* {Server} {Direction} {Event}")]
    public static partial void Trace(ILogger logger, string server, string direction, string @event);

    [LoggerMessage(EventId = 1003, EventName = "BadReplyType", Level = LogLevel.Error,
        Message = "GenServer {Server} replied to {Caller} with a {ReplyType} where the call expects a {ExpectedType}: the reply was refused and the caller got a CallReplyTypeException")]
    public static partial void BadReplyType(ILogger logger, string server, string caller, string expectedType, string replyType);

    public static void UnexpectedMessage(ILogger? logger, string module, string server, string message)
    {
        if (logger is not null) UnexpectedMessageCore(logger, module, server, message);
    }
}
