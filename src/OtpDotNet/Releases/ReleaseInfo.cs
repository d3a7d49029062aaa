namespace Otp.Net.Releases;

/// <summary>One line of the releases file (mirrors an entry of <c>release_handler:which_releases/0</c>).</summary>
/// <param name="Name">The release's name.</param>
/// <param name="Version">The release's version, also the name of its folder in the releases directory.</param>
/// <param name="Status">Its status (R1).</param>
public sealed record ReleaseInfo(string Name, string Version, ReleaseStatus Status);
