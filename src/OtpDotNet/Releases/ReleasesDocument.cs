namespace Otp.Net.Releases;

/// <summary>The content of <c>RELEASES.json</c>: every release in the directory with its persisted status.</summary>
internal sealed record ReleasesDocument(IReadOnlyList<ReleaseInfo> Releases);
