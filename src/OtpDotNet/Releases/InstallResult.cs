namespace Otp.Net.Releases;

/// <summary>
/// A successful install: <c>{ok, OtherVsn, Descr}</c> (R3). <see cref="OtherVersion"/> is the relup entry's version:
/// the release upgraded from, or the release downgraded to.
/// </summary>
public sealed record InstallResult(string FromVersion, string ToVersion, ChangeDirection Direction, IReadOnlyList<JournalEntry> Journal)
{
    /// <summary>R3's <c>OtherVsn</c>: the from-version of an upgrade, the target of a downgrade.</summary>
    public string OtherVersion => Direction == ChangeDirection.Up ? FromVersion : ToVersion;
}
