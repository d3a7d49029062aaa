using Otp.Net.Applications;
using Otp.Net.Releases;

namespace Otp.Net.Tests.Releases;

/// <summary>
/// Release packages of the shop system, from the separately compiled fixtures: 1.0 runs shop (shop_app, shop_sup, cart,
/// stock) and legacy; 2.0 runs shop (cart changes its state to a record, audit is new, stock is gone, the supervisor
/// changes) and reports instead of legacy.
/// </summary>
internal sealed class ShopReleases : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), $"otp-shop-{Guid.NewGuid():N}");

    public ShopReleases()
    {
        Directory.CreateDirectory(_work);
        ReleasesDirectory = Path.Combine(_work, "releases");
    }

    public string ReleasesDirectory { get; }

    /// <summary>A path for a node's control socket in the work folder (short enough for a Unix socket address).</summary>
    public string ControlSocket => Path.Combine(_work, "run", "otp.sock");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // a load context may still map a file on some platforms; the temp folder is left behind
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    public static string Dll(string project, string assembly)
    {
        var path = Path.Combine(Repository.Root, "tests", "fixtures", project, "bin", Repository.Configuration, "net10.0", assembly + ".dll");
        if (!File.Exists(path)) throw new FileNotFoundException($"fixture not built: {path}");
        return path;
    }

    public static ReleaseManifest V1(object? supArgs = null, IReadOnlyDictionary<string, object?>? shopEnv = null) => new("shop", "1.0")
    {
        Host = HostRequirements.Current(),
        Applications =
        [
            new ApplicationDescriptor("shop", "1.0.0")
            {
                Description = "the shop",
                Mod = "shop_app",
                Args = supArgs,
                Env = shopEnv ?? new Dictionary<string, object?> { ["currency"] = "EUR", ["max_items"] = 10L },
                Modules = [Module("shop_app", "1", "1.0.0"), Module("shop_sup", "1", "1.0.0"), Module("cart", "1", "1.0.0"), Module("stock", "1", "1.0.0")],
            },
            new ApplicationDescriptor("legacy", "1.0.0")
            {
                Mod = "legacy_server",
                Modules = [new ModuleDescriptor("legacy_server", "1", "lib/legacy-1.0.0/Legacy.dll")],
            },
        ],
    };

    public static ReleaseManifest V2(
        object? supArgs = null,
        object? cartExtra = null,
        IReadOnlyDictionary<string, object?>? shopEnv = null,
        IReadOnlyList<AppupInstruction>? extraUp = null) => new("shop", "2.0")
    {
        Host = HostRequirements.Current(),
        Applications =
        [
            new ApplicationDescriptor("shop", "2.0.0")
            {
                Description = "the shop",
                Mod = "shop_app",
                Args = supArgs,
                Env = shopEnv ?? new Dictionary<string, object?> { ["currency"] = "EUR", ["max_items"] = 20L, ["audit"] = true },
                Modules = [Module("shop_app", "2", "2.0.0"), Module("shop_sup", "2", "2.0.0"), Module("cart", "2", "2.0.0"), Module("audit", "1", "2.0.0")],
            },
            new ApplicationDescriptor("reports", "1.0.0")
            {
                Mod = "report_server",
                Type = ApplicationType.Temporary,
                Modules = [new ModuleDescriptor("report_server", "1", "lib/reports-1.0.0/Reports.dll")],
            },
        ],
        Upgrades =
        [
            new RelupEntry("1.0")
            {
                Instructions =
                [
                    new UpdateInstruction("cart") { Mode = UpdateMode.Advanced, Extra = cartExtra },
                    new AddModuleInstruction("audit"),
                    new UpdateSupervisorInstruction("shop_sup"),
                    new DeleteModuleInstruction("stock"),
                    new LoadModuleInstruction("shop_app"),
                    new RemoveApplicationInstruction("legacy"),
                    new AddApplicationInstruction("reports") { Type = ApplicationType.Temporary },
                    .. extraUp ?? [],
                ],
            },
        ],
        Downgrades =
        [
            new RelupEntry("1.0")
            {
                Instructions =
                [
                    new UpdateInstruction("cart") { Mode = UpdateMode.Advanced },
                    new AddModuleInstruction("stock"),
                    new UpdateSupervisorInstruction("shop_sup"),
                    new DeleteModuleInstruction("audit"),
                    new LoadModuleInstruction("shop_app"),
                    new RemoveApplicationInstruction("reports"),
                    new AddApplicationInstruction("legacy"),
                ],
            },
        ],
    };

    private static ModuleDescriptor Module(string name, string vsn, string appVersion) => new(name, vsn, $"lib/shop-{appVersion}/Shop.dll");

    /// <summary>Builds the package of <paramref name="manifest"/> from the fixtures' build output.</summary>
    public async Task<string> PackAsync(ReleaseManifest manifest, ReleaseSigningKey? key = null)
    {
        var source = Path.Combine(_work, "src-" + Guid.NewGuid().ToString("N"));
        foreach (var file in manifest.AllFiles())
        {
            var target = Path.Combine(source, file.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(SourceOf(file), target);
        }
        var package = Path.Combine(_work, $"{manifest.Name}-{manifest.Version}-{Guid.NewGuid():N}.zip");
        await ReleasePackage.CreateAsync(manifest, source, package, key);
        return package;
    }

    private static string SourceOf(string file) => file switch
    {
        "lib/shop-1.0.0/Shop.dll" => Dll("Shop.V1", "Shop"),
        "lib/shop-2.0.0/Shop.dll" => Dll("Shop.V2", "Shop"),
        "lib/legacy-1.0.0/Legacy.dll" => Dll("Legacy.V1", "Legacy"),
        "lib/reports-1.0.0/Reports.dll" => Dll("Reports.V1", "Reports"),
        _ => throw new ArgumentException($"no fixture for {file}", nameof(file)),
    };

    /// <summary>A node over the releases directory with both releases unpacked and 1.0 booted.</summary>
    public async Task<Node> BootV1Async(ReleaseManifest? v1 = null, ReleaseManifest? v2 = null, NodeOptions? options = null)
    {
        var node = new Node((options ?? new NodeOptions()) with { ReleasesDirectory = ReleasesDirectory });
        try
        {
            await node.Releases.UnpackAsync(await PackAsync(v1 ?? V1()));
            await node.Releases.UnpackAsync(await PackAsync(v2 ?? V2()));
            await node.Releases.BootAsync("1.0");
            return node;
        }
        catch
        {
            node.Dispose();
            throw;
        }
    }
}
