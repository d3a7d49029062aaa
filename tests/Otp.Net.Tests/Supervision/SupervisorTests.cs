using System.Collections.Concurrent;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;
using Otp.Net.Terms;

namespace Otp.Net.Tests.Supervision;

public sealed class SupervisorTests : IDisposable
{
    private readonly Node _node = new();
    private readonly ConcurrentQueue<string> _journal = new();

    public void Dispose() => _node.Dispose();

    private static ExitReason R(string a) => ExitReason.Of(Atom.Of(a));

    private JournalWorker W(string name, bool trap = true, Func<int, InitResult<int>?>? init = null) => new(name, _journal, trap, init);

    /// <summary>Starts a supervisor from a trapping process that stays alive as its parent; returns the sup's pid.</summary>
    private async Task<Pid> StartSup(SupervisorFlags flags, params ChildSpec[] children)
    {
        var started = new TaskCompletionSource<StartResult>();
        _node.Spawn(async ctx =>
        {
            ctx.TrapExit = true;
            started.SetResult(await Supervisor.StartLinkAsync(_node, flags, children));
            while (true) await ctx.ReceiveAsync();
        });
        return (await started.Task.Within()).GetPidOrThrow();
    }

    private Pid PidOf(IReadOnlyList<ChildInfo> children, string id) => children.Single(c => c.Id == id).Pid;

    [Fact] // U1
    public void Defaults_AreOtps()
    {
        var worker = new ChildSpec("w", _ => Task.FromResult(StartResult.Ignore));
        worker.Restart.Should().Be(RestartType.Permanent);
        worker.Type.Should().Be(ChildType.Worker);
        worker.Significant.Should().BeFalse();
        worker.EffectiveShutdown.Should().Be(Shutdown.Timeout(5000));
        (worker with { Type = ChildType.Supervisor }).EffectiveShutdown.Should().Be(Shutdown.Infinity);
        var flags = new SupervisorFlags();
        (flags.Strategy, flags.Intensity, flags.PeriodSeconds).Should().Be((Strategy.OneForOne, 1, 5));
        var dyn = new DynamicSupervisorOptions();
        (dyn.Intensity, dyn.PeriodSeconds, dyn.MaxChildren).Should().Be((3, 5, (int?)null));
        ChildSpec.ForGenServer("g", () => W("g")).Modules.Should().Equal(typeof(JournalWorker).FullName);
    }

    [Fact] // U2
    public async Task InvalidSpecs_StartFailsWithStartSpecError()
    {
        var result = await Supervisor.StartLinkAsync(_node, new SupervisorFlags(), [W("a").Spec(), W("a").Spec()]);
        result.Error!.ToString().Should().Be("{start_spec,{duplicate_child_name,a}}");
        Supervisor.CheckChildSpecs([new ChildSpec("x", null!)]).Should().Be(Atom.Of("missing_start"));
        Supervisor.CheckChildSpecs([W("a").Spec(), W("b").Spec()]).Should().BeNull();
        _node.ProcessCount.Should().Be(0);
    }

    [Fact] // U3
    public async Task Children_StartOneAtATimeInListOrder_NullStartResultIsAnError()
    {
        await StartSup(new SupervisorFlags(), W("a").Spec(), W("b").Spec(), W("c").Spec());
        _journal.Should().Equal("init a", "init b", "init c");
        var bad = await Supervisor.StartLinkAsync(_node, new SupervisorFlags(), [new ChildSpec("x", _ => Task.FromResult<StartResult>(null!))]);
        bad.Error!.ToString().Should().StartWith("{shutdown,{failed_to_start_child,x,");
    }

    [Fact] // U4
    public async Task ChildFailsDuringStart_StartedOnesStoppedInReverse_ErrorAndExitReason()
    {
        var (result, exit) = await _node.RunAsync(async ctx =>
        {
            ctx.TrapExit = true;
            var r = await Supervisor.StartLinkAsync(_node, new SupervisorFlags(),
                [W("a").Spec(), W("b").Spec(), W("c", init: _ => InitResult<int>.Stop(R("nope"))).Spec()]);
            return (r, await ctx.ReceiveAsync<ExitMessage>());
        });
        result.Error!.ToString().Should().Be("{shutdown,{failed_to_start_child,c,nope}}");
        exit.Reason.Should().Be(result.Error);
        _journal.Should().Equal("init a", "init b", "init c", "terminate b shutdown", "terminate a shutdown");
    }

