using Otp.Net.Diagnostics;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;
using Otp.Net.Terms;

namespace Otp.Net.Tests.Processes;

/// <summary>
/// A process's death as others see it: signalled before any of the victim's code runs again, on no other
/// process's thread, and final (code left running afterwards has no effect on anyone).
/// </summary>
public sealed class DeathTests : IDisposable
{
    private readonly Node _node = new();

    [ThreadStatic]
    private static bool t_insideExit;

    public void Dispose() => _node.Dispose();

    [Fact] // P1.3: the death is signalled first; the victim's token callbacks run afterwards, never on the killer's thread
    public async Task Kill_VictimTokenCallbackBlocks_ExitReturnsAtOnceAndDeathIsSignalledFirst()
    {
        using var unblock = new ManualResetEventSlim();
        var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var callback = new TaskCompletionSource<(bool DeathSignalled, bool InsideExit)>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<ExitReason>? exit = null;
        var pid = _node.Spawn(async ctx =>
        {
            var forever = new TaskCompletionSource();
            ctx.CancellationToken.Register(() =>
            {
                callback.TrySetResult((exit!.IsCompleted, t_insideExit));
                unblock.Wait(); // code registered on the token that blocks
                forever.TrySetCanceled();
            });
            registered.SetResult();
            await forever.Task;
        });
        await registered.Task.Within();
        exit = _node.WaitForExitAsync(pid);
        var killer = Task.Run(() =>
        {
            t_insideExit = true;
            try
            {
                _node.Exit(pid, ExitReason.Kill);
            }
            finally
            {
                t_insideExit = false;
            }
        });
        // Exit does not wait for the victim's blocked callback.
        await killer.WaitAsync(TimeSpan.FromSeconds(5));
        (await exit.Within()).Should().Be(ExitReason.Killed);
        var seen = await callback.Task.Within();
        seen.DeathSignalled.Should().BeTrue();
        seen.InsideExit.Should().BeFalse();
        unblock.Set();
    }

    [Fact] // U10: brutal_kill returns at once, whatever the child's token callbacks do
    public async Task BrutalKill_ChildTokenCallbackBlocks_TerminateChildReturnsPromptly()
    {
        using var unblock = new ManualResetEventSlim();
        var child = new ChildSpec("w", node => GenServer.StartLinkAsync(node, new BlockingOnCancelServer(unblock)))
        {
            Shutdown = Shutdown.BrutalKill,
        };
        var sup = (await Supervisor.StartLinkAsync(_node, new SupervisorFlags(), [child])).Pid;
        var worker = (await Supervisor.WhichChildrenAsync(sup)).Single().Pid;
        var busy = GenServer.CallAsync(worker, "block", Timeout.InfiniteTimeSpan);
        await BlockingOnCancelServer.Busy(worker).Within();
        var result = await Supervisor.TerminateChildAsync(sup, "w").WaitAsync(TimeSpan.FromSeconds(5));
        result.IsOk.Should().BeTrue();
        _node.IsAlive(worker).Should().BeFalse();
        unblock.Set();
        (await busy.Awaiting(b => b).Should().ThrowAsync<CallException>()).Which.CallReason.Should().Be(ExitReason.Killed);
    }

    [Fact] // P6.2: nothing from a sender arrives after its DOWN, even when it was killed in the middle of sending
    public async Task Kill_VictimSendingInALoop_NoMessageArrivesAfterItsDown()
    {
        for (var round = 0; round < 50; round++)
        {
            var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var late = await _node.RunAsync(async ctx =>
            {
                var self = ctx.Self;
                var sending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var victim = _node.Spawn(vctx =>
                {
                    var token = vctx.CancellationToken;
                    var n = 0;
                    while (!token.IsCancellationRequested)
                    {
                        vctx.Send(self, n);
                        if (++n == 100) sending.TrySetResult();
                    }
                    stopped.SetResult();
                    return Task.CompletedTask;
                });
                var r = ctx.Monitor(victim);
                await sending.Task;
                _ = Task.Run(() => _node.Exit(victim, ExitReason.Kill));
                while (await ctx.ReceiveAsync() is not DownMessage d || d.Ref != r)
                {
                }
                await stopped.Task; // the victim's loop has seen its token: it sends no more
                return await ctx.ReceiveAsync(null, TimeSpan.Zero);
            });
            late.Should().BeNull($"round {round}");
        }
    }

