using Microsoft.Extensions.Logging.Abstractions;
using System.Diagnostics;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;
using Otp.Net.Terms;

namespace Otp.Net.Benchmarks;

/// <summary>W4 pairs, W5 call and W6 restart on Otp.Net.</summary>
internal static class OtpNetWorkloads
{
    private static readonly object Ping = Atom.Of("ping");
    private static readonly object Pong = Atom.Of("pong");
    private static readonly object Go = Atom.Of("start");

    // W4
    public static async Task PairsAsync(string runtime, int pairs, long messages)
    {
        var r = (int)(messages / (2L * pairs));
        await using var node = Nodes.New();
        await PairsRoundAsync(node, pairs, Math.Max(1, r / 10));
        var seconds = await PairsRoundAsync(node, pairs, r);
        Report.Result(runtime, "pairs", pairs, "rate", 2.0 * r * pairs / seconds, "msgs/s");
    }

    private static async Task<double> PairsRoundAsync(Node node, int pairs, int roundTrips)
    {
        var remaining = pairs;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pings = new Pid[pairs];
        for (var i = 0; i < pairs; i++)
        {
            var pong = node.Spawn(async ctx =>
            {
                while (true) ctx.Send((Pid)await ctx.ReceiveAsync(), Pong);
            });
            pings[i] = node.Spawn(async ctx =>
            {
                await ctx.ReceiveAsync();
                object self = ctx.Self;
                for (var n = 0; n < roundTrips; n++)
                {
                    ctx.Send(pong, self);
                    await ctx.ReceiveAsync();
                }
                if (Interlocked.Decrement(ref remaining) == 0) done.SetResult();
            });
        }
        var t0 = Stopwatch.GetTimestamp();
        foreach (var p in pings) node.Send(p, Go);
        await done.Task;
        return Report.Seconds(t0, Stopwatch.GetTimestamp());
    }

    private sealed class ConstantServer : GenServer<int>
    {
        public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(0);