    [Fact] // U5
    public async Task IgnoredChild_KeptWithUndefinedPid_TemporaryIgnoredChildNotStored()
    {
        var sup = await StartSup(new SupervisorFlags(),
            W("a", init: _ => InitResult<int>.Ignore()).Spec(),
            W("t", init: _ => InitResult<int>.Ignore()).Spec(RestartType.Temporary));
        var children = await Supervisor.WhichChildrenAsync(sup);
        children.Should().ContainSingle().Which.Should().Match<ChildInfo>(c => c.Id == "a" && c.Pid.IsUndefined);
    }

    [Theory] // U6
    [InlineData(RestartType.Permanent, "normal", true, true)]
    [InlineData(RestartType.Permanent, "shutdown", true, true)]
    [InlineData(RestartType.Permanent, "boom", true, true)]
    [InlineData(RestartType.Transient, "normal", false, true)]
    [InlineData(RestartType.Transient, "shutdown", false, true)]
    [InlineData(RestartType.Transient, "boom", true, true)]
    [InlineData(RestartType.Transient, "killed", true, true)]
    [InlineData(RestartType.Temporary, "normal", false, false)]
    [InlineData(RestartType.Temporary, "boom", false, false)]
    public async Task ChildExit_RestartDecision_ByRestartTypeAndReason(RestartType restart, string reason, bool restarted, bool specKept)
    {
        var sup = await StartSup(new SupervisorFlags { Intensity = 5 }, W("a").Spec(restart));
        var first = PidOf(await Supervisor.WhichChildrenAsync(sup), "a");
        if (reason == "killed") _node.Exit(first, ExitReason.Kill);
        else await FluentActions.Awaiting(() => GenServer.CallAsync(first, ("stop", R(reason)))).Should().NotThrowAsync();
        await _node.ExpectExitAsync(first);
        var children = await Supervisor.WhichChildrenAsync(sup); // served after the supervisor handled the exit
        if (!specKept)
        {
            children.Should().BeEmpty();
            return;
        }
        var child = children.Single();
        (!child.Pid.IsUndefined && child.Pid != first).Should().Be(restarted);
    }

    [Fact] // U7
    public async Task IntensityExceeded_ChildrenStoppedInReverse_SupervisorExitsShutdown()
    {
        var sup = await StartSup(new SupervisorFlags { Intensity = 2, PeriodSeconds = 60 }, W("a").Spec(), W("b").Spec(), W("c").Spec());
        for (var i = 0; i < 3; i++)
        {
            var b = PidOf(await Supervisor.WhichChildrenAsync(sup), "b");
            _node.Exit(b, ExitReason.Kill);
            await _node.ExpectExitAsync(b);
        }
        await _node.ExpectExitAsync(sup, ExitReason.Shutdown);
        _journal.TakeLast(2).Should().Equal("terminate c shutdown", "terminate a shutdown");
    }

    [Fact] // U7: intensity 0 gives up on the first crash; a permanent child supervisor that gives up is restarted by its parent
    public async Task IntensityZero_FirstCrashEscalates_ParentRestartsPermanentChildSupervisor()
    {
        var inner = new InlineSup(new SupervisorFlags { Intensity = 0 }, W("w").Spec());
        var top = await StartSup(new SupervisorFlags { Intensity = 5 }, ChildSpec.ForSupervisor(Atom.Of("inner"), () => inner));
        var innerPid = PidOf(await Supervisor.WhichChildrenAsync(top), "inner");
        var w = PidOf(await Supervisor.WhichChildrenAsync(innerPid), "w");
        _node.Exit(w, ExitReason.Kill);
        await _node.ExpectExitAsync(innerPid, ExitReason.Shutdown);
        var restarted = await _node.ExpectRestartAsync(top, Atom.Of("inner"), innerPid);
        _node.IsAlive(restarted).Should().BeTrue();
    }

    private sealed class InlineSup(SupervisorFlags flags, params ChildSpec[] children) : Supervisor
    {
        public override ValueTask<SupervisorInit> InitAsync(object? args, CancellationToken cancellationToken) => SupervisorInit.Ok(flags, children);
    }

    [Fact] // U8
    public async Task FailedRestarts_AreRetriedAndEachCountsTowardIntensity()
    {
        var sup = await StartSup(new SupervisorFlags { Intensity = 3, PeriodSeconds = 60 },
            W("a", init: attempt => attempt == 1 ? null : InitResult<int>.Stop(R("nope"))).Spec());
        _node.Exit(PidOf(await Supervisor.WhichChildrenAsync(sup), "a"), ExitReason.Kill);
        await _node.ExpectExitAsync(sup, ExitReason.Shutdown);
        _journal.Count(e => e == "init a").Should().Be(4); // the first start, then 3 counted attempts
    }

