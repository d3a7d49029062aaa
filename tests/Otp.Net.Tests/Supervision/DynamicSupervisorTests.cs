using System.Collections.Concurrent;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;
using Otp.Net.Terms;

namespace Otp.Net.Tests.Supervision;

public sealed class DynamicSupervisorTests : IDisposable
{
    private readonly Node _node = new();
    private readonly ConcurrentQueue<string> _journal = new();

    public void Dispose() => _node.Dispose();

    private async Task<Pid> StartDyn(DynamicSupervisorOptions? options = null) =>
        (await _node.RunAsync(async ctx =>
        {
            var r = await DynamicSupervisor.StartLinkAsync(_node, options);
            _ = ctx.Unlink(r.Pid);
            return r;
        })).GetPidOrThrow();

    [Fact] // D1
    public async Task StartChild_Results_IgnoreNotStored_ErrorDiscarded_MaxChildren()
    {
        var sup = await StartDyn(new DynamicSupervisorOptions { MaxChildren = 2 });
        var a = await DynamicSupervisor.StartChildAsync(sup, new JournalWorker("a", _journal).Spec());
        a.IsOk.Should().BeTrue();
        (await DynamicSupervisor.StartChildAsync(sup, new JournalWorker("i", _journal, init: _ => InitResult<int>.Ignore()).Spec())).Should().Be(StartResult.Ignore);
        (await DynamicSupervisor.StartChildAsync(sup, new JournalWorker("e", _journal, init: _ => InitResult<int>.Stop(ExitReason.Of(Atom.Of("nope")))).Spec())).ToString().Should().Be("{error,nope}");
        (await DynamicSupervisor.StartChildAsync(sup, new JournalWorker("b", _journal).Spec())).IsOk.Should().BeTrue();
        (await DynamicSupervisor.StartChildAsync(sup, new JournalWorker("c", _journal).Spec())).ToString().Should().Be("{error,max_children}");
        var children = await DynamicSupervisor.WhichChildrenAsync(sup);
        children.Should().HaveCount(2).And.OnlyContain(c => c.Id == null);
        children[0].Pid.Should().Be(a.Pid); // oldest first
        (await DynamicSupervisor.CountChildrenAsync(sup)).Should().Be(new ChildCounts(2, 2, 0, 2));
    }

    [Fact] // D1
    public async Task TerminateChild_ByPid_OkThenNotFound()
    {
        var sup = await StartDyn();
        var a = (await DynamicSupervisor.StartChildAsync(sup, new JournalWorker("a", _journal).Spec())).Pid;
        (await DynamicSupervisor.TerminateChildAsync(sup, a)).IsOk.Should().BeTrue();
        (await DynamicSupervisor.TerminateChildAsync(sup, a)).ToString().Should().Be("{error,not_found}");
        (await DynamicSupervisor.CountChildrenAsync(sup)).Specs.Should().Be(0);
    }

    [Fact] // D1: default intensity 3 in 5 s, restart types as U6
    public async Task RestartTypes_AndDefaultIntensityOfThree()
    {
        var sup = await StartDyn();
        var p = (await DynamicSupervisor.StartChildAsync(sup, new JournalWorker("p", _journal).Spec())).Pid;
        for (var i = 0; i < 4; i++)
        {
            _node.Exit(p, ExitReason.Kill);
            await _node.ExpectExitAsync(p);
            if (i < 3) p = (await DynamicSupervisor.WhichChildrenAsync(sup)).Single().Pid;
        }
        await _node.ExpectExitAsync(sup, ExitReason.Shutdown);
    }

    [Fact] // D1: on shutdown all children are stopped concurrently
    public async Task Shutdown_StopsChildrenConcurrently()
    {
        // Each child's terminate waits until all three are terminating at once: stopped one at a time, the first
        // would wait in vain until its shutdown timeout killed it.
        var terminating = 0;
        var allIn = new TaskCompletionSource();
        var sup = await StartDyn();
        for (var i = 0; i < 3; i++)
        {
            Func<Task> onTerminate = () =>
            {
                if (Interlocked.Increment(ref terminating) == 3) allIn.TrySetResult();
                return allIn.Task;
            };
            await DynamicSupervisor.StartChildAsync(sup, ChildSpec.ForGenServer(Atom.Of($"w{i}"), () => new BarrierWorker(onTerminate)) with { Shutdown = Shutdown.Timeout(10_000) });
        }
        var exits = (await DynamicSupervisor.WhichChildrenAsync(sup)).Select(c => _node.WaitForExitAsync(c.Pid)).ToArray();
        await GenServer.StopAsync(sup);
        (await Task.WhenAll(exits).Within()).Should().OnlyContain(r => r == ExitReason.Shutdown);
    }

    [Fact] // D1, U6: many children exiting at once; the temporary ones leave, restarted ones are listed by their new start
    public async Task ManyChildrenExitAtOnce_TemporaryRemoved_RestartedListedLast()
    {
        var sup = await StartDyn(new DynamicSupervisorOptions { Intensity = 10_000 });
        var started = new List<(Pid Pid, RestartType Restart)>();
        for (var i = 0; i < 600; i++)
        {
            var restart = i % 3 == 0 ? RestartType.Permanent : RestartType.Temporary;
            var spec = new JournalWorker($"w{i}", _journal).Spec(restart);
            started.Add(((await DynamicSupervisor.StartChildAsync(sup, spec)).GetPidOrThrow(), restart));
        }
        var killed = started.Where((_, i) => i % 2 == 0).ToArray();
        foreach (var k in killed) _node.Exit(k.Pid, ExitReason.Kill);
        foreach (var k in killed) await _node.ExpectExitAsync(k.Pid);

        // Every killed permanent child comes back, and no killed pid is listed any more.
        var survivors = started.Where((_, i) => i % 2 == 1).Select(s => s.Pid).ToArray();
        var restartedCount = killed.Count(k => k.Restart == RestartType.Permanent);
        var children = await _node.ExpectChildrenSettledAsync(sup);
        children.Should().NotContain(c => killed.Any(k => k.Pid == c.Pid));
        children.Should().HaveCount(survivors.Length + restartedCount);
        children.Take(survivors.Length).Select(c => c.Pid).Should().Equal(survivors);
        (await DynamicSupervisor.CountChildrenAsync(sup)).Active.Should().Be(survivors.Length + restartedCount);
    }

    private sealed class BarrierWorker(Func<Task> onTerminate) : GenServer<int>
    {
        public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken)
        {
            Self.TrapExit = true;
            return Ok(0);
        }

        public override async ValueTask TerminateAsync(ExitReason reason, int state, CancellationToken cancellationToken) => await onTerminate();
    }
}
