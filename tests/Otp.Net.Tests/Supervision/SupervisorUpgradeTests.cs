using Otp.Net.Code;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;
using Otp.Net.Sys;
using Otp.Net.Terms;
using Otp.Net.Tests.Code;

namespace Otp.Net.Tests.Supervision;

/// <summary>
/// Supervisor modules loaded by the code server and upgraded as a release does <c>{update, Sup, supervisor}</c> (R9):
/// suspend, load, <c>change_code</c>, resume; the change re-runs the new init with the original arguments (R11). The
/// fixtures: "sup" v1 has children a, b, c; v2 changes the flags and a's spec, keeps c, adds d and drops b. Their start
/// functions are lambdas of the module's own assembly, so the specs hold the version's code.
/// </summary>
public sealed class SupervisorUpgradeTests : IDisposable
{
    private static readonly TimeSpan UnloadTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan SysTimeout = TimeSpan.FromSeconds(5);

    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    private CodeServer Code => _node.Code;

    private async Task<Pid> StartV1Async(string args, string module = "sup")
    {
        if (!Code.IsLoaded("sup_worker")) await Code.LoadAsync(Fixtures.Sup(1), "sup_worker");
        await Code.LoadAsync(Fixtures.Sup(1), module);
        return (await Code.StartGenServerAsync(module, args)).GetPidOrThrow();
    }

    /// <summary>R9: suspend, load, change_code with Extra = [], (resume).</summary>
    private async Task<SysResult> UpgradeToV2Async(Pid sup, string module = "sup", bool resume = true)
    {
        await SysOps.SuspendAsync(sup);
        await Code.LoadAsync(Fixtures.Sup(2), module);
        var result = await SysOps.ChangeCodeAsync(sup, null, "1", TermList.Empty);
        if (resume) await SysOps.ResumeAsync(sup);
        return result;
    }

    private static async Task<Dictionary<string, ChildInfo>> ChildrenAsync(Pid sup) =>
        (await Supervisor.WhichChildrenAsync(sup)).ToDictionary(c => c.Id.ToString());

    private static async Task<string> StartOrderAsync(Pid sup) =>
        string.Join(",", (await Supervisor.WhichChildrenAsync(sup)).Reverse().Select(c => c.Id.ToString()));

    private static async Task<SupervisorFlags> FlagsAsync(Pid sup) => (await SysOps.GetStateAsync<SupervisorServer.State>(sup)).Flags;

    private static Task<object?> TagAsync(Pid worker) => GenServer.CallAsync(worker, "tag");

    private string? Label(Pid pid) => _node.GetProcessInfo(pid)!.CurrentModule;

    [Fact] // R11: a Supervisor subclass marked [OtpModule] loads as a module and starts as a supervisor bound to its version
    public async Task Load_SupervisorModule_StartsSupervisorBoundToTheVersion_NamedAsTheModule()
    {
        var info = await Code.LoadAsync(Fixtures.Sup(1), "sup_worker");
        info.Version.Should().Be("1");
        (await Code.LoadAsync(Fixtures.Sup(1), "sup")).Module.Should().Be("sup");
        var sup = (await Code.StartGenServerAsync("sup", "one_for_one")).GetPidOrThrow();

        var status = await SysOps.GetStatusAsync(sup);
        status.Behaviour.Should().Be("supervisor");
        status.Module.Should().Be("sup");
        Label(sup).Should().Be("sup 1");
        Code.ProcessesRunning("sup", "1").Should().Equal(sup);
        var children = await ChildrenAsync(sup);
        children.Keys.Should().BeEquivalentTo("a", "b", "c");
        (await TagAsync(children["b"].Pid)).Should().Be("b1");
    }

