namespace Otp.Net.Code;

/// <summary>What an upgrade did, with the time each step took.</summary>
/// <param name="Module">The module.</param>
/// <param name="FromVersion">The version processes ran before.</param>
/// <param name="ToVersion">The version they run now.</param>
/// <param name="Processes">Processes moved.</param>
/// <param name="Suspend">Time to suspend them all.</param>
/// <param name="Load">Time to load the new version.</param>
/// <param name="ChangeCode">Time to run every <c>CodeChange</c>.</param>
/// <param name="Resume">Time to resume them all.</param>
/// <param name="Purge">Time to purge the old version (zero when not asked).</param>
public sealed record UpgradeReport(string Module, string FromVersion, string ToVersion, int Processes,
    TimeSpan Suspend, TimeSpan Load, TimeSpan ChangeCode, TimeSpan Resume, TimeSpan Purge);
