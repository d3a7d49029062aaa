using Octochat.Contracts;
using Otp.Net.Releases;

namespace Octochat;

/// <summary>
/// The octochat releases, as the original demo's versions have them:
/// <list type="bullet">
/// <item>0.2.1: a task supervisor (<c>octochat_task_sup</c>) of bare echo loops, one per connection;</item>
/// <item>0.3.0: the task supervisor replaced by a <c>simple_one_for_one</c> supervisor of echo GenServers
/// (<c>octochat_server_sup</c>): its relup adds the new supervisor's module, loads the echo module (a bare process
/// cannot be changed in place: the old loops end with their supervisor), updates the top supervisor (the new child is
/// started, the task supervisor and its connections stopped) and deletes the task supervisor's module;</item>
/// <item>0.3.2 reverses each line, 0.3.3 also ends it with a new line: each updates the echo server (suspend, load, move
/// the state, resume), both ways.</item>
/// </list>
/// The application and the acceptor (version 1) are the same in every release.
/// </summary>
public static class OctochatReleases
{
    public static readonly string[] Versions = ["0.2.1", "0.3.0", "0.3.2", "0.3.3"];

    /// <summary>The manifest of release <paramref name="version"/>, listening on <paramref name="port"/>.</summary>
    public static ReleaseManifest Manifest(string version, int port)
    {
        var file = $"lib/octochat-{version}/Octochat.dll";
        ModuleDescriptor[] modules = version == "0.2.1"
            ?
            [
                new ModuleDescriptor("octochat_app", "1", file),
                new ModuleDescriptor("octochat_sup", "0.2.1", file),
                new ModuleDescriptor("octochat_task_sup", "0.2.1", file),
                new ModuleDescriptor("octochat_acceptor", "1", file),
                new ModuleDescriptor("octochat_echo", "0.2.1", file),
            ]
            :
            [
                new ModuleDescriptor("octochat_app", "1", file),
                new ModuleDescriptor("octochat_sup", "1", file),
                new ModuleDescriptor("octochat_server_sup", "1", file),
                new ModuleDescriptor("octochat_acceptor", "1", file),
                new ModuleDescriptor("octochat_echo", version, file),
            ];
        // The echo server's update between GenServer versions: its state (the socket) moves as it is.
        AppupInstruction[] echo = [new UpdateInstruction("octochat_echo") { Mode = UpdateMode.Soft }];
        RelupEntry[] upgrades = [], downgrades = [];
        switch (version)
        {
            case "0.3.0":
                upgrades = [new RelupEntry("0.2.1") { Instructions = TreeChange(up: true) }];
                downgrades = [new RelupEntry("0.2.1") { Instructions = TreeChange(up: false) }];
                break;
            case "0.3.2":
                upgrades = [new RelupEntry("0.3.0") { Instructions = echo }];
                downgrades = [new RelupEntry("0.3.0") { Instructions = echo }];
                break;
            case "0.3.3":
                upgrades = [new RelupEntry("0.3.2") { Instructions = echo }];
                downgrades = [new RelupEntry("0.3.2") { Instructions = echo }];
                break;
        }
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
                    Modules = modules,
                },
            ],
            Upgrades = upgrades,
            Downgrades = downgrades,
        };
    }

    /// <summary>
    /// 0.3.0's relup entry for 0.2.1, up or down, in the order a generator emits it: the added module, the changed
    /// ones, the supervisor, the deleted module. <c>octochat_echo</c> changes kind (a bare process in 0.2.1, a GenServer
    /// in 0.3.0): nothing can change a bare process in place, so it is a <c>load_module</c>, and the processes of the
    /// version left end with the supervisor the update stops (<c>SupervisorChildrenMode.Reconcile</c>). Compiled (R8,
    /// R9): load_object_code, point_of_no_return, load the added supervisor and the echo module, suspend, load,
    /// code_change and resume <c>octochat_sup</c>, its children (the removed id stopped and deleted, the new id started
    /// in its place, before the acceptor), then the deleted module made old, purged once the install succeeded.
    /// </summary>
    public static AppupInstruction[] TreeChange(bool up) =>
    [
        new AddModuleInstruction(up ? "octochat_server_sup" : "octochat_task_sup"),
        new LoadModuleInstruction("octochat_echo"),
        new UpdateSupervisorInstruction("octochat_sup"),
        new DeleteModuleInstruction(up ? "octochat_task_sup" : "octochat_server_sup"),
    ];

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

    /// <summary>Builds every release's package from the assemblies under <paramref name="buildDirectory"/>/lib into <paramref name="outputDirectory"/>.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> PackAsync(string buildDirectory, string outputDirectory, int port)
    {
        Directory.CreateDirectory(outputDirectory);
        var packages = new Dictionary<string, string>();
        foreach (var version in Versions)
        {
            var package = Path.Combine(outputDirectory, $"octochat-{version}.zip");
            await ReleasePackage.CreateAsync(Manifest(version, port), buildDirectory, package);
            packages.Add(version, package);
        }
        return packages;
    }
}
