using Octochat.Contracts;
using Otp.Net.Releases;

namespace Octochat;

/// <summary>
/// The octochat releases 0.3.2 and 0.3.3, as the original demo's relup has them: 0.3.3 updates the echo server
/// (suspend, load, code change, resume) and 0.3.3's downgrade section goes back the same way.
/// </summary>
public static class OctochatReleases
{
    public static readonly string[] Versions = ["0.3.2", "0.3.3"];

    /// <summary>The manifest of release <paramref name="version"/>, listening on <paramref name="port"/>.</summary>
    public static ReleaseManifest Manifest(string version, int port)
    {
        var file = $"lib/octochat-{version}/Octochat.dll";
        AppupInstruction[] echo = [new UpdateInstruction("octochat_echo") { Mode = UpdateMode.Soft }];
        return new ReleaseManifest("octochat", version)
        {
            // Otp.Net and the contracts assembly come from the host: a release built for another one is refused.
            Host = HostRequirements.Current(typeof(LineSocket).Assembly),
            Applications =
            [
                new ApplicationDescriptor("octochat", version)
                {
                    Description = "Demo Application for Hot Swapping Code",
                    Mod = "octochat_app",
                    Env = new Dictionary<string, object?> { ["port"] = (long)port },
                    Modules =
                    [
                        new ModuleDescriptor("octochat_app", "1", file),
                        new ModuleDescriptor("octochat_sup", "1", file),
                        new ModuleDescriptor("octochat_server_sup", "1", file),
                        new ModuleDescriptor("octochat_acceptor", "1", file),
                        new ModuleDescriptor("octochat_echo", version, file),
                    ],
                },
            ],
            Upgrades = version == "0.3.3" ? [new RelupEntry("0.3.2") { Instructions = echo }] : [],
            Downgrades = version == "0.3.3" ? [new RelupEntry("0.3.2") { Instructions = echo }] : [],
        };
    }

    /// <summary>
    /// A faulty release 0.3.4 over 0.3.2: its <c>CodeChange</c> throws for the connection from
    /// <paramref name="failingClientPort"/>; the rehearsal names it, and a forced install rolls back.
    /// </summary>
    public static ReleaseManifest Faulty(int port, int failingClientPort)
    {
        var manifest = Manifest("0.3.4", port);
        return manifest with
        {
            Upgrades = [new RelupEntry("0.3.2") { Instructions = [new UpdateInstruction("octochat_echo") { Mode = UpdateMode.Advanced, Extra = (long)failingClientPort }] }],
        };
    }

    /// <summary>Builds both release packages from the assemblies under <paramref name="buildDirectory"/>/lib into <paramref name="outputDirectory"/>.</summary>
    public static async Task<IReadOnlyList<string>> PackAsync(string buildDirectory, string outputDirectory, int port)
    {
        Directory.CreateDirectory(outputDirectory);
        var packages = new List<string>();
        foreach (var version in Versions)
        {
            var package = Path.Combine(outputDirectory, $"octochat-{version}.zip");
            await ReleasePackage.CreateAsync(Manifest(version, port), buildDirectory, package);
            packages.Add(package);
        }
        return packages;
    }
}
