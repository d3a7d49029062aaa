using Microsoft.Extensions.Logging;

namespace Otp.Net.Dashboard;

/// <summary>The dashboard's log events (EventIds 7000–7099): every action is audited with the user who asked for it.</summary>
internal static partial class DashboardLog
{
    public const string Category = "Otp.Net.Dashboard";

    [LoggerMessage(EventId = 7000, EventName = "ActionDone", Level = LogLevel.Information,
        Message = "Dashboard action {Action} on {Target} by {User} from {Remote}: {Result}")]
    public static partial void ActionDone(ILogger logger, string action, string target, string user, string? remote, string result);

    [LoggerMessage(EventId = 7001, EventName = "ActionRefused", Level = LogLevel.Warning,
        Message = "Dashboard action {Action} on {Target} by {User} from {Remote} was refused: {Error}")]
    public static partial void ActionRefused(ILogger logger, string action, string target, string user, string? remote, string error);

    [LoggerMessage(EventId = 7002, EventName = "ActionFailed", Level = LogLevel.Error,
        Message = "Dashboard action {Action} on {Target} by {User} from {Remote} failed")]
    public static partial void ActionFailed(ILogger logger, string action, string target, string user, string? remote, Exception exception);

    [LoggerMessage(EventId = 7003, EventName = "HostRefused", Level = LogLevel.Warning,
        Message = "Dashboard request for host {Host} refused: not in OtpDashboardOptions.AllowedHosts")]
    public static partial void HostRefused(ILogger logger, string host);
}
