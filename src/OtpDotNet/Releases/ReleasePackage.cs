using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;

namespace Otp.Net.Releases;

/// <summary>
/// Release packages: one zip per release version holding <c>release.json</c> (the <see cref="ReleaseManifest"/>),
/// every module and application file at the path the manifest names, <c>hashes.json</c> (path → lowercase hex
/// SHA-256 of every other entry, <c>release.json</c> included) and, when signed, <c>signature.json</c>
/// (<c>{ keyId, algorithm: "ECDSA-P256-SHA256", signature }</c> over the exact bytes of <c>hashes.json</c>).
/// The analogue of OTP's release tarball, with hashes and signatures OTP does not have.
/// </summary>
public static class ReleasePackage
{
    // A fixed timestamp for every entry: the same inputs give the same package bytes.
    private static readonly DateTimeOffset EntryTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Writes the package of <paramref name="manifest"/> to <paramref name="outputPath"/>, reading each file the
    /// manifest names from <paramref name="sourceDirectory"/> at the same relative path, and signs it with
    /// <paramref name="key"/> if given. The package is written to a temporary file beside <paramref name="outputPath"/>
    /// and moved over it at the end (replacing an existing file); on any failure nothing is written.
    /// </summary>
    /// <exception cref="ReleaseException"><see cref="ReleaseErrorKind.Malformed"/> for an unusable manifest (a bad
    /// version or path, an env value that is not plain JSON); <see cref="ReleaseErrorKind.MissingFile"/> for a file
    /// absent from <paramref name="sourceDirectory"/>.</exception>
    public static async Task CreateAsync(ReleaseManifest manifest, string sourceDirectory, string outputPath, ReleaseSigningKey? key = null, CancellationToken ct = default)
    {
        ReleasePaths.Validate(manifest);
        byte[] manifestBytes;
        try
        {
            manifestBytes = ReleaseJson.Serialize(manifest);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            throw new ReleaseException(ReleaseErrorKind.Malformed, $"the manifest cannot be written: {e.Message}", ReleasePaths.Manifest, manifest.Version, e);
        }
        var files = manifest.AllFiles();
        foreach (var file in files)
        {
            if (!File.Exists(ReleasePaths.Under(sourceDirectory, file)))
                throw new ReleaseException(ReleaseErrorKind.MissingFile, $"{file} is not in {sourceDirectory}", file, manifest.Version);
        }

        var output = Path.GetFullPath(outputPath);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        var temp = output + ReleasePaths.TempPrefix + Guid.NewGuid().ToString("N");
        try
        {
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, useAsync: true);
            await using (stream.ConfigureAwait(false))
            {
                using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
                {
                    var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal)
                    {
                        [ReleasePaths.Manifest] = await WriteAsync(zip, ReleasePaths.Manifest, new MemoryStream(manifestBytes), ct).ConfigureAwait(false),
                    };
                    foreach (var file in files)
                    {
                        var input = new FileStream(ReleasePaths.Under(sourceDirectory, file), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
                        await using (input.ConfigureAwait(false))
                        {
                            hashes[file] = await WriteAsync(zip, file, input, ct).ConfigureAwait(false);
                        }
                    }
                    var hashesBytes = ReleaseJson.Serialize(hashes);
                    await WriteAsync(zip, ReleasePaths.Hashes, new MemoryStream(hashesBytes), ct).ConfigureAwait(false);
                    if (key is not null)
                    {
                        var signature = new SignatureDocument(key.KeyId, ReleaseSigningKey.Algorithm, Convert.ToBase64String(key.Sign(hashesBytes)));
                        await WriteAsync(zip, ReleasePaths.Signature, new MemoryStream(ReleaseJson.Serialize(signature)), ct).ConfigureAwait(false);
                    }
                }
                await stream.FlushAsync(ct).ConfigureAwait(false);
            }
            File.Move(temp, output, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>
    /// Checks a package before anything in it is extracted or loaded and returns its manifest, with the default
    /// <see cref="ReleasePackageLimits"/>. See <see cref="VerifyAsync(string, ReleaseTrust?, ReleasePackageLimits, CancellationToken)"/>.
    /// </summary>
    public static Task<ReleaseManifest> VerifyAsync(string packagePath, ReleaseTrust? trust, CancellationToken ct = default) =>
        VerifyAsync(packagePath, trust, ReleasePackageLimits.Default, ct);

    /// <summary>
    /// Checks a package before anything in it is extracted or loaded and returns its manifest: the zip is readable;
    /// no entry path is absolute, has a <c>..</c> segment or a backslash, or appears twice; no entry exceeds
    /// <paramref name="limits"/>; when <paramref name="trust"/> is given, <c>hashes.json</c> is signed by one of its
    /// keys with a valid signature (an unsigned package is refused); every entry is listed in <c>hashes.json</c> and
    /// every listed file is present with the listed hash; the manifest is well formed and every file it names is present.
    /// </summary>
    /// <param name="packagePath">The package file.</param>
    /// <param name="trust">The keys the package must be signed by; null accepts unsigned packages (and ignores any signature).</param>
    /// <param name="limits">The size limits.</param>
    /// <param name="ct">Cancels the check.</param>
    /// <exception cref="ReleaseException">The package is refused; <see cref="ReleaseException.Kind"/> says why and
    /// <see cref="ReleaseException.Path"/> names the offending entry.</exception>
    public static async Task<ReleaseManifest> VerifyAsync(string packagePath, ReleaseTrust? trust, ReleasePackageLimits limits, CancellationToken ct = default)
    {
        using var package = await VerifiedPackage.OpenAsync(packagePath, trust, limits, ct).ConfigureAwait(false);
        return package.Manifest;
    }

    private static async Task<string> WriteAsync(ZipArchive zip, string path, Stream input, CancellationToken ct)
    {
        var entry = zip.CreateEntry(path, CompressionLevel.Optimal);
        entry.LastWriteTime = EntryTime;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var output = entry.Open();
        await using (output.ConfigureAwait(false))
        {
            var buffer = new byte[1 << 16];
            int n;
            while ((n = await input.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                sha.AppendData(buffer, 0, n);
                await output.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
            }
        }
        return VerifiedPackage.Hex(sha.GetHashAndReset());
    }
}
