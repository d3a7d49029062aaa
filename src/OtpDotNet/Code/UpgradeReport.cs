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
/// <param name="OldVersionPurged">
/// Whether the old version was soft-purged at the end. False when no purge was asked, or when it was refused because a
/// process still runs the old version (logged as <c>OldCodeNotPurged</c>; the next upgrade then fails with
/// <c>not_purged</c> until <see cref="CodeServer.PurgeAsync"/> or <see cref="CodeServer.SoftPurgeAsync"/> succeeds).
/// </param>
public sealed record UpgradeReport(string Module, string FromVersion, string ToVersion, int Processes,
    TimeSpan Suspend, TimeSpan Load, TimeSpan ChangeCode, TimeSpan Resume, TimeSpan Purge, bool OldVersionPurged);