    [Fact] // R11: ChildSpec.ForModule of a supervisor module, built inside a process, is a supervisor child (shutdown infinity)
    public async Task ForModule_SupervisorModule_IsSupervisorChildWithInfiniteShutdown()
    {
        await Code.LoadAsync(Fixtures.Sup(1), "sup_worker");
        await Code.LoadAsync(Fixtures.Sup(1), "sup");
        var (supSpec, workerSpec) = await _node.RunAsync(_ => Task.FromResult((ChildSpec.ForModule("s", "sup", "one_for_one"), ChildSpec.ForModule("w", "sup_worker", "w1"))));
        supSpec.Type.Should().Be(ChildType.Supervisor);
        supSpec.EffectiveShutdown.IsInfinity.Should().BeTrue();
        supSpec.Modules.Should().Equal("sup");
        workerSpec.Type.Should().Be(ChildType.Worker);

        var top = (await Supervisor.StartLinkAsync(_node, new SupervisorFlags(), [supSpec])).GetPidOrThrow();
        var child = (await Supervisor.WhichChildrenAsync(top)).Single();
        child.Type.Should().Be(ChildType.Supervisor);
        Label(child.Pid).Should().Be("sup 1");
        (await Supervisor.WhichChildrenAsync(child.Pid)).Should().HaveCount(3);
    }

    [Theory] // R11.1–R11.4, one_for_one and rest_for_one
    [InlineData("one_for_one", Strategy.OneForOne)]
    [InlineData("rest_for_one", Strategy.RestForOne)]
    public async Task ChangeCode_NewInit_FlagsReplaced_SharedIdsKeepTheirChild_NewIdAddedUnstarted_DroppedIdKeepsRunning(string args, Strategy strategy)
    {
        var sup = await StartV1Async(args);
        var before = await ChildrenAsync(sup);

        (await UpgradeToV2Async(sup)).IsOk.Should().BeTrue();

        Label(sup).Should().Be("sup 2");
        var flags = await FlagsAsync(sup);
        flags.Should().Be(new SupervisorFlags { Strategy = strategy, Intensity = 5, PeriodSeconds = 10 }); // R11.1
        var after = await ChildrenAsync(sup);
        after["a"].Pid.Should().Be(before["a"].Pid); // R11.2: not restarted...
        (await TagAsync(after["a"].Pid)).Should().Be("a1");
        (await Supervisor.GetChildSpecAsync(sup, "a"))!.Shutdown.Should().Be(Shutdown.Timeout(2000)); // ...but on the new spec
        after["c"].Pid.Should().Be(before["c"].Pid);
        after["d"].Pid.IsUndefined.Should().BeTrue(); // R11.3: added, not started
        after["b"].Pid.Should().Be(before["b"].Pid); // R11.4: still running under its old spec
        _node.IsAlive(before["b"].Pid).Should().BeTrue();
        (await StartOrderAsync(sup)).Should().Be("a,c,d,b");

        var change = (await Supervisor.LastChangeAsync(sup))!;
        change.Added.Should().Equal(new ChildId("d"));
        change.Removed.Should().Equal(new ChildId("b"));
        change.Kept.Should().Equal(new ChildId("a"), new ChildId("c"));
        change.FlagsChanged.Should().BeTrue();

        // What the release handler applies next: {apply, {supervisor, restart_child, [Sup, d]}} (R11.3) ...
        var started = await Supervisor.StartAddedChildrenAsync(sup);
        started.Should().ContainSingle().Which.Id.Should().Be(new ChildId("d"));
        var d = started[0].Result.GetPidOrThrow();
        (await TagAsync(d)).Should().Be("d2");
        // ... and terminate_child + delete_child for b (R11.4).
        var bExit = _node.WaitForExitAsync(before["b"].Pid);
        var removed = await Supervisor.RemoveDroppedChildrenAsync(sup);
        removed.Should().Equal((new ChildId("b"), SupervisorResult.Ok));
        (await bExit.Within()).Should().Be(ExitReason.Shutdown);
        (await StartOrderAsync(sup)).Should().Be("a,c,d");

        // The new strategy runs on the new order: a crash of c restarts d too only under rest_for_one (U9).
        _node.Exit(after["c"].Pid, ExitReason.Kill);
        var restarted = await ChildrenAsync(sup);
        restarted["a"].Pid.Should().Be(before["a"].Pid);
        restarted["c"].Pid.Should().NotBe(before["c"].Pid);
        if (strategy == Strategy.RestForOne) restarted["d"].Pid.Should().NotBe(d);
        else restarted["d"].Pid.Should().Be(d);
    }

