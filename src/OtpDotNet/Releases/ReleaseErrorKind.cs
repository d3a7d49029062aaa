namespace Otp.Net.Releases;

/// <summary>Why a release package or the releases directory was refused; nothing on disk or in memory changed.</summary>
public enum ReleaseErrorKind
{
    /// <summary>The package, a manifest, a path or a JSON document is not well formed (or names a path outside its folder).</summary>
    Malformed,

    /// <summary>A file's SHA-256 differs from the one listed in <c>hashes.json</c>.</summary>
    BadHash,

    /// <summary>A file listed in <c>hashes.json</c> or named by the manifest is absent (or a source file is missing).</summary>
    MissingFile,

    /// <summary>The package holds a file that <c>hashes.json</c> does not list.</summary>
    UnlistedFile,

    /// <summary>Trusted keys are configured and the package carries no signature.</summary>
#pragma warning disable CA1720 // "unsigned" is the package's state here, not an integer type.
    Unsigned,
#pragma warning restore CA1720

    /// <summary>The signature does not verify over <c>hashes.json</c> (or names an unknown algorithm).</summary>
    BadSignature,

    /// <summary>The package is signed by a key that is not trusted.</summary>
    UntrustedKey,

    /// <summary>A release of that version is already in the releases directory (<c>{error, {existing_release, Vsn}}</c>).</summary>
    AlreadyExists,

    /// <summary>No release of that version is in the releases directory (<c>{error, {no_such_release, Vsn}}</c>).</summary>
    NoSuchRelease,

    /// <summary>The release needs another host (Otp.Net major version, runtime or shared contract assemblies): it cannot be installed in process.</summary>
    RestartRequired,

    /// <summary>An entry, or the package as a whole, is larger than the configured limits (zip-bomb guard).</summary>
    TooLarge,

    /// <summary>The releases file cannot be read as a list of releases.</summary>
    CorruptReleasesFile,

    /// <summary>The permanent release cannot be removed.</summary>
    PermanentRelease,

    /// <summary>Upgrade instructions that name something neither release has, or are out of order (R8.6).</summary>
    BadInstructions,

    /// <summary>Another install or rehearsal is running: installs never interleave.</summary>
    InstallInProgress,

    /// <summary>The node has no releases directory (<see cref="NodeOptions.ReleasesDirectory"/>).</summary>
    NotConfigured,

    /// <summary><c>{already_installed, Vsn}</c>: the release asked for is the one running (R3).</summary>
    AlreadyInstalled,

    /// <summary>Neither release has instructions between the two versions.</summary>
    NoRelup,

    /// <summary>No release runs on the node yet: boot one first.</summary>
    NoCurrentRelease,

    /// <summary>A release already runs on the node.</summary>
    AlreadyBooted,

    /// <summary>Booting a release failed (a module or application); what had started was stopped.</summary>
    BootFailed,

    /// <summary>The release is the running one and cannot be removed.</summary>
    CurrentRelease,

    /// <summary>The release is not the running one (only the running release can be made permanent).</summary>
    NotCurrent,

    /// <summary>An install asked for as a downgrade would upgrade, or the other way round.</summary>
    WrongDirection,

    /// <summary>The control socket's path is in use by a live node, or cannot be opened.</summary>
    ControlSocketUnavailable,

    /// <summary>A control request is malformed, too large or names no known command.</summary>
    BadRequest,

    /// <summary>The install ran and failed; it was rolled back (<see cref="ReleaseInstallException"/>).</summary>
    InstallFailed,

    /// <summary>The rehearsal found problems (<see cref="RehearsalReport.Problems"/>); nothing changed.</summary>
    RehearsalFailed,
}
