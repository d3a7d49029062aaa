using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Otp.Net.Releases;

/// <summary>
/// An open release package whose structure, signature and hashes have been checked, and its manifest. Extraction
/// hashes every byte again as it writes, so a package changed on disk after the check is still refused.
/// </summary>
internal sealed class VerifiedPackage : IDisposable
{
    private readonly ZipArchive _archive;
    private readonly Dictionary<string, ZipArchiveEntry> _files;
    private readonly ReleasePackageLimits _limits;

    private readonly string _hashesHash;

    private VerifiedPackage(ZipArchive archive, Dictionary<string, ZipArchiveEntry> files, IReadOnlyDictionary<string, string> hashes, string hashesHash, ReleaseManifest manifest, ReleasePackageLimits limits)
    {
        _hashesHash = hashesHash;
        _archive = archive;
        _files = files;
        Hashes = hashes;
        Manifest = manifest;
        _limits = limits;
    }

    public ReleaseManifest Manifest { get; }

    /// <summary>Path → lowercase hex SHA-256 of every file but <c>hashes.json</c> and <c>signature.json</c>.</summary>
    public IReadOnlyDictionary<string, string> Hashes { get; }

    public void Dispose() => _archive.Dispose();

    /// <summary>Opens and checks the package at <paramref name="packagePath"/> (see <see cref="ReleasePackage.VerifyAsync(string, ReleaseTrust?, ReleasePackageLimits, CancellationToken)"/>).</summary>
    public static async Task<VerifiedPackage> OpenAsync(string packagePath, ReleaseTrust? trust, ReleasePackageLimits limits, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (!File.Exists(packagePath))
            throw new ReleaseException(ReleaseErrorKind.MissingFile, $"no release package at {packagePath}", packagePath);
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(new FileStream(packagePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true), ZipArchiveMode.Read, leaveOpen: false);
        }
        catch (InvalidDataException e)
        {
            throw new ReleaseException(ReleaseErrorKind.Malformed, $"{packagePath} is not a readable zip file: {e.Message}", packagePath, inner: e);
        }
        try
        {
            return await CheckAsync(archive, trust, limits, ct).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            archive.Dispose();
            throw new ReleaseException(ReleaseErrorKind.Malformed, $"{packagePath} is not a readable zip file: {e.Message}", packagePath, inner: e);
        }
        catch
        {
            archive.Dispose();
            throw;
        }
    }

    /// <summary>Writes every file of the package under <paramref name="directory"/> (which exists and is empty),
    /// checking each against its hash as it goes.</summary>
    public async Task ExtractAsync(string directory, CancellationToken ct)
    {
        long total = 0;
        foreach (var (path, entry) in _files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var target = ReleasePaths.Under(directory, path);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            string hash;
            long size;
            var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            await using (output.ConfigureAwait(false))
            {
                try
                {
                    (hash, size) = await HashAsync(entry, path, _limits, output, ct).ConfigureAwait(false);
                }
                catch (InvalidDataException e)
                {
                    throw new ReleaseException(ReleaseErrorKind.Malformed, $"entry {path} cannot be read: {e.Message}", path, Manifest.Version, e);
                }
                await output.FlushAsync(ct).ConfigureAwait(false);
            }
            total += size;
            if (total > _limits.MaxTotalBytes)
                throw new ReleaseException(ReleaseErrorKind.TooLarge, $"the package holds more than {_limits.MaxTotalBytes} bytes", path, Manifest.Version);
            var expected = path switch
            {
                ReleasePaths.Hashes => _hashesHash,
                ReleasePaths.Signature => null,
                _ => Hashes[path],
            };
            if (expected is not null && hash != expected)
                throw new ReleaseException(ReleaseErrorKind.BadHash, $"{path} changed while the package was unpacked", path, Manifest.Version);
        }
    }

    private static async Task<VerifiedPackage> CheckAsync(ZipArchive archive, ReleaseTrust? trust, ReleasePackageLimits limits, CancellationToken ct)
    {
        // 1. Structure: every entry name is a safe relative path, each once, within the size limits.
        if (archive.Entries.Count > limits.MaxEntries)
            throw new ReleaseException(ReleaseErrorKind.TooLarge, $"the package holds {archive.Entries.Count} entries, more than {limits.MaxEntries}");
        var files = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        long declared = 0;
        foreach (var entry in archive.Entries)
        {
            var name = entry.FullName;
            var isDirectory = name.EndsWith('/') && entry.Length == 0;
            var path = isDirectory ? name[..^1] : name;
            if (ReleasePaths.CheckRelative(path) is { } why)
                throw new ReleaseException(ReleaseErrorKind.Malformed, $"entry '{name}': {why}", name);
            if (!names.Add(path))
                throw new ReleaseException(ReleaseErrorKind.Malformed, $"entry '{name}' appears more than once", name);
            if (isDirectory) continue;
            if (entry.Length > limits.MaxEntryBytes)
                throw new ReleaseException(ReleaseErrorKind.TooLarge, $"entry '{name}' is {entry.Length} bytes, more than {limits.MaxEntryBytes}", name);
            declared += entry.Length;
            if (declared > limits.MaxTotalBytes)
                throw new ReleaseException(ReleaseErrorKind.TooLarge, $"the package holds more than {limits.MaxTotalBytes} bytes", name);
            files.Add(path, entry);
        }

        // 2. hashes.json, and the signature over its exact bytes.
        if (!files.TryGetValue(ReleasePaths.Hashes, out var hashesEntry))
            throw new ReleaseException(ReleaseErrorKind.MissingFile, "the package has no hashes.json", ReleasePaths.Hashes);
        var hashesBytes = await ReadAllAsync(hashesEntry, ReleasePaths.Hashes, limits, ct).ConfigureAwait(false);
        if (trust is not null) await CheckSignatureAsync(files, hashesBytes, trust, limits, ct).ConfigureAwait(false);
        var hashes = ReleaseJson.Deserialize<Dictionary<string, string>>(hashesBytes, ReleasePaths.Hashes);
        foreach (var (path, hash) in hashes)
        {
            var why = ReleasePaths.CheckRelative(path) ?? (path is ReleasePaths.Hashes or ReleasePaths.Signature ? "a reserved name" : null);
            if (why is not null)
                throw new ReleaseException(ReleaseErrorKind.Malformed, $"hashes.json lists '{path}': {why}", ReleasePaths.Hashes);
            if (hash is null || hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower))
                throw new ReleaseException(ReleaseErrorKind.Malformed, $"hashes.json gives '{path}' a hash that is not 64 lowercase hex digits", path);
        }

        // 3. Listed ⇔ present, then every hash.
        foreach (var path in files.Keys.Order(StringComparer.Ordinal))
        {
            if (path is not (ReleasePaths.Hashes or ReleasePaths.Signature) && !hashes.ContainsKey(path))
                throw new ReleaseException(ReleaseErrorKind.UnlistedFile, $"the package holds {path}, which hashes.json does not list", path);
        }
        foreach (var path in hashes.Keys.Order(StringComparer.Ordinal))
        {
            if (!files.ContainsKey(path))
                throw new ReleaseException(ReleaseErrorKind.MissingFile, $"hashes.json lists {path}, which the package does not hold", path);
        }
        long total = 0;
        foreach (var (path, hash) in hashes.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            var (actual, size) = await HashAsync(files[path], path, limits, null, ct).ConfigureAwait(false);
            total += size;
            if (total > limits.MaxTotalBytes)
                throw new ReleaseException(ReleaseErrorKind.TooLarge, $"the package holds more than {limits.MaxTotalBytes} bytes", path);
            if (actual != hash)
                throw new ReleaseException(ReleaseErrorKind.BadHash, $"the SHA-256 of {path} is {actual}, hashes.json says {hash}", path);
        }

        // 4. The manifest, and every file it names.
        if (!files.TryGetValue(ReleasePaths.Manifest, out var manifestEntry))
            throw new ReleaseException(ReleaseErrorKind.MissingFile, "the package has no release.json", ReleasePaths.Manifest);
        var manifestBytes = await ReadAllAsync(manifestEntry, ReleasePaths.Manifest, limits, ct).ConfigureAwait(false);
        if (Hex(SHA256.HashData(manifestBytes)) != hashes[ReleasePaths.Manifest])
            throw new ReleaseException(ReleaseErrorKind.BadHash, "release.json changed while the package was read", ReleasePaths.Manifest);
        var manifest = ReleaseJson.Deserialize<ReleaseManifest>(manifestBytes, ReleasePaths.Manifest);
        ReleasePaths.Validate(manifest);
        foreach (var file in manifest.AllFiles())
        {
            if (!hashes.ContainsKey(file))
                throw new ReleaseException(ReleaseErrorKind.MissingFile, $"release.json names {file}, which the package does not hold", file, manifest.Version);
        }
        return new VerifiedPackage(archive, files, hashes, Hex(SHA256.HashData(hashesBytes)), manifest, limits);
    }

    private static async Task CheckSignatureAsync(Dictionary<string, ZipArchiveEntry> files, byte[] hashesBytes, ReleaseTrust trust, ReleasePackageLimits limits, CancellationToken ct)
    {
        if (!files.TryGetValue(ReleasePaths.Signature, out var signatureEntry))
            throw new ReleaseException(ReleaseErrorKind.Unsigned, "the package is not signed and this node only accepts signed packages", ReleasePaths.Signature);
        var document = ReleaseJson.Deserialize<SignatureDocument>(
            await ReadAllAsync(signatureEntry, ReleasePaths.Signature, limits, ct).ConfigureAwait(false), ReleasePaths.Signature);
        if (document.Algorithm != ReleaseSigningKey.Algorithm)
            throw new ReleaseException(ReleaseErrorKind.BadSignature, $"the signature's algorithm is '{document.Algorithm}', not {ReleaseSigningKey.Algorithm}", ReleasePaths.Signature);
        if (!trust.Contains(document.KeyId))
            throw new ReleaseException(ReleaseErrorKind.UntrustedKey, $"the package is signed by key '{document.KeyId}', which this node does not trust", ReleasePaths.Signature);
        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(document.Signature);
        }
        catch (FormatException e)
        {
            throw new ReleaseException(ReleaseErrorKind.BadSignature, "the signature is not base64", ReleasePaths.Signature, inner: e);
        }
        if (!trust.Verify(document.KeyId, hashesBytes, signature))
            throw new ReleaseException(ReleaseErrorKind.BadSignature, $"the signature by key '{document.KeyId}' does not verify over hashes.json", ReleasePaths.Signature);
    }

    internal static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);

    private static async Task<byte[]> ReadAllAsync(ZipArchiveEntry entry, string path, ReleasePackageLimits limits, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await HashAsync(entry, path, limits, buffer, ct).ConfigureAwait(false);
        return buffer.ToArray();
    }

    /// <summary>The SHA-256 and size of an entry's bytes, copied to <paramref name="copy"/> if given; stops at the entry limit.</summary>
    private static async Task<(string Hash, long Size)> HashAsync(ZipArchiveEntry entry, string path, ReleasePackageLimits limits, Stream? copy, CancellationToken ct)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            var input = entry.Open();
            await using (input.ConfigureAwait(false))
            {
                long size = 0;
                int n;
                while ((n = await input.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
                {
                    size += n;
                    if (size > limits.MaxEntryBytes)
                        throw new ReleaseException(ReleaseErrorKind.TooLarge, $"entry '{path}' is more than {limits.MaxEntryBytes} bytes", path);
                    sha.AppendData(buffer, 0, n);
                    if (copy is not null) await copy.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                }
                return (Hex(sha.GetHashAndReset()), size);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