    [Fact] // R11.3: the undo of starting the added children stops and deletes them
    public async Task StopAddedChildren_AfterStartingThem_StopsAndDeletesThem()
    {
        var sup = await StartV1Async("one_for_one");
        (await UpgradeToV2Async(sup)).IsOk.Should().BeTrue();
        var d = (await Supervisor.StartAddedChildrenAsync(sup)).Single().Result.GetPidOrThrow();
        var exit = _node.WaitForExitAsync(d);

        var undone = await Supervisor.StopAddedChildrenAsync(sup, [new ChildId("d")]);

        undone.Should().Equal((new ChildId("d"), SupervisorResult.Ok));
        (await exit.Within()).Should().Be(ExitReason.Shutdown);
        (await ChildrenAsync(sup)).Keys.Should().BeEquivalentTo("a", "b", "c");
        (await Supervisor.StartAddedChildrenAsync(sup)).Single().Result.Error!.ToString().Should().Contain("not_found");
    }

    [Fact] // R11, S5: a rollback before resume puts the old flags, specs and version back; the children are the same processes
    public async Task RevertCode_BeforeResume_RestoresOldFlagsSpecsAndVersion()
    {
        var sup = await StartV1Async("rest_for_one");
        var before = await ChildrenAsync(sup);
        (await UpgradeToV2Async(sup, resume: false)).IsOk.Should().BeTrue();

        await CodeServer.RevertCodeAsync(sup.Process!, SysTimeout);
        await SysOps.ResumeAsync(sup);

        Label(sup).Should().Be("sup 1");
        (await FlagsAsync(sup)).Intensity.Should().Be(1);
        (await Supervisor.GetChildSpecAsync(sup, "a"))!.Shutdown.Should().BeNull();
        (await Supervisor.GetChildSpecAsync(sup, "d")).Should().BeNull();
        (await Supervisor.GetChildSpecAsync(sup, "b"))!.Restart.Should().Be(RestartType.Permanent);
        var after = await ChildrenAsync(sup);
        after.Keys.Should().BeEquivalentTo("a", "b", "c");
        after.Values.Select(c => c.Pid).Should().Equal(before.Values.Select(c => c.Pid));
        (await Supervisor.LastChangeAsync(sup)).Should().BeNull();
    }

    [Theory] // R11: a rehearsal against the staged version reports the diff, suspended or not, and changes nothing
    [InlineData(false)]
    [InlineData(true)]
    public async Task Rehearse_StagedVersion_ReportsChildDiff_ChangesNothing(bool suspended)
    {
        var sup = await StartV1Async("one_for_one");
        await Code.LoadAsync(Fixtures.Sup(2), "sup"); // the supervisor stays on v1: its specs hold v1's code (S8)
        var before = await ChildrenAsync(sup);
        Label(sup).Should().Be("sup 1");
        var state = await SysOps.GetStateAsync(sup);
        if (suspended) await SysOps.SuspendAsync(sup);

        var outcome = await CodeServer.RehearseAsync(sup.Process!, Code.FindVersion("sup", "2")!, "1", TermList.Empty, SysTimeout);

        outcome.Kind.Should().Be(RehearsalKind.Ok);
        var change = outcome.Detail.Should().BeOfType<SupervisorChange>().Subject;
        change.Added.Should().Equal(new ChildId("d"));
        change.Removed.Should().Equal(new ChildId("b"));
        change.Kept.Should().Equal(new ChildId("a"), new ChildId("c"));
        change.FlagsChanged.Should().BeTrue();
        change.NewFlags.Intensity.Should().Be(5);
        (await SysOps.GetStateAsync(sup)).Should().BeSameAs(state);
        (await SysOps.GetStatusAsync(sup)).Suspended.Should().Be(suspended);
        if (suspended) await SysOps.ResumeAsync(sup);
        Label(sup).Should().Be("sup 1");
        (await ChildrenAsync(sup)).Should().BeEquivalentTo(before);
        (await FlagsAsync(sup)).Intensity.Should().Be(1);
        (await Supervisor.GetChildSpecAsync(sup, "a"))!.Shutdown.Should().BeNull();
        (await Supervisor.LastChangeAsync(sup)).Should().BeNull();
    }

