using Microsoft.Extensions.Logging.Abstractions;
using System.Diagnostics;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Sys;

namespace Otp.Net.Benchmarks;

/// <summary>W7 upgrade K C: hot upgrade of K running servers, optionally under C clients (WORKLOADS.md §2).</summary>
internal static class UpgradeWorkload
{
    private static string Module(string v) => Path.Combine(AppContext.BaseDirectory, "modules", v, "UpgradeServer.dll");

    public static async Task RunAsync(string runtime, int k, int clients)
    {
        await RoundAsync(runtime, Math.Max(10, k / 10), clients, measure: false);
        await RoundAsync(runtime, k, clients, measure: true);
    }

    private static async Task RoundAsync(string runtime, int k, int clientCount, bool measure)
    {
        await using var node = Nodes.New();
        await node.Code.LoadAsync(Module("v1"));
        var servers = new Pid[k];
        for (var i = 0; i < k; i++) servers[i] = (await node.Code.StartGenServerAsync("upgrade_server")).Pid;

        var clients = new UpgradeClients(servers, clientCount);
        await clients.StartAsync();

        var report = await node.Code.UpgradeAsync("upgrade_server", Module("v2"), extra: null, purge: false);
        var purge = Stopwatch.StartNew();
        var purged = await node.Code.SoftPurgeAsync("upgrade_server") && await node.Code.WaitForUnloadAsync("upgrade_server", TimeSpan.FromSeconds(60));
        purge.Stop();

        await clients.StopAsync();

        var verified = purged && await clients.VerifyAsync(servers);
        if (!measure) return;

        var workload = clientCount > 0 ? "upgrade_clients" : "upgrade";
        var totalMs = (report.Suspend + report.Load + report.ChangeCode + report.Resume).TotalMilliseconds + purge.Elapsed.TotalMilliseconds;
        void R(string metric, double value, string unit) => Report.Result(runtime, workload, k, metric, value, unit);
        R("total_ms", totalMs, "ms");
        R("ms_per_1000", totalMs / (k / 1000.0), "ms");
        R("suspend_ms", report.Suspend.TotalMilliseconds, "ms");
        R("load_ms", report.Load.TotalMilliseconds, "ms");
        R("change_code_ms", report.ChangeCode.TotalMilliseconds, "ms");
        R("resume_ms", report.Resume.TotalMilliseconds, "ms");
        R("purge_ms", purge.Elapsed.TotalMilliseconds, "ms");
        R("verified", verified ? 1 : 0, "bool");
        if (clientCount > 0)
        {
            R("client_calls_ok", clients.Ok, "count");
            R("client_calls_failed", clients.Failed, "count");
            R("client_max_call_ms", clients.MaxCallMs, "ms");
        }
    }
}
