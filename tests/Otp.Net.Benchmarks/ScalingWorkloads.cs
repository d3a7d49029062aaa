using Microsoft.Extensions.Logging.Abstractions;
using System.Diagnostics;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;
using Otp.Net.Sys;
using Otp.Net.Terms;

namespace Otp.Net.Benchmarks;

/// <summary>
/// Otp.Net-only workloads that show costs grow linearly with the backlog or the number of children: run each at two
/// or three sizes and compare the per-item figures (they should stay flat).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>suspend N</c>: N casts sent to a suspended server (each wakes it; it serves only system messages), then
/// resume and drain. Reports the time to queue (until a system call behind the casts returns) and to drain.</item>
/// <item><c>selective N</c>: one selective receive waiting for a marker while N other messages arrive one at a time,
/// each waking it. Reports the time and how many times the predicate ran per message (1 is the save pointer).</item>
/// <item><c>dyncrash N</c> and <c>sofocrash N</c>: N temporary children of a DynamicSupervisor or a
/// simple_one_for_one supervisor crash at once; time until the supervisor has handled every exit.</item>
/// <item><c>dynstop N</c>: stop a DynamicSupervisor holding N children.</item>
/// </list>
/// </remarks>
internal static class ScalingWorkloads
{
    private static readonly object Incr = Atom.Of("incr");
    private static readonly object Get = Atom.Of("get");
    private static readonly object Done = "done";

    public static async Task<bool> RunAsync(string runtime, string workload, int n)
    {
        switch (workload)
        {
            case "suspend":
                await SuspendAsync(runtime, Math.Max(1, n / 10), measure: false);
                await SuspendAsync(runtime, n, measure: true);
                return true;
            case "selective":
                await SelectiveAsync(runtime, Math.Max(1, n / 10), measure: false);
                await SelectiveAsync(runtime, n, measure: true);
                return true;
            case "dyncrash":
            case "sofocrash":
            case "dynstop":
                await SupervisorAsync(runtime, workload, Math.Max(1, n / 10), measure: false);
                await SupervisorAsync(runtime, workload, n, measure: true);
                return true;
            default:
                return false;
        }
    }

    private sealed class Counter : GenServer<long>
    {
        public override ValueTask<InitResult<long>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(0L);

        public override ValueTask<ServerResult<long>> HandleCastAsync(object request, long state, CancellationToken cancellationToken) => NoReply(state + 1);

        public override ValueTask<ServerResult<long>> HandleCallAsync(object request, From from, long state, CancellationToken cancellationToken) => Reply(state, state);
    }

    private static async Task SuspendAsync(string runtime, int n, bool measure)
    {
        await using var node = Nodes.New();
        var pid = (await GenServer.StartAsync(node, new Counter())).Pid;
        await SysOps.SuspendAsync(pid);
        var t0 = Stopwatch.GetTimestamp();
        for (var i = 0; i < n; i++) GenServer.Cast(pid, Incr);
        // The system call is queued behind every cast: when it returns, the suspended server has looked at each.
        await SysOps.GetStateAsync(pid, TimeSpan.FromMinutes(30));
        var t1 = Stopwatch.GetTimestamp();
        await SysOps.ResumeAsync(pid);
        var count = (long)(await GenServer.CallAsync(pid, Get, TimeSpan.FromMinutes(30)))!;
        var t2 = Stopwatch.GetTimestamp();
        if (count != n) throw new InvalidOperationException($"drained {count} of {n} casts");
        if (!measure) return;
        Report.Result(runtime, "suspend", n, "queue_s", Report.Seconds(t0, t1), "s");
        Report.Result(runtime, "suspend", n, "drain_s", Report.Seconds(t1, t2), "s");
        Report.Result(runtime, "suspend", n, "drain_ns_per_msg", Report.Seconds(t1, t2) * 1e9 / n, "ns");
    }

    private static async Task SelectiveAsync(string runtime, int n, bool measure)
    {
        await using var node = Nodes.New();
        var examined = new SemaphoreSlim(0);
        long tests = 0;
        var newest = -1;
        var got = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
        var receiver = node.Spawn(async ctx =>
        {
            got.SetResult(await ctx.ReceiveAsync(m =>
            {
                tests++;
                if (m is int i && i > newest)
                {
                    newest = i;
                    examined.Release();
                }
                return ReferenceEquals(m, Done);
            }));
        });
        var t0 = Stopwatch.GetTimestamp();
        for (var i = 0; i < n; i++)
        {
            node.Send(receiver, i);
            await examined.WaitAsync();
        }
        node.Send(receiver, Done);
        await got.Task;
        var t1 = Stopwatch.GetTimestamp();
        if (!measure) return;
        Report.Result(runtime, "selective", n, "time_s", Report.Seconds(t0, t1), "s");
        Report.Result(runtime, "selective", n, "tests_per_msg", tests / (double)(n + 1), "tests");
    }

    private static async Task SupervisorAsync(string runtime, string workload, int n, bool measure)
    {
        await using var node = Nodes.New();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Func<Node, Task<StartResult>> start = node =>
        {
            var pid = node.Spawn(async ctx =>
            {
                await go.Task.ConfigureAwait(false);
                throw new InvalidOperationException("crash");
            }, new SpawnOptions { Link = true });
            return Task.FromResult(StartResult.Ok(pid));
        };
        Pid sup;
        if (workload == "sofocrash")
        {
            var template = ChildSpec.Template(Atom.Of("child"), (node, _) => start(node)) with { Restart = RestartType.Temporary };
            sup = (await Supervisor.StartLinkAsync(node, new SupervisorFlags { Strategy = Strategy.SimpleOneForOne }, [template])).Pid;
            for (var i = 0; i < n; i++) await Supervisor.StartChildAsync(sup, Array.Empty<object?>());
        }
        else
        {
            sup = (await DynamicSupervisor.StartLinkAsync(node)).Pid;
            var spec = new ChildSpec(Atom.Of("child"), start) { Restart = RestartType.Temporary, Shutdown = Shutdown.Timeout(5000) };
            for (var i = 0; i < n; i++) await DynamicSupervisor.StartChildAsync(sup, spec);
        }
        var t0 = Stopwatch.GetTimestamp();
        if (workload == "dynstop")
        {
            await GenServer.StopAsync(sup, timeout: TimeSpan.FromMinutes(30));
        }
        else
        {
            go.SetResult();
            // Each call waits behind the exits already queued; done when no child record is left.
            while ((await Supervisor.CountChildrenAsync(sup, TimeSpan.FromMinutes(30))).Workers > 0)
            {
            }
        }
        var t1 = Stopwatch.GetTimestamp();
        if (!measure) return;
        Report.Result(runtime, workload, n, "time_s", Report.Seconds(t0, t1), "s");
        Report.Result(runtime, workload, n, "us_per_child", Report.Seconds(t0, t1) * 1e6 / n, "us");
    }
}
