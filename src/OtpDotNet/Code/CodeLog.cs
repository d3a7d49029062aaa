using Microsoft.Extensions.Logging;

namespace Otp.Net.Code;

/// <summary>Code server reports (EventIds 3000–3099).</summary>
internal static partial class CodeLog
{
    public const string Category = "Otp.Net.Code";

    [LoggerMessage(EventId = 3000, EventName = "ModuleLoaded", Level = LogLevel.Information, Message = "Loaded {Module} {ToVersion}")]
    public static partial void Loaded(ILogger logger, string module, string toVersion);

    [LoggerMessage(EventId = 3001, EventName = "ModulePurged", Level = LogLevel.Information, Message = "Purged {Module} {FromVersion}")]
    public static partial void Purged(ILogger logger, string module, string fromVersion);

    [LoggerMessage(EventId = 3002, EventName = "UpgradeRolledBack", Level = LogLevel.Warning, Message = "Upgrade of {Module} to {ToVersion} rolled back to {FromVersion}")]
    public static partial void RolledBack(ILogger logger, string module, string toVersion, string fromVersion);

    [LoggerMessage(EventId = 3003, EventName = "OldCodeNotPurged", Level = LogLevel.Warning, Message = "After the upgrade of {Module} to {ToVersion}, {FromVersion} was not purged: {Count} processes still run it ({Pids})")]
    public static partial void OldCodeNotPurged(ILogger logger, string module, string fromVersion, string toVersion, int count, string pids);
}
