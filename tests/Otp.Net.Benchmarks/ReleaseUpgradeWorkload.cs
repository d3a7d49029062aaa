using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Releases;
using Otp.Net.Sys;

namespace Otp.Net.Benchmarks;

/// <summary>
/// W7 through the release handler: <c>upgrade_release K C [rolling]</c>. The same servers and clients as
/// <see cref="UpgradeWorkload"/>, upgraded by installing release 2 over release 1 (an advanced update of
/// <c>upgrade_server</c>), all at once (OTP's relup) or in rolling batches (of 1,000 unless a fifth argument says).
/// Metrics: the install's wall time, its suspend-to-resume phase, and the clients' longest call, failures and the
/// verified states. The clients stop before the old version's unload is waited for: the collections that unloading
/// forces stop every thread (0.3–0.5 s with 100,000 processes), and are measured apart (<c>unload_ms</c>).
/// </summary>
internal static class ReleaseUpgradeWorkload
{
    private static string Module(string v) => Path.Combine(AppContext.BaseDirectory, "modules", v, "UpgradeServer.dll");

    public static async Task RunAsync(string runtime, int k, int clients, bool rolling, int batch = 1000)
    {
        await RoundAsync(runtime, Math.Max(10, k / 10), clients, rolling, batch, measure: false);
        await RoundAsync(runtime, k, clients, rolling, batch, measure: true);
    }

    private static ReleaseManifest Release(string version, string moduleVsn) => new("w7", version)
    {
        Host = HostRequirements.Current(),
        Applications =
        [
            new ApplicationDescriptor("w7", version) { Modules = [new ModuleDescriptor("upgrade_server", moduleVsn, $"lib/w7-{version}/UpgradeServer.dll")] },
        ],
        Upgrades = version == "2" ? [new RelupEntry("1") { Instructions = [new UpdateInstruction("upgrade_server")] }] : [],
        Downgrades = version == "2" ? [new RelupEntry("1") { Instructions = [new UpdateInstruction("upgrade_server")] }] : [],
    };

    private static async Task<string> PackAsync(string work, ReleaseManifest manifest, string dll)
    {
        var source = Path.Combine(work, "src-" + manifest.Version);
        var file = Path.Combine(source, "lib", $"w7-{manifest.Version}", "UpgradeServer.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.Copy(dll, file);
        var package = Path.Combine(work, $"w7-{manifest.Version}.zip");
        await ReleasePackage.CreateAsync(manifest, source, package);
        return package;
    }

    private static async Task RoundAsync(string runtime, int k, int clientCount, bool rolling, int batch, bool measure)
    {
        var work = Path.Combine(Path.GetTempPath(), $"otp-w7-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            await using var node = Nodes.New(o => o with { ReleasesDirectory = Path.Combine(work, "releases") });
            await node.Releases.UnpackAsync(await PackAsync(work, Release("1", "1"), Module("v1")));
            await node.Releases.UnpackAsync(await PackAsync(work, Release("2", "2"), Module("v2")));
            await node.Releases.BootAsync("1");
            var servers = new Pid[k];
            for (var i = 0; i < k; i++) servers[i] = (await node.Code.StartGenServerAsync("upgrade_server")).Pid;

            var clients = new UpgradeClients(servers, clientCount);
            await clients.StartAsync();

            var options = new InstallOptions { Mode = rolling ? InstallMode.Rolling : InstallMode.AllAtOnce, BatchSize = batch };
            var wall = Stopwatch.StartNew();
            var result = await node.Releases.InstallAsync("2", options);
            wall.Stop();
            await clients.StopAsync();
            var purge = Stopwatch.StartNew();
            var purged = await node.Code.WaitForUnloadAsync("upgrade_server", TimeSpan.FromSeconds(60)) && !node.Code.HasOldCode("upgrade_server");
            purge.Stop();

            var verified = purged && await clients.VerifyAsync(servers);
            if (!measure) return;
            foreach (var entry in result.Journal) Console.Error.WriteLine($"INFO {entry}");

            var workload = clientCount > 0 ? "upgrade_release_clients" : "upgrade_release";
            if (rolling) workload += "_rolling";
            var phase = result.Journal.Where(j => j.Step is SuspendStep or LoadStep or CodeChangeStep or ResumeStep or RollingUpdateStep).Sum(j => j.Elapsed.TotalMilliseconds);
            void R(string metric, double value, string unit) => Report.Result(runtime, workload, k, metric, value, unit);
            R("total_ms", wall.Elapsed.TotalMilliseconds, "ms");
            R("ms_per_1000", wall.Elapsed.TotalMilliseconds / (k / 1000.0), "ms");
            R("suspend_to_resume_ms", phase, "ms");
            R("unload_ms", purge.Elapsed.TotalMilliseconds, "ms");
            R("verified", verified ? 1 : 0, "bool");
            if (clientCount > 0)
            {
                R("client_calls_ok", clients.Ok, "count");
                R("client_calls_failed", clients.Failed, "count");
                R("client_max_call_ms", clients.MaxCallMs, "ms");
            }
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
