using System.IO.Compression;
using System.Security.Cryptography;
using Otp.Net.Releases;

namespace Otp.Net.Tool.Analysis;

/// <summary>
/// A release to compare: its manifest and a folder holding its files (a verified package extracted to a temporary
/// folder, or the folder a build stages). Opens each module assembly once, as metadata.
/// </summary>
internal sealed class ReleaseImage : IDisposable
{
    private readonly Dictionary<string, AssemblyImage> _assemblies = new(StringComparer.Ordinal);
    private readonly string? _ownedDirectory;

    public ReleaseImage(ReleaseManifest manifest, string directory, string source, bool signed = false, string? ownedDirectory = null)
    {
        Manifest = manifest;
        Directory = directory;
        Source = source;
        IsSigned = signed;
        _ownedDirectory = ownedDirectory;
    }

    public ReleaseManifest Manifest { get; }

    /// <summary>The folder the manifest's files are under.</summary>
    public string Directory { get; }

    /// <summary>Where the release came from (a package path), for messages.</summary>
    public string Source { get; }

    /// <summary>Whether the package carries a signature.</summary>
    public bool IsSigned { get; }

    /// <summary>
    /// Verifies the package at <paramref name="path"/> (structure, hashes; the signature is not checked: this is the
    /// builder's side), then extracts the files its manifest names to a temporary folder, checking each against
    /// <c>hashes.json</c> again as it is written. The folder is deleted on dispose.
    /// </summary>
    /// <exception cref="ToolException">No such file, or the package is refused (the message says why).</exception>
    public static async Task<ReleaseImage> OpenPackageAsync(string path, CancellationToken ct = default)
    {
        if (!File.Exists(path)) throw new ToolException($"no release package at {path}");
        ReleaseManifest manifest;
        try
        {
            manifest = await ReleasePackage.VerifyAsync(path, trust: null, ct).ConfigureAwait(false);
        }
        catch (ReleaseException e)
        {
            throw new ToolException($"{path} is not a valid release package ({e.Kind}): {e.Message}", e);
        }
        var directory = System.IO.Directory.CreateTempSubdirectory("otpnet-release-").FullName;
        try
        {
            var signed = await ExtractAsync(path, manifest, directory, ct).ConfigureAwait(false);
            return new ReleaseImage(manifest, directory, path, signed, directory);
        }
        catch
        {
            System.IO.Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    private static async Task<bool> ExtractAsync(string path, ReleaseManifest manifest, string directory, CancellationToken ct)
    {
        using var zip = ZipFile.OpenRead(path);
        var hashesEntry = zip.GetEntry("hashes.json") ?? throw new ToolException($"{path} has no hashes.json");
        Dictionary<string, string> hashes;
        await using (var stream = hashesEntry.Open())
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, ct).ConfigureAwait(false);
            hashes = ReleaseJson.Deserialize<Dictionary<string, string>>(buffer.ToArray(), "hashes.json");
        }
        foreach (var file in manifest.AllFiles())
        {
            var entry = zip.GetEntry(file) ?? throw new ToolException($"{path} does not hold {file}");
            var target = Path.GetFullPath(Path.Combine(directory, file));
            if (!target.StartsWith(Path.GetFullPath(directory) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new ToolException($"{path}: {file} escapes the release folder");
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await using (var input = entry.Open())
            await using (var output = File.Create(target))
            {
                await input.CopyToAsync(output, ct).ConfigureAwait(false);
            }
            var actual = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(target, ct).ConfigureAwait(false)));
            if (!hashes.TryGetValue(file, out var expected) || expected != actual)
                throw new ToolException($"{path}: {file} does not match its hash (the package changed while it was read)");
        }
        return zip.GetEntry("signature.json") is not null;
    }

    /// <summary>The module assembly at <paramref name="file"/> (a manifest path).</summary>
    public AssemblyImage Assembly(string file)
    {
        if (!_assemblies.TryGetValue(file, out var image))
        {
            image = AssemblyImage.Open(Path.Combine(Directory, file));
            _assemblies[file] = image;
        }
        return image;
    }

    /// <summary>Every module of the release: its application, descriptor, assembly and class.</summary>
    /// <exception cref="ToolException">The manifest names a module its assembly does not have.</exception>
    public IReadOnlyList<ReleaseModule> Modules() =>
    [
        .. Manifest.Applications.SelectMany(app => app.Modules.Select(m =>
        {
            var image = Assembly(m.File);
            var info = image.Module(m.Name) ?? throw new ToolException($"{Source}: release.json names module '{m.Name}' in {m.File}, which has no [OtpModule(\"{m.Name}\")] class");
            return new ReleaseModule(app, m, image, info);
        })),
    ];

    public void Dispose()
    {
        foreach (var image in _assemblies.Values) image.Dispose();
        _assemblies.Clear();
        if (_ownedDirectory is not null && System.IO.Directory.Exists(_ownedDirectory)) System.IO.Directory.Delete(_ownedDirectory, recursive: true);
    }
}
