namespace Otp.Net.Releases;

/// <summary>
/// One entry of a release's upgrade or downgrade section: the instructions that go from (or back to) release
/// <see cref="Version"/>. A downgrade runs the newer release's entry for the older version (R3).
/// </summary>
public sealed record RelupEntry(string Version)
{
    /// <summary>The instructions, in order.</summary>
    public IReadOnlyList<AppupInstruction> Instructions { get; init; } = [];
}
