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
        await using var node = new Node(new NodeOptions { LoggerFactory = NullLoggerFactory.Instance }); // the contract runs with logging off
        await node.Code.LoadAsync(Module("v1"));
        var servers = new Pid[k];
        for (var i = 0; i < k; i++) servers[i] = (await node.Code.StartGenServerAsync("upgrade_server")).Pid;

        using var stop = new CancellationTokenSource();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ok = new long[clientCount];
        var failed = new long[clientCount];
        var maxTicks = new long[clientCount];
        var clients = Enumerable.Range(0, clientCount).Select(c => Task.Run(async () =>
        {
            var rnd = new Random(c);
            await release.Task;
            while (!stop.IsCancellationRequested)
            {
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    await GenServer.CallAsync(servers[rnd.Next(k)], "incr");
                    ok[c]++;
                }
                catch (Exception)
                {
                    failed[c]++;
                }
                maxTicks[c] = Math.Max(maxTicks[c], Stopwatch.GetTimestamp() - t0);
            }
        })).ToArray();
        if (clientCount > 0)
        {
            release.SetResult();
            await Task.Delay(200);
        }

        var report = await node.Code.UpgradeAsync("upgrade_server", Module("v2"), extra: null, purge: false);
        var purge = Stopwatch.StartNew();
        var purged = await node.Code.SoftPurgeAsync("upgrade_server") && await node.Code.WaitForUnloadAsync("upgrade_server", TimeSpan.FromSeconds(60));
        purge.Stop();

        if (clientCount > 0)
        {
            await Task.Delay(200);
            stop.Cancel();
            await Task.WhenAll(clients);
        }

        long sum = 0;
        var verified = purged;
        foreach (var s in servers)
        {
            var state = await SysOps.GetStateAsync(s);
            var count = state?.GetType().GetProperty("Count")?.GetValue(state);
            var upgraded = state?.GetType().GetProperty("Upgraded")?.GetValue(state);
            if (count is not int n || upgraded is not true) verified = false;
            else sum += n;
        }
        var totalOk = ok.Sum();
        if (sum != totalOk) verified = false;
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
            R("client_calls_ok", totalOk, "count");
            R("client_calls_failed", failed.Sum(), "count");
            R("client_max_call_ms", maxTicks.Max() * 1000.0 / Stopwatch.Frequency, "ms");
        }
    }
}