    [Fact] // R11.5: a rehearsal of an init giving an invalid spec reports the error change_code would return
    public async Task Rehearse_InvalidSpec_ReportsTheChangeCodeError()
    {
        var sup = await StartV1Async("one_for_one:invalid");
        await Code.LoadAsync(Fixtures.Sup(2), "sup");

        var outcome = await CodeServer.RehearseAsync(sup.Process!, Code.FindVersion("sup", "2")!, "1", TermList.Empty, SysTimeout);

        outcome.Kind.Should().Be(RehearsalKind.Failed);
        TermFormatter.Format(outcome.Error).Should().Be("{error,{error,{duplicate_child_name,a}}}");
        Label(sup).Should().Be("sup 1");
    }

    [Theory] // R11.5, S5: an invalid spec (or an init that throws) fails the change; the supervisor keeps its flags, specs, children and version
    [InlineData("one_for_one:invalid", "{error,{error,{duplicate_child_name,a}}}")]
    [InlineData("one_for_one:throw", "{error,{'EXIT',")]
    public async Task ChangeCode_NewInitInvalid_FailsAndLeavesTheSupervisorAsItWas(string args, string error)
    {
        var sup = await StartV1Async(args);
        var before = await ChildrenAsync(sup);

        var result = await UpgradeToV2Async(sup);

        result.IsOk.Should().BeFalse();
        result.ToString().Should().StartWith(error);
        Label(sup).Should().Be("sup 1");
        (await FlagsAsync(sup)).Intensity.Should().Be(1);
        (await ChildrenAsync(sup)).Should().BeEquivalentTo(before);
        (await Supervisor.GetChildSpecAsync(sup, "a"))!.Shutdown.Should().BeNull();
        (await Supervisor.LastChangeAsync(sup)).Should().BeNull();
    }

    [Fact] // R11.5: init returning ignore changes nothing; the supervisor stays on the version its specs belong to
    public async Task ChangeCode_NewInitIgnores_NothingChanges()
    {
        var sup = await StartV1Async("one_for_one:ignore");
        var before = await ChildrenAsync(sup);

        (await UpgradeToV2Async(sup)).IsOk.Should().BeTrue();

        Label(sup).Should().Be("sup 1");
        (await FlagsAsync(sup)).Intensity.Should().Be(1);
        (await ChildrenAsync(sup)).Should().BeEquivalentTo(before);
        (await Supervisor.LastChangeAsync(sup)).Should().BeNull();
    }

    [Fact] // R11.4, C5: after the change the supervisor no longer holds v1 (the dropped child's old spec is cut loose): v1 unloads
    public async Task ChangeCode_ThenPurge_OldVersionCollectedWhileDroppedChildStillRuns()
    {
        var sup = await StartV1Async("rest_for_one");
        var b = (await ChildrenAsync(sup))["b"].Pid;
        (await UpgradeToV2Async(sup)).IsOk.Should().BeTrue();

        (await Code.PurgeAsync("sup")).Should().BeFalse(); // nothing runs v1 any more: nobody is killed
        (await Code.WaitForUnloadAsync("sup", UnloadTimeout)).Should().BeTrue();

        _node.IsAlive(sup).Should().BeTrue();
        _node.IsAlive(b).Should().BeTrue();
        var dropped = (await ChildrenAsync(sup))["b"];
        dropped.Pid.Should().Be(b);
        dropped.Restart.Should().Be(RestartType.Temporary); // its v1 start function is gone: it runs on until removed, never restarted
        (await Supervisor.RemoveDroppedChildrenAsync(sup)).Should().Equal((new ChildId("b"), SupervisorResult.Ok));
        _node.IsAlive(b).Should().BeFalse();
    }