    [Fact] // U9
    public async Task OneForAll_StopsOthersInReverse_RestartsAllInOrder()
    {
        var sup = await StartSup(new SupervisorFlags { Strategy = Strategy.OneForAll, Intensity = 5 }, W("a").Spec(), W("b").Spec(), W("c").Spec());
        _journal.Clear();
        var b = PidOf(await Supervisor.WhichChildrenAsync(sup), "b");
        _node.Exit(b, ExitReason.Kill);
        await Supervisor.WhichChildrenAsync(sup);
        _journal.Should().Equal("terminate c shutdown", "terminate a shutdown", "init a", "init b", "init c");
    }

    [Fact] // U9
    public async Task RestForOne_RestartsDeadChildAndLaterSiblingsInOrder()
    {
        var sup = await StartSup(new SupervisorFlags { Strategy = Strategy.RestForOne, Intensity = 5 }, W("a").Spec(), W("b").Spec(), W("c").Spec(), W("d").Spec());
        _journal.Clear();
        _node.Exit(PidOf(await Supervisor.WhichChildrenAsync(sup), "b"), ExitReason.Kill);
        await Supervisor.WhichChildrenAsync(sup);
        _journal.Should().Equal("terminate d shutdown", "terminate c shutdown", "init b", "init c", "init d");
    }

    [Fact] // U9: a transient child exiting normally never restarts its siblings; temporary siblings stopped by a group restart are dropped
    public async Task GroupStrategies_TransientNormalExitRestartsNothing_TemporarySiblingsDropped()
    {
        var sup = await StartSup(new SupervisorFlags { Strategy = Strategy.OneForAll, Intensity = 5 },
            W("a").Spec(), W("t").Spec(RestartType.Temporary), W("tr").Spec(RestartType.Transient));
        var tr = PidOf(await Supervisor.WhichChildrenAsync(sup), "tr");
        await GenServer.CallAsync(tr, ("stop", ExitReason.Normal));
        // The reply comes before the exit: wait for the exit, whose signal reaches the supervisor before the DOWN
        // reaches this test, so the next request queues behind it.
        await _node.ExpectExitAsync(tr);
        (await Supervisor.CountChildrenAsync(sup)).Active.Should().Be(2);
        var a = PidOf(await Supervisor.WhichChildrenAsync(sup), "a");
        _node.Exit(a, ExitReason.Kill);
        await _node.ExpectExitAsync(a);
        var ids = (await Supervisor.WhichChildrenAsync(sup)).Select(c => c.Id).ToArray();
        ids.Should().BeEquivalentTo(new ChildId[] { "a", Atom.Of("tr") });
    }

    [Fact] // U10
    public async Task StoppingChildren_BrutalKillTimeoutAndKillAfterTimeout()
    {
        var slow = new JournalWorker("slow", _journal) { SlowTerminate = TimeSpan.FromSeconds(5) };
        var sup = await StartSup(new SupervisorFlags(),
            W("brutal").Spec(shutdown: Shutdown.BrutalKill), W("polite").Spec(shutdown: Shutdown.Timeout(5000)), slow.Spec(shutdown: Shutdown.Timeout(50)),
            W("plain", trap: false).Spec());
        async Task<ExitReason> Stop(string id)
        {
            var pid = PidOf(await Supervisor.WhichChildrenAsync(sup), id);
            (await Supervisor.TerminateChildAsync(sup, Atom.Of(id))).IsOk.Should().BeTrue();
            return await _node.ExpectExitAsync(pid);
        }
        _journal.Clear();
        (await Stop("brutal")).Should().Be(ExitReason.Killed);
        (await Stop("polite")).Should().Be(ExitReason.Shutdown);
        (await Stop("slow")).Should().Be(ExitReason.Killed);
        (await Stop("plain")).Should().Be(ExitReason.Shutdown);
        _journal.Should().Equal("terminate polite shutdown", "terminate slow shutdown"); // no terminate for brutal_kill or a non-trapping child
    }

