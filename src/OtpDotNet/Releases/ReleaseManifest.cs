namespace Otp.Net.Releases;

/// <summary>
/// A release, the analogue of a <c>.rel</c> file and its relup: a name and version, the applications (with their
/// modules and files), the host it needs, and the instructions to upgrade to it from older versions and to downgrade
/// from it to them. Stored as <c>release.json</c> in a release package and in the release's folder.
/// </summary>
/// <param name="Name">The release's name.</param>
/// <param name="Version">The release's version; also the name of its folder, so letters, digits, '.', '-', '_' and '+' only.</param>
public sealed record ReleaseManifest(string Name, string Version)
{
    /// <summary>The applications of the release.</summary>
    public IReadOnlyList<ApplicationDescriptor> Applications { get; init; } = [];

    /// <summary>The host the release needs (the ERTS analogue).</summary>
    public HostRequirements Host { get; init; } = new();

    /// <summary>The relup's up-section: how to upgrade to this release from each listed version.</summary>
    public IReadOnlyList<RelupEntry> Upgrades { get; init; } = [];

    /// <summary>The relup's down-section: how to downgrade from this release to each listed version (run by a
    /// downgrade from this release, R3).</summary>
    public IReadOnlyList<RelupEntry> Downgrades { get; init; } = [];

    /// <summary>Every file of the release the manifest names (module assemblies and application files), relative to the
    /// release folder, each once, in manifest order.</summary>
    public IReadOnlyList<string> AllFiles() =>
        [.. Applications.SelectMany(a => a.Modules.Select(m => m.File).Concat(a.Files)).Distinct(StringComparer.Ordinal)];
}
