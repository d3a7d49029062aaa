using Microsoft.Extensions.Logging;

namespace Otp.Net.Applications;

/// <summary>Application reports (EventIds 4000–4099), named as OTP's progress and exit reports.</summary>
internal static partial class ApplicationLog
{
    public const string Category = "Otp.Net.Application";

    [LoggerMessage(EventId = 4000, EventName = "ApplicationStarted", Level = LogLevel.Information, Message = "Application {Application} started ({Type})")]
    public static partial void Started(ILogger logger, string application, string type);

    [LoggerMessage(EventId = 4001, EventName = "ApplicationExited", Level = LogLevel.Information, Message = "Application {Application} exited: {Reason} ({Type})")]
    public static partial void Exited(ILogger logger, string application, string reason, string type);

    [LoggerMessage(EventId = 4002, EventName = "NodeShutdown", Level = LogLevel.Critical, Message = "Application {Application} terminated with {Reason}: shutting the node down")]
    public static partial void NodeShutdown(ILogger logger, string application, string reason);

    [LoggerMessage(EventId = 4003, EventName = "ApplicationCallbackFailed", Level = LogLevel.Error,
        Message = "Application {Application}: {Callback} threw; the sequence went on")]
    public static partial void CallbackFailed(ILogger logger, string application, string callback, Exception exception);
}
