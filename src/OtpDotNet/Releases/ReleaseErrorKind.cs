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
}