    [Fact] // U11
    public async Task SupervisorStop_StopsChildrenOneAtATimeInReverseStartOrder()
    {
        var sup = await StartSup(new SupervisorFlags(), W("a").Spec(), W("b").Spec(), W("c").Spec());
        _journal.Clear();
        await GenServer.StopAsync(sup);
        _journal.Should().Equal("terminate c shutdown", "terminate b shutdown", "terminate a shutdown");
    }

    [Fact] // U12, U13
    public async Task WhichChildren_NewestFirst_CountChildren_CountsOnlyLivePidsAsActive()
    {
        var sup = await StartSup(new SupervisorFlags(), W("a").Spec(), W("b", init: _ => InitResult<int>.Ignore()).Spec(),
            ChildSpec.ForSupervisor("s", () => new InlineSup(new SupervisorFlags())));
        (await Supervisor.WhichChildrenAsync(sup)).Select(c => c.Id).Should().Equal((ChildId)"s", "b", Atom.Of("a"));
        (await Supervisor.CountChildrenAsync(sup)).Should().Be(new ChildCounts(3, 2, 1, 2));
        (await Supervisor.CountChildrenAsync(sup)).ToString().Should().Contain("Specs = 3");
        TermFormatter.Format(await Supervisor.CountChildrenAsync(sup)).Should().Be("[{specs,3},{active,2},{supervisors,1},{workers,2}]");
    }

    [Fact] // U14, U15, U16
    public async Task TerminateRestartDelete_ReturnOtpResults()
    {
        var sup = await StartSup(new SupervisorFlags(), W("a").Spec(), W("t").Spec(RestartType.Temporary));
        (await Supervisor.TerminateChildAsync(sup, Atom.Of("nope"))).ToString().Should().Be("{error,not_found}");
        (await Supervisor.TerminateChildAsync(sup, PidOf(await Supervisor.WhichChildrenAsync(sup), "a"))).ToString().Should().Be("{error,not_found}"); // a pid to a static supervisor
        (await Supervisor.RestartChildAsync(sup, Atom.Of("a"))).ToString().Should().Be("{error,running}");
        (await Supervisor.DeleteChildAsync(sup, Atom.Of("a"))).ToString().Should().Be("{error,running}");
        (await Supervisor.TerminateChildAsync(sup, Atom.Of("a"))).IsOk.Should().BeTrue();
        (await Supervisor.TerminateChildAsync(sup, Atom.Of("a"))).IsOk.Should().BeTrue(); // already stopped
        (await Supervisor.TerminateChildAsync(sup, Atom.Of("t"))).IsOk.Should().BeTrue();
        (await Supervisor.RestartChildAsync(sup, Atom.Of("t"))).ToString().Should().Be("{error,not_found}"); // temporary spec deleted
        var restarted = await Supervisor.RestartChildAsync(sup, Atom.Of("a"));
        restarted.IsOk.Should().BeTrue();
        (await Supervisor.TerminateChildAsync(sup, Atom.Of("a"))).IsOk.Should().BeTrue();
        (await Supervisor.DeleteChildAsync(sup, Atom.Of("a"))).IsOk.Should().BeTrue();
        (await Supervisor.DeleteChildAsync(sup, Atom.Of("a"))).ToString().Should().Be("{error,not_found}");
        (await Supervisor.GetChildSpecAsync(sup, Atom.Of("a"))).Should().BeNull();
    }

    [Fact] // U17
    public async Task StartChild_ReturnsOtpResults_AndFailedSpecIsNotStored()
    {
        var sup = await StartSup(new SupervisorFlags());
        var ok = await Supervisor.StartChildAsync(sup, W("n").Spec());
        ok.IsOk.Should().BeTrue();
        (await Supervisor.StartChildAsync(sup, W("n").Spec())).Error.Should().Be(ExitReason.Of(TermTuple.Of(Atom.Of("already_started"), ok.Pid)));
        await Supervisor.TerminateChildAsync(sup, Atom.Of("n"));
        (await Supervisor.StartChildAsync(sup, W("n").Spec())).ToString().Should().Be("{error,already_present}");
        (await Supervisor.StartChildAsync(sup, W("i", init: _ => InitResult<int>.Ignore()).Spec())).ToString().Should().Be("{ok,undefined}");
        var failed = await Supervisor.StartChildAsync(sup, W("f", init: _ => InitResult<int>.Stop(R("bad"))).Spec());
        failed.Error!.Term.Should().BeOfType<TermTuple>().Which[0].Should().Be(R("bad"));
        (await Supervisor.GetChildSpecAsync(sup, Atom.Of("f"))).Should().BeNull();
        (await Supervisor.StartChildAsync(sup, new ChildSpec("x", null!))).ToString().Should().Be("{error,missing_start}");
    }

