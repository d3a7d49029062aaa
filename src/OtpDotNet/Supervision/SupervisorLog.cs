using Microsoft.Extensions.Logging;

namespace Otp.Net.Supervision;

/// <summary>Supervisor reports (EventIds 2000–2099), with OTP's report property names.</summary>
internal static partial class SupervisorLog
{
    public const string Category = "Otp.Net.Supervisor";

    [LoggerMessage(EventId = 2000, EventName = "ChildStarted", Level = LogLevel.Debug,
        Message = "Supervisor {Supervisor} started child {ChildId} as {Pid}")]
    public static partial void ChildStarted(ILogger logger, string supervisor, string childId, string pid);

    [LoggerMessage(EventId = 2001, EventName = "ChildTerminated", Level = LogLevel.Error,
        Message = "Supervisor {Supervisor}: child {ChildId} ({Pid}) terminated with reason {Reason}")]
    public static partial void ChildTerminated(ILogger logger, string supervisor, string childId, string pid, string reason);

    [LoggerMessage(EventId = 2002, EventName = "StartError", Level = LogLevel.Error,
        Message = "Supervisor {Supervisor}: child {ChildId} failed to start: {Reason}")]
    public static partial void StartError(ILogger logger, string supervisor, string childId, string reason);

    [LoggerMessage(EventId = 2003, EventName = "ReachedMaxRestartIntensity", Level = LogLevel.Error,
        Message = "Supervisor {Supervisor} reached max restart intensity after child {ChildId} exited with {Reason}; shutting down")]
    public static partial void ReachedMaxRestartIntensity(ILogger logger, string supervisor, string childId, string reason);

    [LoggerMessage(EventId = 2004, EventName = "ShutdownError", Level = LogLevel.Error,
        Message = "Supervisor {Supervisor}: child {ChildId} ({Pid}) did not stop as expected: {Reason}")]
    public static partial void ShutdownError(ILogger logger, string supervisor, string childId, string pid, string reason);

    [LoggerMessage(EventId = 2005, EventName = "UnexpectedMessage", Level = LogLevel.Warning,
        Message = "Supervisor {Supervisor} received unexpected message: {Message}")]
    public static partial void UnexpectedMessage(ILogger logger, string supervisor, string message);
}
