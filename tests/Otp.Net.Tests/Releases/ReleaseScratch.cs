using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Otp.Net.Releases;
using Otp.Net.Tests.Code;

namespace Otp.Net.Tests.Releases;

/// <summary>
/// A scratch folder for release tests: a source folder laid out as a release (the Counter fixtures as module files),
/// a folder for packages and a releases directory; deleted on dispose.
/// </summary>
internal sealed class ReleaseScratch : IDisposable
{
    public ReleaseScratch()
    {
        Root = Path.Combine(Path.GetTempPath(), "otp-releases-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Source);
        Directory.CreateDirectory(Packages);
        Put("lib/counter-1.0.0/Counter.dll", File.ReadAllBytes(Fixtures.Counter(1)));
        Put("lib/counter-1.0.0/Counter.Helpers.dll", File.ReadAllBytes(Fixtures.Counter(2)));
        Put("lib/kv-0.1.0/Kv.dll", File.ReadAllBytes(Fixtures.Kv(1)));
    }

    public string Root { get; }

    public string Source => Path.Combine(Root, "src");

    public string Packages => Path.Combine(Root, "packages");

    public string ReleasesDir => Path.Combine(Root, "releases");

    public void Put(string relative, byte[] bytes)
    {
        var path = Path.Combine(Source, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>A release of two applications with typed env values, buildable from <see cref="Source"/>.</summary>
    public static ReleaseManifest Manifest(string version = "1.0.0") => new("shop", version)
    {
        Host = HostRequirements.Current(typeof(Microsoft.Extensions.Logging.ILogger).Assembly),
        Applications =
        [
            new ApplicationDescriptor("counter", "1.0.0")
            {
                Description = "counts",
                Modules = [new ModuleDescriptor("Counter", "1.0.0", "lib/counter-1.0.0/Counter.dll")],
                Files = ["lib/counter-1.0.0/Counter.Helpers.dll"],
                Applications = ["kv"],
                Mod = "Counter",
                Args = new Dictionary<string, object?> { ["start"] = 5L },
                Env = new Dictionary<string, object?>
                {
                    ["port"] = 8080L,
                    ["ratio"] = 0.25,
                    ["name"] = "main",
                    ["enabled"] = true,
                    ["none"] = null,
                    ["peers"] = new List<object?> { "a", 2L, false },
                    ["limits"] = new Dictionary<string, object?> { ["max"] = 10L, ["soft"] = 2.5 },
                },
                Type = Otp.Net.Applications.ApplicationType.Transient,
            },
            new ApplicationDescriptor("kv", "0.1.0")
            {
                Modules = [new ModuleDescriptor("Kv", "0.1.0", "lib/kv-0.1.0/Kv.dll")],
            },
        ],
    };

    /// <summary>Builds the package of <paramref name="manifest"/> (or <see cref="Manifest"/>) from <see cref="Source"/>.</summary>
    public async Task<string> PackageAsync(ReleaseManifest? manifest = null, ReleaseSigningKey? key = null, string? name = null)
    {
        manifest ??= Manifest();
        var path = Path.Combine(Packages, name ?? $"{manifest.Name}-{manifest.Version}.zip");
        await ReleasePackage.CreateAsync(manifest, Source, path, key);
        return path;
    }

    /// <summary>
    /// Copies a package entry by entry, letting <paramref name="change"/> replace an entry's bytes or drop it (null),
    /// then appends <paramref name="extra"/> entries (names taken literally, duplicates allowed).
    /// </summary>
    public string Rewrite(string package, Func<string, byte[], byte[]?> change, params (string Name, byte[] Bytes)[] extra)
    {
        var path = Path.Combine(Packages, "rewritten-" + Guid.NewGuid().ToString("N") + ".zip");
        using (var source = ZipFile.OpenRead(package))
        using (var target = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            foreach (var entry in source.Entries)
            {
                using var buffer = new MemoryStream();
                using (var input = entry.Open()) input.CopyTo(buffer);
                if (change(entry.FullName, buffer.ToArray()) is not { } bytes) continue;
                Add(target, entry.FullName, bytes);
            }
            foreach (var (name, bytes) in extra) Add(target, name, bytes);
        }
        return path;
    }

    /// <summary>A package whose <paramref name="file"/> is replaced by <paramref name="bytes"/> and whose hashes.json is
    /// recomputed to match (the signature, if any, is kept as it was).</summary>
    public string RewriteWithHashes(string package, string file, byte[] bytes)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        return Rewrite(package, (name, old) => name switch
        {
            _ when name == file => bytes,
            "hashes.json" => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(
                JsonSerializer.Deserialize<SortedDictionary<string, string>>(old)!.ToDictionary(h => h.Key, h => h.Key == file ? hash : h.Value))),
            _ => old,
        });
    }

    public static byte[] Flip(byte[] bytes, int at = 100)
    {
        var copy = (byte[])bytes.Clone();
        copy[at] ^= 0x01;
        return copy;
    }

    /// <summary>Everything under the releases directory (relative paths with sizes) and the bytes of RELEASES.json.</summary>
    public string Snapshot()
    {
        if (!Directory.Exists(ReleasesDir)) return "<none>";
        var sb = new StringBuilder();
        foreach (var entry in Directory.EnumerateFileSystemEntries(ReleasesDir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            sb.Append(Path.GetRelativePath(ReleasesDir, entry));
            if (File.Exists(entry)) sb.Append(' ').Append(new FileInfo(entry).Length).Append(' ').Append(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(entry))));
            sb.Append('\n');
        }
        var file = Path.Combine(ReleasesDir, "RELEASES.json");
        if (File.Exists(file)) sb.Append(Encoding.UTF8.GetString(File.ReadAllBytes(file)));
        return sb.ToString();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void Add(ZipArchive zip, string name, byte[] bytes)
    {
        using var output = zip.CreateEntry(name).Open();
        output.Write(bytes);
    }
}