    [Fact] // R8.4, S6, R11: a downgrade ({down, "1"}) re-runs the restored version's init: its flags and specs come back
    public async Task ChangeCode_Down_RestoredVersionReReadsItsSpecs()
    {
        var sup = await StartV1Async("one_for_one");
        var before = await ChildrenAsync(sup);
        (await UpgradeToV2Async(sup)).IsOk.Should().BeTrue();
        var d = (await Supervisor.StartAddedChildrenAsync(sup)).Single().Result.GetPidOrThrow();

        await SysOps.SuspendAsync(sup);
        (await SysOps.ChangeCodeAsync(sup, null, TermTuple.Of(Atom.Of("down"), "1"), TermList.Empty)).IsOk.Should().BeTrue();
        await SysOps.ResumeAsync(sup);

        Label(sup).Should().Be("sup 1");
        (await FlagsAsync(sup)).Intensity.Should().Be(1);
        var change = (await Supervisor.LastChangeAsync(sup))!;
        change.Added.Should().BeEmpty();
        change.Removed.Should().Equal(new ChildId("d"));
        change.Kept.Should().Equal(new ChildId("a"), new ChildId("b"), new ChildId("c"));
        var after = await ChildrenAsync(sup);
        after["b"].Pid.Should().Be(before["b"].Pid);
        after["b"].Restart.Should().Be(RestartType.Permanent); // b is in v1's specs again
        after["d"].Pid.Should().Be(d);
        (await Supervisor.RemoveDroppedChildrenAsync(sup)).Should().Equal((new ChildId("d"), SupervisorResult.Ok));
        (await StartOrderAsync(sup)).Should().Be("a,b,c");
    }

    [Fact] // R11, C6: the code server's one-call upgrade changes a supervisor module too and soft-purges the old version
    public async Task UpgradeAsync_SupervisorModule_ChangedAndOldVersionPurged()
    {
        var sup = await StartV1Async("one_for_one");
        var a = (await ChildrenAsync(sup))["a"].Pid;

        var report = await Code.UpgradeAsync("sup", Fixtures.Sup(2), TermList.Empty);

        report.Processes.Should().Be(1);
        report.OldVersionPurged.Should().BeTrue();
        Label(sup).Should().Be("sup 2");
        (await ChildrenAsync(sup))["a"].Pid.Should().Be(a);
        (await Supervisor.LastChangeAsync(sup))!.Added.Should().Equal(new ChildId("d"));
    }

    [Fact] // R11.5: simple_one_for_one takes the new template; running children are kept and restart from it with their own arguments
    public async Task ChangeCode_SimpleOneForOne_ReplacesTemplate_ChildrenKeepRunningAndTheirArguments()
    {
        var pool = await StartV1Async("", "sup_pool");
        var x = (await Supervisor.StartChildAsync(pool, ["x"])).GetPidOrThrow();
        (await TagAsync(x)).Should().Be("p1:x");

        (await UpgradeToV2Async(pool, "sup_pool")).IsOk.Should().BeTrue();

        Label(pool).Should().Be("sup_pool 2");
        (await Supervisor.WhichChildrenAsync(pool)).Single().Pid.Should().Be(x);
        (await Supervisor.LastChangeAsync(pool))!.TemplateReplaced.Should().BeTrue();
        (await TagAsync((await Supervisor.StartChildAsync(pool, ["y"])).GetPidOrThrow())).Should().Be("p2:y");
        _node.Exit(x, ExitReason.Kill);
        var tags = new List<object?>();
        foreach (var child in await Supervisor.WhichChildrenAsync(pool)) tags.Add(await TagAsync(child.Pid));
        tags.Should().BeEquivalentTo(["p2:y", "p2:x"]);
    }
}
