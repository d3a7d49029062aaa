using System.Runtime.CompilerServices;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;
using static Otp.Net.Tests.TestKit;

namespace Otp.Net.Tests.GenServers;

/// <summary>
/// A caller waiting for a reply is told when the server dies first (G6), through the server's lock-free list of
/// reply watches: pending watches survive the list's pruning, finished ones do not stay reachable, and a caller
/// racing the server's death either gets <c>noproc</c> or the exit reason, never an endless wait.
/// </summary>
public sealed class ReplyWatchTests : IDisposable
{
    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    /// <summary>Holds the callers of "hold" without replying; answers "count"; "crash" stops it.</summary>
    private sealed class Holder : GenServer<List<From>>
    {
        public override ValueTask<InitResult<List<From>>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(new List<From>());

        public override ValueTask<ServerResult<List<From>>> HandleCallAsync(object request, From from, List<From> state, CancellationToken cancellationToken)
        {
            switch (request)
            {
                case "hold":
                    state.Add(from);
                    return NoReply(state);
                case "count":
                    return Reply(state.Count, state);
                case ("crash", ExitReason reason):
                    return StopReply(reason, "ok", state);
                default:
                    return Reply("unknown", state);
            }
        }
    }

    private sealed class FakeWatch : ReplyWatch
    {
        public bool Done { get; set; }

        public ExitReason? Down { get; private set; }

        public override bool IsDone => Done;

        public override void OnProcessDown(ExitReason reason) => Down = reason;
    }

    [Fact] // G6
    public async Task PendingCalls_SurviveManyOtherCalls_AndAllGetTheExitReason()
    {
        var server = (await GenServer.StartAsync(_node, new Holder())).GetPidOrThrow();
        var held = Enumerable.Range(0, 100).Select(_ => GenServer.CallAsync(server, "hold", Timeout.InfiniteTimeSpan)).ToList();
        (await GenServer.CallAsync(server, "count")).Should().Be(100);

        // Far more finished calls than the list keeps before it prunes itself.
        for (var i = 0; i < 2_000; i++) await GenServer.CallAsync(server, "count");

        _node.GetProcessInfo(server)!.MonitoredBy.Should().Be(100, "the held callers are still waiting");
        (await GenServer.CallAsync(server, TermTuple.Of("crash", R("gone")))).Should().Be("ok");

        foreach (var call in held)
        {
            var act = () => call.WaitAsync(TimeSpan.FromSeconds(30));
            (await act.Should().ThrowAsync<CallException>()).Which.CallReason.Should().Be(R("gone"));
        }
    }

    [Fact] // G6
    public async Task CallersRacingTheServersDeath_EachGetAnAnswer()
    {
        for (var round = 0; round < 50; round++)
        {
            var server = (await GenServer.StartAsync(_node, new TestServer())).GetPidOrThrow();
            var running = 0;
            var allRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var callers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                var first = true;
                while (true)
                {
                    try
                    {
                        await GenServer.CallAsync(server, "incr", Timeout.InfiniteTimeSpan);
                    }
                    catch (CallException e)
                    {
                        return e.CallReason;
                    }
                    if (first && Interlocked.Increment(ref running) == 4) allRunning.TrySetResult();
                    first = false;
                }
            })).ToArray();
            await allRunning.Task.WaitAsync(TimeSpan.FromSeconds(30));
            _node.Exit(server, R("shot"));

            var reasons = await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(30));
            reasons.Should().OnlyContain(r => r == R("shot") || r == ExitReason.NoProc);
        }
    }

    [Fact]
    public async Task Prune_DropsFinishedWatches_KeepsPendingOnes()
    {
        var pid = _node.Spawn(async ctx => await ctx.ReceiveAsync());
        var owner = pid.Process!;
        var list = new ReplyWatchList();
        var pending = Enumerable.Range(0, 10).Select(_ => new FakeWatch()).ToList();
        foreach (var w in pending) list.TryAdd(w, owner).Should().BeTrue();
        var finished = AddFinished(list, owner, 1_000);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        finished.Count(w => w.TryGetTarget(out _)).Should().BeLessThan(200, "finished watches are pruned as the list grows");
        list.CountPending().Should().Be(10);
        list.Close(R("bye"));
        pending.Should().OnlyContain(w => w.Down == R("bye"));
        list.TryAdd(new FakeWatch(), owner).Should().BeFalse("a closed list takes no more watches");
        _node.Send(pid, "done");
        await _node.WaitForExitAsync(pid);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<WeakReference<FakeWatch>> AddFinished(ReplyWatchList list, LocalProcess owner, int count)
    {
        var refs = new List<WeakReference<FakeWatch>>(count);
        for (var i = 0; i < count; i++)
        {
            var w = new FakeWatch();
            list.TryAdd(w, owner);
            w.Done = true;
            refs.Add(new WeakReference<FakeWatch>(w));
        }
        return refs;
    }
}