    [Fact] // U19
    public async Task AutoShutdown_AnySignificant_SupervisorStopsWhenSignificantChildEnds()
    {
        var sup = await StartSup(new SupervisorFlags { AutoShutdown = AutoShutdown.AnySignificant },
            W("main").Spec(RestartType.Transient) with { Significant = true }, W("helper").Spec());
        await GenServer.CallAsync(PidOf(await Supervisor.WhichChildrenAsync(sup), "main"), ("stop", ExitReason.Normal));
        await _node.ExpectExitAsync(sup, ExitReason.Shutdown);
    }

    [Fact] // U19
    public async Task AutoShutdown_AllSignificant_WaitsForTheLastSignificantChild()
    {
        var sup = await StartSup(new SupervisorFlags { AutoShutdown = AutoShutdown.AllSignificant },
            W("a").Spec(RestartType.Temporary) with { Significant = true }, W("b").Spec(RestartType.Temporary) with { Significant = true });
        await GenServer.CallAsync(PidOf(await Supervisor.WhichChildrenAsync(sup), "a"), ("stop", ExitReason.Normal));
        _node.IsAlive(sup).Should().BeTrue();
        await GenServer.CallAsync(PidOf(await Supervisor.WhichChildrenAsync(sup), "b"), ("stop", ExitReason.Normal));
        await _node.ExpectExitAsync(sup, ExitReason.Shutdown);
    }

    [Fact] // let it crash means a fresh start: every restart runs a new callback object (U6)
    public async Task ForGenServer_ChildRestarted_RunsNewCallbackInstance()
    {
        var sup = await StartSup(new SupervisorFlags { Intensity = 10 },
            ChildSpec.ForGenServer<FieldCounter>(Atom.Of("by_type")),
            ChildSpec.ForGenServer(Atom.Of("by_factory"), () => new FieldCounter()));
        foreach (var id in new[] { "by_type", "by_factory" })
        {
            var first = PidOf(await Supervisor.WhichChildrenAsync(sup), id);
            (await GenServer.CallAsync(first, "bump")).Should().Be(1);
            (await GenServer.CallAsync(first, "bump")).Should().Be(2);
            _node.Exit(first, ExitReason.Kill);
            var second = await _node.ExpectRestartAsync(sup, Atom.Of(id), first);
            (await GenServer.CallAsync(second, "bump")).Should().Be(1, $"{id} restarted from a new object");
        }
    }

    /// <summary>Counts calls in a field of the callback object.</summary>
    private sealed class FieldCounter : GenServer<int>
    {
        private int _calls;

        public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(0);

        public override ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken) => Reply(++_calls, state);
    }

    [Fact] // supervisors answer sys operations too
    public async Task Sys_WorksOnSupervisors()
    {
        var sup = await StartSup(new SupervisorFlags(), W("a").Spec());
        var status = await Otp.Net.Sys.SysOps.GetStatusAsync(sup);
        status.Behaviour.Should().Be("supervisor");
        await Otp.Net.Sys.SysOps.SuspendAsync(sup);
        await Otp.Net.Sys.SysOps.ResumeAsync(sup);
        (await Supervisor.WhichChildrenAsync(sup)).Should().HaveCount(1);
    }

    [Fact] // the seed's CounterSup (003 Part 2) rendered as text and Mermaid
    public async Task SupervisionTree_CounterSup_RendersAsTextAndMermaid()
    {
        var counterSup = new InlineSup(new SupervisorFlags(), W("c10000").Spec() with { Id = 10000 }, W("c20000").Spec() with { Id = 20000 });
        var top = await StartSup(new SupervisorFlags(), ChildSpec.ForSupervisor("CounterSup", () => counterSup));
        var tree = await SupervisionTree.SnapshotAsync(top, "MyApp.Supervisor");
        tree.Children.Should().ContainSingle().Which.Children.Select(c => c.Id).Should().Equal((ChildId)20000, (ChildId)10000);
        var text = tree.ToText();
        text.Should().Contain("'CounterSup'").And.Contain("└─ 10000 <0.").And.Contain("(worker, permanent)");
        var mermaid = tree.ToMermaid();
        mermaid.Should().StartWith("graph TD\n").And.Contain("n0 --> n1").And.Contain("n1 --> n2").And.Contain("n1 --> n3");
    }
}
