using Otp.Net;
using Otp.Net.GenServers;
using Otp.Net.Releases;

// Release 1.0 of the shop: one application, four modules from one assembly (lib/shop-1.0.0/Shop.dll).
ModuleDescriptor[] Modules(string vsn, string dir, params string[] names) => [.. names.Select(n => new ModuleDescriptor(n, vsn, $"lib/{dir}/Shop.dll"))];
var v1 = new ReleaseManifest("shop", "1.0")
{
    Host = HostRequirements.Current(),
    Applications =
    [
        new ApplicationDescriptor("shop", "1.0.0")
        {
            Mod = "shop_app",                                   // [OtpModule("shop_app")] class ShopApp : Application
            Env = new Dictionary<string, object?> { ["max_items"] = 10L },
            Modules = Modules("1", "shop-1.0.0", "shop_app", "shop_sup", "cart", "stock"),
        },
    ],
};

// Release 2.0: cart's state becomes a record (CodeChange), audit is new, stock is gone, the supervisor follows.
AppupInstruction[] Relup(bool up) =>
[
    new UpdateInstruction("cart") { Mode = UpdateMode.Advanced },
    up ? new AddModuleInstruction("audit") : new AddModuleInstruction("stock"),
    new UpdateSupervisorInstruction("shop_sup"),
    up ? new DeleteModuleInstruction("stock") : new DeleteModuleInstruction("audit"),
    new LoadModuleInstruction("shop_app"),
];
var v2 = new ReleaseManifest("shop", "2.0")
{
    Host = HostRequirements.Current(),
    Applications =
    [
        new ApplicationDescriptor("shop", "2.0.0")
        {
            Mod = "shop_app",
            Env = new Dictionary<string, object?> { ["max_items"] = 20L },
            Modules = [.. Modules("2", "shop-2.0.0", "shop_app", "shop_sup", "cart"), new ModuleDescriptor("audit", "1", "lib/shop-2.0.0/Shop.dll")],
        },
    ],
    Upgrades = [new RelupEntry("1.0") { Instructions = Relup(up: true) }],
    Downgrades = [new RelupEntry("1.0") { Instructions = Relup(up: false) }],
};

// One package per release: manifest, assemblies, the SHA-256 of every file (and a signature, given a key).
var work = Directory.CreateTempSubdirectory("shop-").FullName;
foreach (var release in new[] { v1, v2 })
{
    await ReleasePackage.CreateAsync(release, AppContext.BaseDirectory, Path.Combine(work, $"shop-{release.Version}.zip"));
}

await using var node = new Node(new NodeOptions { ReleasesDirectory = Path.Combine(work, "releases") });
await node.Releases.UnpackAsync(Path.Combine(work, "shop-1.0.zip"));
await node.Releases.BootAsync();                        // the only release: booted and made permanent

var cart = ServerRef.Named(node, "cart");
for (var i = 0; i < 3; i++) await GenServer.CallAsync(cart, "add");

// Later, 2.0 ships: unpacking checks every hash (and the signature, when NodeOptions.ReleaseTrust is set).
await node.Releases.UnpackAsync(Path.Combine(work, "shop-2.0.zip"));

// Rehearse: stage 2.0's code, run each affected process's new CodeChange on a copy of its state, dry-run the supervisor.
var rehearsal = await node.Releases.CheckInstallAsync("2.0");
Console.WriteLine($"rehearsal ok: {rehearsal.IsOk}; processes: {string.Join(", ", rehearsal.Processes.Select(p => p.Module))}");
foreach (var sup in rehearsal.Supervisors) Console.WriteLine($"{sup.Module}: + [{string.Join(", ", sup.Added)}] - [{string.Join(", ", sup.Removed)}]");

// Install: suspend, load, CodeChange, resume, children, environment; any failure rolls all of it back.
await node.Releases.InstallAsync("2.0");
Console.WriteLine($"cart {await GenServer.CallAsync(cart, "version")}: {await GenServer.CallAsync(cart, "count")} items");
await node.Releases.MakePermanentAsync("2.0");          // a restart now boots 2.0
Console.WriteLine(string.Join(", ", node.Releases.WhichReleases().Select(r => $"{r.Version} {r.Status}")));

// Downgrade: 2.0's down instructions; the newer CodeChange turns the record back into v1's integer.
await node.Releases.InstallAsync("1.0");
Console.WriteLine($"cart {await GenServer.CallAsync(cart, "version")}: {await GenServer.CallAsync(cart, "count")} items");
Console.WriteLine(string.Join(", ", node.Releases.WhichReleases().Select(r => $"{r.Version} {r.Status}")));
