using System.CommandLine;
using System.IO.Compression;
using System.Text.Json;
using Otp.Net.Tool.Analysis;
using Otp.Net.Tool.Commands;

namespace Otp.Net.Tests.Tool;

/// <summary>
/// A scratch folder for the release tool's tests: release specs over the Diff fixtures (tests/fixtures/Diff*), the
/// packages built from them in process, and the <c>otpnet</c> commands run in process with their output captured.
/// Deleted on dispose.
/// </summary>
internal sealed class ToolScratch : IDisposable
{
    public ToolScratch()
    {
        Root = Directory.CreateTempSubdirectory("otpnet-tool-").FullName;
        Directory.CreateDirectory(Packages);
    }

    public string Root { get; }

    public string Packages => Path.Combine(Root, "packages");

    /// <summary>An assembly of a fixture project (tests/fixtures/PROJECT/bin/CONFIG/net10.0/ASSEMBLY.dll).</summary>
    public static string Fixture(string project, string assembly = "Diff")
    {
        var path = Path.Combine(Repository.Root, "tests", "fixtures", project, "bin", Repository.Configuration, "net10.0", assembly + ".dll");
        if (!File.Exists(path)) throw new FileNotFoundException($"fixture not built: {path}");
        return path;
    }

    /// <summary>Writes a spec of release "diff" <paramref name="version"/>: the "diff" application from
    /// <paramref name="diffAssembly"/>, and the "extras" application from <paramref name="extrasAssembly"/> if given.</summary>
    public string Spec(string version, string diffAssembly, string? extrasAssembly = null, string? project = null)
    {
        var applications = new List<object>
        {
            new Dictionary<string, object?>
            {
                ["name"] = "diff",
                ["version"] = "1.0.0",
                ["mod"] = "diff_app",
                ["env"] = new Dictionary<string, object?> { ["level"] = 1 },
                ["assemblies"] = project is null ? new[] { diffAssembly } : Array.Empty<string>(),
                ["projects"] = project is null ? Array.Empty<string>() : new[] { project },
            },
        };
        if (extrasAssembly is not null)
            applications.Add(new Dictionary<string, object?> { ["name"] = "extras", ["version"] = "1.0.0", ["assemblies"] = new[] { extrasAssembly } });
        var spec = new Dictionary<string, object?>
        {
            ["name"] = "diff",
            ["version"] = version,
            ["applications"] = applications,
            ["contracts"] = extrasAssembly is null ? Array.Empty<string>() : new[] { "Diff.Contracts" },
        };
        var path = Path.Combine(Root, $"otp-release-{version}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(spec));
        return path;
    }

    /// <summary>Builds the package of <paramref name="spec"/> in process (no --from).</summary>
    public async Task<ReleaseBuilder.Result> BuildAsync(string spec, params string[] from) =>
        await ReleaseBuilder.BuildAsync(spec, Packages, null, from, Repository.Configuration, allowDelegates: false, TextWriter.Null, CancellationToken.None);

    /// <summary>Builds release "diff" <paramref name="version"/> from fixture assemblies and returns the package path.</summary>
    public async Task<string> PackageAsync(string version, string diffProject, string? extrasProject = null) =>
        (await BuildAsync(Spec(version, Fixture(diffProject), extrasProject is null ? null : Fixture(extrasProject, "Diff.Extras")))).Package;

    /// <summary>The diff between two packages, through the analysis API.</summary>
    public static async Task<DiffResult> DiffAsync(string old, string @new, bool allowDelegates = false)
    {
        using var before = await ReleaseImage.OpenPackageAsync(old);
        using var after = await ReleaseImage.OpenPackageAsync(@new);
        return ReleaseDiff.Compute(before, after, allowDelegates);
    }

    /// <summary>Runs <c>otpnet ARGS</c> in process: its exit code, standard output and standard error.</summary>
    public static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var release = new Command("release");
        foreach (var command in BuildCommands.Create()) release.Subcommands.Add(command);
        var root = new RootCommand("otpnet") { release };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>A copy of <paramref name="package"/> whose <paramref name="entry"/> has one byte flipped (hashes.json left as it was).</summary>
    public string Tamper(string package, string entry)
    {
        var path = Path.Combine(Root, "tampered-" + Path.GetFileName(package));
        File.Copy(package, path);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        var old = zip.GetEntry(entry)!;
        byte[] bytes;
        using (var input = old.Open())
        using (var buffer = new MemoryStream())
        {
            input.CopyTo(buffer);
            bytes = buffer.ToArray();
        }
        bytes[bytes.Length / 2] ^= 0xFF;
        old.Delete();
        using var output = zip.CreateEntry(entry).Open();
        output.Write(bytes);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
