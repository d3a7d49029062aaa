using Microsoft.Extensions.Logging;

namespace Otp.Net.Releases;

/// <summary>Release handler reports (EventIds 6000–6099).</summary>
internal static partial class ReleaseLog
{
    public const string Category = "Otp.Net.Releases";

    [LoggerMessage(EventId = 6000, EventName = "ReleaseUnpacked", Level = LogLevel.Information, Message = "Unpacked release {Release} {Version}")]
    public static partial void Unpacked(ILogger logger, string release, string version);

    [LoggerMessage(EventId = 6001, EventName = "ReleaseStep", Level = LogLevel.Information, Message = "Release {Version} step {Index} {Step}: {Outcome} {Detail}")]
    public static partial void Step(ILogger logger, string version, int index, string step, string outcome, string detail);

    [LoggerMessage(EventId = 6002, EventName = "ReleaseInstalled", Level = LogLevel.Information, Message = "Installed release {Version} (from {FromVersion})")]
    public static partial void Installed(ILogger logger, string version, string fromVersion);

    [LoggerMessage(EventId = 6003, EventName = "ReleaseRolledBack", Level = LogLevel.Warning, Message = "Install of release {Version} rolled back; {FromVersion} runs")]
    public static partial void RolledBack(ILogger logger, string version, string fromVersion);

    [LoggerMessage(EventId = 6004, EventName = "ReleaseMadePermanent", Level = LogLevel.Information, Message = "Release {Version} is permanent")]
    public static partial void MadePermanent(ILogger logger, string version);

    [LoggerMessage(EventId = 6005, EventName = "ReleaseRemoved", Level = LogLevel.Information, Message = "Removed release {Version}")]
    public static partial void Removed(ILogger logger, string version);

    [LoggerMessage(EventId = 6006, EventName = "ReleaseBooted", Level = LogLevel.Information, Message = "Booted release {Release} {Version}")]
    public static partial void Booted(ILogger logger, string release, string version);

    [LoggerMessage(EventId = 6007, EventName = "OldCodePurged", Level = LogLevel.Information, Message = "Release {Version} made permanent: {Module} old code purged, {Killed} processes killed")]
    public static partial void PurgedAtPermanent(ILogger logger, string version, string module, int killed);

    [LoggerMessage(EventId = 6008, EventName = "ControlRequest", Level = LogLevel.Information, Message = "Control socket: {Command} {Argument}")]
    public static partial void ControlRequest(ILogger logger, ControlCommand command, string argument);

    [LoggerMessage(EventId = 6009, EventName = "ControlSocketOpened", Level = LogLevel.Information, Message = "Control socket open at {Path}")]
    public static partial void ControlSocketOpened(ILogger logger, string path);
}
