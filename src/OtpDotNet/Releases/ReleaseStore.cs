using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace Otp.Net.Releases;

/// <summary>
/// A releases directory, the analogue of OTP's <c>releases/</c> folder and its <c>RELEASES</c> file: one folder per
/// release version (its <c>release.json</c>, module assemblies and files, as unpacked from its package) and
/// <c>RELEASES.json</c>, which lists every release with its status. The releases file is always replaced whole and
/// atomically (a temporary file in the same directory moved over it), and <see cref="ReleaseStatus.Current"/> is never
/// written to it, so a node that stops at any point boots its permanent release (R1). Every operation either completes
/// or leaves the directory, the file and <see cref="Releases"/> as they were. Operations on one store never interleave.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "The gate's wait handle is never created (AvailableWaitHandle is not read), so there is nothing to dispose.")]
public sealed class ReleaseStore
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile ImmutableList<ReleaseInfo> _releases;

    private ReleaseStore(string directory, ReleasePackageLimits limits, ImmutableList<ReleaseInfo> releases)
    {
        DirectoryPath = directory;
        Limits = limits;
        _releases = releases;
    }

    /// <summary>The releases directory (full path).</summary>
    public string DirectoryPath { get; }

    /// <summary>The size limits packages are unpacked under.</summary>
    public ReleasePackageLimits Limits { get; }

    /// <summary>The path of the releases file, <c>&lt;dir&gt;/RELEASES.json</c>.</summary>
    public string ReleasesFilePath => Path.Combine(DirectoryPath, ReleasePaths.ReleasesFile);

    /// <summary>Every release in the directory with its persisted status (never <see cref="ReleaseStatus.Current"/>),
    /// in the order they were unpacked.</summary>
    public IReadOnlyList<ReleaseInfo> Releases => _releases;

    /// <summary>The permanent release, if any.</summary>
    public ReleaseInfo? Permanent => Releases.FirstOrDefault(r => r.Status == ReleaseStatus.Permanent);

    /// <summary>
    /// Opens a releases directory, creating it and an empty releases file when missing. Temporary files and folders
    /// left by an interrupted operation are removed.
    /// </summary>
    /// <param name="directory">The releases directory.</param>
    /// <param name="limits">The size limits for unpacking; <see cref="ReleasePackageLimits.Default"/> if null.</param>
    /// <exception cref="ReleaseException"><see cref="ReleaseErrorKind.CorruptReleasesFile"/>: the releases file cannot be read.</exception>
    public static ReleaseStore Open(string directory, ReleasePackageLimits? limits = null)
    {
        var full = Path.GetFullPath(directory);
        Directory.CreateDirectory(full);
        foreach (var leftover in Directory.EnumerateFileSystemEntries(full, ReleasePaths.TempPrefix + "*"))
            DeleteQuietly(leftover);
        var file = Path.Combine(full, ReleasePaths.ReleasesFile);
        ImmutableList<ReleaseInfo> releases;
        if (File.Exists(file))
        {
            releases = Read(File.ReadAllBytes(file));
        }
        else
        {
            releases = [];
            WriteAtomically(full, releases);
        }
        return new ReleaseStore(full, limits ?? ReleasePackageLimits.Default, releases);
    }

    /// <summary>The release of <paramref name="version"/>, or null.</summary>
    public ReleaseInfo? Find(string version) => Releases.FirstOrDefault(r => r.Version == version);

    /// <summary>
    /// Verifies the package (see <see cref="ReleasePackage.VerifyAsync(string, ReleaseTrust?, ReleasePackageLimits, CancellationToken)"/>),
    /// checks that its version is new and that this host can run it, extracts it into a temporary folder of the
    /// releases directory (hashing every byte again as it is written) and renames that folder to
    /// <c>&lt;dir&gt;/&lt;version&gt;</c>, then lists the release as <see cref="ReleaseStatus.Unpacked"/>. Mirrors
    /// <c>release_handler:unpack_release/1</c>. On any failure nothing is left on disk and the releases file is unchanged.
    /// </summary>
    /// <param name="packagePath">The package file.</param>
    /// <param name="trust">The keys packages must be signed by; null accepts unsigned packages.</param>
    /// <param name="ct">Cancels the unpack (before the release is listed).</param>
    /// <returns>The release's manifest.</returns>
    /// <exception cref="ReleaseException">The package is refused (see <see cref="ReleaseErrorKind"/>), the release
    /// exists already (<see cref="ReleaseErrorKind.AlreadyExists"/>) or needs another host
    /// (<see cref="ReleaseErrorKind.RestartRequired"/>).</exception>
    public async Task<ReleaseManifest> UnpackAsync(string packagePath, ReleaseTrust? trust, CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            using var package = await VerifiedPackage.OpenAsync(packagePath, trust, Limits, ct).ConfigureAwait(false);
            var manifest = package.Manifest;
            var version = manifest.Version;
            var target = Path.Combine(DirectoryPath, version);
            if (Find(version) is not null || Path.Exists(target))
                throw new ReleaseException(ReleaseErrorKind.AlreadyExists, $"release {version} is already in {DirectoryPath}", version: version);
            if (manifest.Host.Check() is { } reason)
                throw new ReleaseException(ReleaseErrorKind.RestartRequired, $"release {version}: {reason}", version: version);

            var temp = Path.Combine(DirectoryPath, ReleasePaths.TempPrefix + "unpack-" + Guid.NewGuid().ToString("N"));
            var moved = false;
            try
            {
                Directory.CreateDirectory(temp);
                await package.ExtractAsync(temp, ct).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
                Directory.Move(temp, target);
                moved = true;
                var releases = _releases.Add(new ReleaseInfo(manifest.Name, version, ReleaseStatus.Unpacked));
                WriteAtomically(DirectoryPath, releases);
                _releases = releases;
                return manifest;
            }
            catch
            {
                if (moved) RemoveFolder(target);
                else DeleteQuietly(temp);
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Sets the persisted status of a release. <see cref="ReleaseStatus.Permanent"/> is
    /// <see cref="MarkPermanentAsync"/>; <see cref="ReleaseStatus.Current"/> is never persisted (R1) and is refused.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="status"/> is <see cref="ReleaseStatus.Current"/> or not a status.</exception>
    /// <exception cref="ReleaseException"><see cref="ReleaseErrorKind.NoSuchRelease"/>, or
    /// <see cref="ReleaseErrorKind.PermanentRelease"/> when the permanent release would lose its status (make another permanent instead).</exception>
    public Task SetStatusAsync(string version, ReleaseStatus status, CancellationToken ct = default)
    {
        if (status == ReleaseStatus.Current)
            throw new ArgumentException("the current status is never persisted: a restart boots the permanent release", nameof(status));
        if (!Enum.IsDefined(status)) throw new ArgumentException($"{status} is not a release status", nameof(status));
        if (status == ReleaseStatus.Permanent) return MarkPermanentAsync(version, ct);
        return UpdateAsync(version, (releases, index) =>
        {
            if (releases[index].Status == ReleaseStatus.Permanent)
                throw new ReleaseException(ReleaseErrorKind.PermanentRelease, $"release {version} is permanent; make another release permanent instead", version: version);
            return releases.SetItem(index, releases[index] with { Status = status });
        }, ct);
    }

    /// <summary>
    /// Makes a release permanent: the node boots it from now on, and the previous permanent release becomes
    /// <see cref="ReleaseStatus.Old"/> (R1). Mirrors the releases-file part of <c>release_handler:make_permanent/1</c>.
    /// </summary>
    /// <exception cref="ReleaseException"><see cref="ReleaseErrorKind.NoSuchRelease"/>.</exception>
    public Task MarkPermanentAsync(string version, CancellationToken ct = default) =>
        UpdateAsync(version, (releases, index) =>
        {
            var builder = releases.ToBuilder();
            for (var i = 0; i < builder.Count; i++)
            {
                if (i != index && builder[i].Status == ReleaseStatus.Permanent) builder[i] = builder[i] with { Status = ReleaseStatus.Old };
            }
            builder[index] = builder[index] with { Status = ReleaseStatus.Permanent };
            return builder.ToImmutable();
        }, ct);

    /// <summary>
    /// Removes a release: unlists it, then deletes its folder. Mirrors <c>release_handler:remove_release/1</c>.
    /// </summary>
    /// <exception cref="ReleaseException"><see cref="ReleaseErrorKind.NoSuchRelease"/>, or
    /// <see cref="ReleaseErrorKind.PermanentRelease"/> for the permanent release.</exception>
    public async Task RemoveAsync(string version, CancellationToken ct = default)
    {
        await UpdateAsync(version, (releases, index) =>
        {
            if (releases[index].Status == ReleaseStatus.Permanent)
                throw new ReleaseException(ReleaseErrorKind.PermanentRelease, $"release {version} is permanent and cannot be removed", version: version);
            return releases.RemoveAt(index);
        }, ct).ConfigureAwait(false);
        // Unlisted first, so a crash here leaves at worst an unlisted folder; renamed before the delete, so a
        // partial delete never leaves a half release under the version's name (the next Open removes the rest).
        RemoveFolder(Path.Combine(DirectoryPath, version));
    }

    /// <summary>The manifest of a release, read from <c>&lt;dir&gt;/&lt;version&gt;/release.json</c>.</summary>
    /// <exception cref="ReleaseException"><see cref="ReleaseErrorKind.NoSuchRelease"/>,
    /// <see cref="ReleaseErrorKind.MissingFile"/> or <see cref="ReleaseErrorKind.Malformed"/>.</exception>
    public ReleaseManifest Manifest(string version)
    {
        var path = PathOf(version, ReleasePaths.Manifest);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ReleaseException(ReleaseErrorKind.MissingFile, $"release {version} has no release.json", ReleasePaths.Manifest, version, e);
        }
        var manifest = ReleaseJson.Deserialize<ReleaseManifest>(bytes, ReleasePaths.Manifest, version: version);
        ReleasePaths.Validate(manifest);
        if (manifest.Version != version)
            throw new ReleaseException(ReleaseErrorKind.Malformed, $"the release.json of {version} names version {manifest.Version}", ReleasePaths.Manifest, version);
        return manifest;
    }

    /// <summary>The full path of a file of a release, e.g. <c>PathOf("1.0.0", "lib/shop-1.0.0/Shop.dll")</c>.</summary>
    /// <param name="version">The release's version.</param>
    /// <param name="relativeFile">The file, relative to the release folder, with forward slashes.</param>
    /// <exception cref="ReleaseException"><see cref="ReleaseErrorKind.NoSuchRelease"/>, or
    /// <see cref="ReleaseErrorKind.Malformed"/> for a path that is not relative or leaves the folder.</exception>
    public string PathOf(string version, string relativeFile)
    {
        if (Find(version) is null)
            throw new ReleaseException(ReleaseErrorKind.NoSuchRelease, $"no release {version} in {DirectoryPath}", version: version);
        if (ReleasePaths.CheckRelative(relativeFile) is { } why)
            throw new ReleaseException(ReleaseErrorKind.Malformed, $"'{relativeFile}': {why}", relativeFile, version);
        return ReleasePaths.Under(Path.Combine(DirectoryPath, version), relativeFile);
    }

    private async Task UpdateAsync(string version, Func<ImmutableList<ReleaseInfo>, int, ImmutableList<ReleaseInfo>> change, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var releases = _releases;
            var index = releases.FindIndex(r => r.Version == version);
            if (index < 0)
                throw new ReleaseException(ReleaseErrorKind.NoSuchRelease, $"no release {version} in {DirectoryPath}", version: version);
            var updated = change(releases, index);
            WriteAtomically(DirectoryPath, updated);
            _releases = updated;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static ImmutableList<ReleaseInfo> Read(byte[] bytes)
    {
        var document = ReleaseJson.Deserialize<ReleasesDocument>(bytes, ReleasePaths.ReleasesFile, ReleaseErrorKind.CorruptReleasesFile);
        if (document.Releases is null) throw Corrupt("it lists no releases");
        var versions = new HashSet<string>(StringComparer.Ordinal);
        foreach (var release in document.Releases)
        {
            if (release is null || string.IsNullOrWhiteSpace(release.Name)) throw Corrupt("a release has no name");
            if (ReleasePaths.CheckVersion(release.Version) is { } why) throw Corrupt($"release version '{release.Version}': {why}");
            if (!versions.Add(release.Version)) throw Corrupt($"release {release.Version} is listed twice");
            if (release.Status == ReleaseStatus.Current || !Enum.IsDefined(release.Status))
                throw Corrupt($"release {release.Version} has status {release.Status}, which is never persisted");
        }
        if (document.Releases.Count(r => r.Status == ReleaseStatus.Permanent) > 1) throw Corrupt("more than one release is permanent");
        return [.. document.Releases];
    }

    private static ReleaseException Corrupt(string why) =>
        new(ReleaseErrorKind.CorruptReleasesFile, $"{ReleasePaths.ReleasesFile} is corrupt: {why}", ReleasePaths.ReleasesFile);

    /// <summary>Replaces the releases file whole: written and flushed to a temporary file in the same directory, then
    /// moved over it (a rename, atomic for readers); the temporary file never outlives a failure.</summary>
    private static void WriteAtomically(string directory, ImmutableList<ReleaseInfo> releases)
    {
        var bytes = ReleaseJson.Serialize(new ReleasesDocument(releases));
        var temp = Path.Combine(directory, ReleasePaths.TempPrefix + "RELEASES-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, Path.Combine(directory, ReleasePaths.ReleasesFile), overwrite: true);
        }
        catch
        {
            DeleteQuietly(temp);
            throw;
        }
    }

    private void RemoveFolder(string folder)
    {
        var doomed = Path.Combine(DirectoryPath, ReleasePaths.TempPrefix + "remove-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.Move(folder, doomed);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            DeleteQuietly(folder);
            return;
        }
        DeleteQuietly(doomed);
    }

    private static void DeleteQuietly(string path)
    {
        try
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
            else File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next Open, which removes every temporary entry.
        }
    }
}
