namespace Otp.Net.Releases;

/// <summary>A release operation was refused; the releases directory and its releases file are as they were.</summary>
public sealed class ReleaseException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="kind">Why.</param>
    /// <param name="message">What happened, for people.</param>
    /// <param name="path">The offending file or entry path, if any.</param>
    /// <param name="version">The release version concerned, if any.</param>
    /// <param name="inner">The underlying failure, if any.</param>
    public ReleaseException(ReleaseErrorKind kind, string message, string? path = null, string? version = null, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        Path = path;
        Version = version;
    }

    /// <summary>Why.</summary>
    public ReleaseErrorKind Kind { get; }

    /// <summary>The offending file or entry path (relative to the package or release folder), if any.</summary>
    public string? Path { get; }

    /// <summary>The release version concerned, if any.</summary>
    public string? Version { get; }
}