        public override ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken) => Reply(Pong, state);
    }

    // W5
    public static async Task CallAsync(string runtime, int clients, int calls)
    {
        await using var node = Nodes.New();
        await Measure.CallAsync(runtime, clients, calls, () =>
        {
            var server = GenServer.StartAsync(node, new ConstantServer()).GetAwaiter().GetResult().Pid;
            return () => GenServer.CallAsync(server, Ping);
        });
    }

    /// <summary>
    /// Bytes allocated per call round trip between two processes in steady state: a client process calls a server
    /// <paramref name="calls"/> times after a warm-up, and the program's allocated bytes are read around the loop.
    /// </summary>
    public static async Task CallBytesAsync(string runtime, int calls)
    {
        await using var node = Nodes.New();
        var server = (await GenServer.StartAsync(node, new ConstantServer())).Pid;
        var result = new TaskCompletionSource<(long Bytes, double Seconds)>(TaskCreationOptions.RunContinuationsAsynchronously);
        node.Spawn(async ctx =>
        {
            for (var i = 0; i < Math.Max(1000, calls / 10); i++) await GenServer.CallAsync(server, Ping);
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var t0 = Stopwatch.GetTimestamp();
            for (var i = 0; i < calls; i++) await GenServer.CallAsync(server, Ping);
            var t1 = Stopwatch.GetTimestamp();
            result.SetResult((GC.GetTotalAllocatedBytes(precise: true) - before, Report.Seconds(t0, t1)));
        });
        var (bytes, seconds) = await result.Task;
        Report.Result(runtime, "callbytes", calls, "bytes_per_call", bytes / (double)calls, "B");
        Report.Result(runtime, "callbytes", calls, "rate", calls / seconds, "calls/s");
    }

    /// <summary>Answers every call and notes, in <see cref="Seen"/>, when the callback started.</summary>
    private sealed class StampingServer : GenServer<int>
    {
        public long Seen;

        public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(0);

        public override ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken)
        {
            Volatile.Write(ref Seen, Stopwatch.GetTimestamp());
            return Reply(Pong, state);
        }
    }

    /// <summary>
    /// Where a call's time goes (W5, one client): from the call until the server's callback starts (send, wake-up,
    /// dispatch), then until the caller has the reply (the callback, the reply, the caller's wake-up). Measured from a
    /// client process and from code outside any process (the contract's W5 client).
    /// </summary>
    public static async Task CallPhasesAsync(string runtime, int calls)
    {
        await using var node = Nodes.New();
        var module = new StampingServer();
        var server = (await GenServer.StartAsync(node, module)).Pid;
        async Task<(double Request, double Reply)> Loop()
        {
            double request = 0, reply = 0;
            for (var i = 0; i < Math.Max(1000, calls / 10); i++) await GenServer.CallAsync(server, Ping);
            for (var i = 0; i < calls; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                await GenServer.CallAsync(server, Ping);
                var t2 = Stopwatch.GetTimestamp();
                var t1 = Volatile.Read(ref module.Seen);
                request += Stats.TicksToMicros(t1 - t0);
                reply += Stats.TicksToMicros(t2 - t1);
            }
            return (request / calls, reply / calls);
        }
        // Each side twice, the first round a warm-up, so that neither is measured while the other's code is still
        // being compiled.
        (double Request, double Reply) inProcess = default, outside = default;
        for (var round = 0; round < 2; round++)
        {
            var done = new TaskCompletionSource<(double Request, double Reply)>(TaskCreationOptions.RunContinuationsAsynchronously);
            node.Spawn(async _ => done.SetResult(await Loop()));
            inProcess = await done.Task;
            outside = await Task.Run(Loop);
        }
        Report.Result(runtime, "callphases", calls, "process_request_us", inProcess.Request, "us");
        Report.Result(runtime, "callphases", calls, "process_reply_us", inProcess.Reply, "us");
        Report.Result(runtime, "callphases", calls, "outside_request_us", outside.Request, "us");
        Report.Result(runtime, "callphases", calls, "outside_reply_us", outside.Reply, "us");
    }

    private sealed class CrashingWorker : GenServer<int>
    {
        public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(0);

        public override ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken) => Reply(Pong, state);

        public override ValueTask<ServerResult<int>> HandleCastAsync(object request, int state, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("crash");
    }

    // W6
    public static async Task RestartAsync(string runtime, int crashes)
    {
        await using var node = Nodes.New();
        await RestartRoundAsync(node, Math.Max(1, crashes / 10), "warm");
        var (samples, retries, phases) = await RestartRoundAsync(node, crashes, "measured");
        Measure.Restart(runtime, crashes, samples, retries);
        // Where a restart's time goes, as the client sees it: the crash until the worker's exit is observed; then
        // until the supervisor lists the new worker; then the first call answered by it.
        Report.Result(runtime, "restart", crashes, "phase_exit_us", phases[0] / crashes, "us");
        Report.Result(runtime, "restart", crashes, "phase_restart_us", phases[1] / crashes, "us");
        Report.Result(runtime, "restart", crashes, "phase_first_call_us", phases[2] / crashes, "us");
    }

    private static async Task<(double[] Samples, long Retries, double[] Phases)> RestartRoundAsync(Node node, int crashes, string name)
    {
        var phases = new double[3];
        JitWatch.Mark($"round {name}");
        var flags = new SupervisorFlags { Strategy = Strategy.OneForOne, Intensity = 1_000_000, PeriodSeconds = 1 };
        var sup = (await Supervisor.StartLinkAsync(node, flags, [ChildSpec.ForGenServer<CrashingWorker>(Atom.Of("worker"), null, new GenServerOptions { Name = $"worker_{name}" })])).Pid;
        var worker = (await Supervisor.WhichChildrenAsync(sup))[0].Pid;
        var samples = new double[crashes];
        long retries = 0;
        for (var i = 0; i < crashes; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            var down = node.WaitForExitAsync(worker);
            GenServer.Cast(worker, "crash");
            await down;
            var t1 = Stopwatch.GetTimestamp();
            Pid next;
            while (true)
            {
                next = (await Supervisor.WhichChildrenAsync(sup))[0].Pid;
                if (!next.IsUndefined && next != worker) break;
                retries++;
            }
            var t2 = Stopwatch.GetTimestamp();
            await GenServer.CallAsync(next, Ping);
            var t3 = Stopwatch.GetTimestamp();
            samples[i] = Stats.TicksToMicros(t3 - t0);
            phases[0] += Stats.TicksToMicros(t1 - t0);
            phases[1] += Stats.TicksToMicros(t2 - t1);
            phases[2] += Stats.TicksToMicros(t3 - t2);
            worker = next;
        }
        await GenServer.StopAsync(sup);
        return (samples, retries, phases);
    }
}
