namespace Otp.Net.Releases;

/// <summary>The sizes a release package may not exceed (a guard against zip bombs and runaway packages); checked on
/// the sizes the zip declares and again on the bytes actually read.</summary>
public sealed record ReleasePackageLimits
{
    /// <summary>The default limits: 256 MiB per entry, 1 GiB in all, 10,000 entries.</summary>
    public static ReleasePackageLimits Default { get; } = new();

    /// <summary>The largest uncompressed entry, in bytes.</summary>
    public long MaxEntryBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>The largest uncompressed package (all entries together), in bytes.</summary>
    public long MaxTotalBytes { get; init; } = 1024L * 1024 * 1024;

    /// <summary>The most entries a package may hold.</summary>
    public int MaxEntries { get; init; } = 10_000;
}