    [Fact] // P6.2, and the documented rule for code left running after its process died
    public async Task Zombie_CodeAfterDeath_CannotSendSpawnLinkMonitorOrCall()
    {
        var observer = _node.SpawnIdle();
        var server = (await GenServer.StartAsync(_node, new Otp.Net.Tests.GenServers.TestServer())).Pid;
        var gate = new TaskCompletionSource();
        var attempts = new TaskCompletionSource<List<string>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var spawned = 0;
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var victim = _node.Spawn(async ctx =>
        {
            waiting.SetResult();
            await gate.Task; // ignores its token: runs on after the kill
            var seen = new List<string>();
            ctx.Send(observer, "late");
            seen.Add("send dropped");
            GenServer.Cast(server, "incr");
            seen.Add("cast dropped");
            foreach (var (name, act) in new (string, Action)[]
            {
                ("spawn", () => ctx.Node.Spawn(_ => { Interlocked.Increment(ref spawned); return Task.CompletedTask; })),
                ("link", () => ctx.Link(observer)),
                ("monitor", () => ctx.Monitor(observer)),
                ("call", () => GenServer.CallAsync(server, "incr").GetAwaiter().GetResult()),
                // The refused call's task is cancelled, as an async method's is by an OperationCanceledException.
                ("call task", () =>
                {
                    var call = GenServer.CallAsync(server, "incr");
                    if (!call.IsCanceled) throw new InvalidOperationException($"the task is {call.Status}");
                    call.GetAwaiter().GetResult();
                }),
            })
            {
                try
                {
                    act();
                    seen.Add(name + " went through");
                }
                catch (ProcessExitedException)
                {
                    seen.Add(name + " refused");
                }
                catch (Exception ex)
                {
                    seen.Add(name + " threw " + ex.GetType().Name);
                }
            }
            attempts.SetResult(seen);
        });
        await waiting.Task.Within();
        _node.Exit(victim, ExitReason.Kill);
        (await _node.ExpectExitAsync(victim)).Should().Be(ExitReason.Killed);
        gate.SetResult();
        (await attempts.Task.Within()).Should().Equal(
            "send dropped", "cast dropped", "spawn refused", "link refused", "monitor refused", "call refused", "call task refused");
        spawned.Should().Be(0);
        _node.GetProcessInfo(observer)!.MessageQueueLength.Should().Be(0);
        _node.GetProcessInfo(observer)!.Links.Should().BeEmpty();
        (await GenServer.CallAsync(server, "get")).Should().Be(0); // neither the cast nor the call reached it
    }

    [Fact] // P4.2: a monitor taken by name reports {Name, Node} in its DOWN
    public async Task MonitorByName_LiveProcessDies_DownCarriesNameAndNode()
    {
        var target = _node.SpawnIdle(new SpawnOptions { Name = "named" });
        var down = await _node.RunAsync(async ctx =>
        {
            var r = ctx.Monitor("named");
            ctx.Exit(target, ExitReason.Of(Atom.Of("bye")));
            return (DownMessage)await ctx.ReceiveAsync(m => m is DownMessage d && d.Ref == r);
        });
        TermFormatter.Format(down, v => v switch { Pid => "P", Ref => "R", _ => null }).Should().Be("{'DOWN',R,process,{named,nonode@nohost},bye}");
        down.Pid.Should().Be(target);
    }

    [Fact] // P4: a DOWN that races the monitor's registration leaves no stale entry
    public async Task Monitor_TargetDiesMeanwhile_LeavesNoMonitorEntry()
    {
        for (var round = 0; round < 200; round++)
        {
            var target = _node.SpawnIdle();
            var monitors = await _node.RunAsync(async ctx =>
            {
                var kill = Task.Run(() => _node.Exit(target, ExitReason.Kill));
                var r = ctx.Monitor(target);
                await ctx.ReceiveAsync(m => m is DownMessage d && d.Ref == r);
                await kill;
                return _node.GetProcessInfo(ctx.Self)!.Monitors.Count;
            });
            monitors.Should().Be(0, $"round {round}");
        }
    }

    [Fact] // P2, P4: a process dying in another's link cascade is reported to monitors after its links are signalled
    public async Task LinkCascade_ProcessDiesInIt_MonitorsFireAfterItsLinksAreSignalled()
    {
        var tracer = new CascadeTracer();
        await using var node = new Node(new NodeOptions { Tracer = tracer });
        static Task Idle(ProcessContext ctx) => Task.Delay(Timeout.Infinite, ctx.CancellationToken);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = node.Spawn(Idle);
        var c = node.Spawn(Idle);
        var d = node.Spawn(Idle, new SpawnOptions { TrapExit = true });
        var b = node.Spawn(async ctx =>
        {
            ctx.Link(a);
            ctx.Link(c); // signalled before d
            ctx.Link(d);
            ready.SetResult();
            await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
        });
        await ready.Task.Within();
        tracer.Arm(node, c, d, node.WaitForExitAsync(b));
        node.Exit(a, ExitReason.Of(Atom.Of("boom")));
        (await node.WaitForExitAsync(b).Within()).ToString().Should().Be("boom");
        var (watchDone, dQueued) = await tracer.Seen.Task.Within();
        if (watchDone) dQueued.Should().BeGreaterThan(0, "a completed exit watch means every link was signalled");
        watchDone.Should().BeFalse();
    }

    private sealed class CascadeTracer : IProcessTracer
    {
        private Node? _node;
        private Pid _c;
        private Pid _d;
        private Task? _watch;

        public TaskCompletionSource<(bool WatchDone, int DQueued)> Seen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Arm(Node node, Pid c, Pid d, Task watch) => (_node, _c, _d, _watch) = (node, c, d, watch);

        public void OnSpawn(Pid pid, Pid parent)
        {
        }

        public void OnExit(Pid pid, ExitReason reason)
        {
            if (_node is not null && pid == _c) Seen.TrySetResult((_watch!.IsCompleted, _node.GetProcessInfo(_d)?.MessageQueueLength ?? -1));
        }
    }

    /// <summary>A server whose "block" call awaits its token, with a token callback that blocks until released.</summary>
    private sealed class BlockingOnCancelServer(ManualResetEventSlim unblock) : GenServer<int>
    {
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<Pid, TaskCompletionSource> BusyBy = new();

        public static Task Busy(Pid pid) => BusyBy.GetOrAdd(pid, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

        public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(0);

        public override async ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken)
        {
            var wait = new TaskCompletionSource();
            using (cancellationToken.Register(() =>
            {
                unblock.Wait();
                wait.TrySetCanceled();
            }))
            {
                BusyBy.GetOrAdd(Self.Self, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                await wait.Task;
            }
            return Reply("done", state);
        }
    }
}
