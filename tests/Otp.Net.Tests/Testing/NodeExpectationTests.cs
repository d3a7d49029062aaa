using System.Collections.Concurrent;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;
using Otp.Net.Terms;
using Otp.Net.Tests.Supervision;
using static Otp.Net.Tests.TestKit;

namespace Otp.Net.Tests.Testing;

public sealed class NodeExpectationTests : IAsyncDisposable
{
    private readonly TestNode _test = new();
    private readonly ConcurrentQueue<string> _journal = new();

    public ValueTask DisposeAsync() => _test.DisposeAsync();

    private Node Node => _test.Node;

    private JournalWorker W(string name, Func<int, InitResult<int>?>? init = null) => new(name, _journal, init: init);

    private static Pid PidOf(IReadOnlyList<ChildInfo> children, string id) => children.Single(c => c.Id == id).Pid;

    [Fact]
    public async Task ExpectExitAsync_GivesTheReason_EvenForAProcessAlreadyGone()
    {
        var pid = Node.Spawn(_ => throw new OtpExitException(R("done")));
        (await Node.ExpectExitAsync(pid)).Should().Be(R("done"));
        (await Node.ExpectExitAsync(pid, R("done"))).Should().Be(R("done")); // already gone: its actual reason, not noproc
    }

    [Fact]
    public async Task ExpectExitAsync_StillAlive_ThrowsAndLeavesNoMonitorBehind()
    {
        var pid = Node.SpawnIdle();
        var act = () => Node.ExpectExitAsync(pid, timeout: TimeSpan.FromMilliseconds(20));
        (await act.Should().ThrowAsync<TestKitAssertionException>()).Which.Message
            .Should().StartWith($"ExpectExitAsync: {pid} (status ").And.EndWith("did not exit within 20 ms");
        Node.GetProcessInfo(pid)!.MonitoredBy.Should().Be(0);
    }

    [Fact]
    public async Task ExpectExitAsync_OtherReason_SaysBoth()
    {
        var pid = Node.Spawn(_ => throw new OtpExitException(R("boom")));
        var act = () => Node.ExpectExitAsync(pid, ExitReason.Normal);
        (await act.Should().ThrowAsync<TestKitAssertionException>()).Which.Message.Should().Be($"ExpectExitAsync: {pid} exited with reason boom, expected normal.");
    }

    [Fact] // U6: a permanent child is restarted with a new pid
    public async Task ExpectRestartAsync_PermanentChildKilled_ReturnsTheNewLivePid()
    {
        var sup = await _test.StartSupervisedAsync(ChildSpec.ForSupervisor("sup", () => new Flat(new SupervisorFlags { Intensity = 5 }, W("a").Spec())));
        var old = PidOf(await Supervisor.WhichChildrenAsync(sup), "a");
        Node.Exit(old, ExitReason.Kill);
        var fresh = await _test.ExpectRestartAsync(sup, Atom.Of("a"), old);
        fresh.Should().NotBe(old);
        Node.IsAlive(fresh).Should().BeTrue();
    }

    [Fact] // U8: a restart that fails is retried by the supervisor through its mailbox
    public async Task ExpectRestartAsync_FirstRestartAttemptFails_WaitsForTheRetry()
    {
        var sup = await _test.StartSupervisedAsync(ChildSpec.ForSupervisor("sup", () =>
            new Flat(new SupervisorFlags { Intensity = 5 }, W("a", init: attempt => attempt == 2 ? InitResult<int>.Stop(R("not_yet")) : null).Spec())));
        var old = PidOf(await Supervisor.WhichChildrenAsync(sup), "a");
        Node.Exit(old, ExitReason.Kill);
        var fresh = await _test.ExpectRestartAsync(sup, Atom.Of("a"), old);
        Node.IsAlive(fresh).Should().BeTrue();
        _journal.Count(e => e == "init a").Should().Be(3);
    }

    [Fact] // U6: temporary children are not restarted, transient ones not after a normal exit
    public async Task ExpectRestartAsync_ChildNotRestarted_ExplainsWhy()
    {
        var sup = await _test.StartSupervisedAsync(ChildSpec.ForSupervisor("sup", () =>
            new Flat(new SupervisorFlags(), W("t").Spec(RestartType.Temporary), W("tr").Spec(RestartType.Transient))));
        var t = PidOf(await Supervisor.WhichChildrenAsync(sup), "t");
        Node.Exit(t, ExitReason.Kill);
        var temporary = () => _test.ExpectRestartAsync(sup, Atom.Of("t"), t);
        (await temporary.Should().ThrowAsync<TestKitAssertionException>()).Which.Message
            .Should().Be($"ExpectRestartAsync: {sup} has no child t (ChildId) after {t} exited (a temporary child is removed, not restarted); its children: tr (ChildId).");

        var tr = PidOf(await Supervisor.WhichChildrenAsync(sup), "tr");
        await GenServer.CallAsync(tr, ("stop", ExitReason.Normal));
        var transient = () => _test.ExpectRestartAsync(sup, Atom.Of("tr"), tr);
        (await transient.Should().ThrowAsync<TestKitAssertionException>()).Which.Message
            .Should().Contain($"the child tr (ChildId) of {sup} was not restarted after {tr} exited with normal: it has no process");
    }

    [Fact] // U7: a supervisor that gives up cannot restart anything
    public async Task ExpectRestartAsync_SupervisorGivesUp_SaysTheSupervisorIsGone()
    {
        var sup = await _test.StartSupervisedAsync(ChildSpec.ForSupervisor("sup", () => new Flat(new SupervisorFlags { Intensity = 0 }, W("a").Spec())) with { Restart = RestartType.Temporary });
        var old = PidOf(await Supervisor.WhichChildrenAsync(sup), "a");
        var supGone = Node.ExpectExitAsync(sup);
        Node.Exit(old, ExitReason.Kill);
        await supGone;
        var act = () => _test.ExpectRestartAsync(sup, Atom.Of("a"), old);
        (await act.Should().ThrowAsync<TestKitAssertionException>()).Which.Message
            .Should().Be($"ExpectRestartAsync: the supervisor {sup} did not answer which_children: noproc.");
    }

    [Fact]
    public async Task ExpectRestartAsync_OldPidNeverExits_TimesOut()
    {
        var sup = await _test.StartSupervisedAsync(ChildSpec.ForSupervisor("sup", () => new Flat(new SupervisorFlags(), W("a").Spec())));
        var old = PidOf(await Supervisor.WhichChildrenAsync(sup), "a");
        var act = () => _test.ExpectRestartAsync(sup, Atom.Of("a"), old, TimeSpan.FromMilliseconds(20));
        (await act.Should().ThrowAsync<TestKitAssertionException>()).Which.Message
            .Should().Be($"ExpectRestartAsync: the child a (ChildId) of {sup} ({old}) was not restarted within 20 ms.");
    }

    [Fact] // U9: after a one_for_all restart every child runs again
    public async Task ExpectChildrenSettledAsync_AfterOneForAllRestart_AllChildrenLiveAndNew()
    {
        var sup = await _test.StartSupervisedAsync(ChildSpec.ForSupervisor("sup", () =>
            new Flat(new SupervisorFlags { Strategy = Strategy.OneForAll, Intensity = 5 }, W("a").Spec(), W("b").Spec(), W("i", init: _ => InitResult<int>.Ignore()).Spec())));
        var before = await Supervisor.WhichChildrenAsync(sup);
        Node.Exit(PidOf(before, "b"), ExitReason.Kill);
        await Node.ExpectExitAsync(PidOf(before, "b"));
        var after = await _test.ExpectChildrenSettledAsync(sup);
        after.Where(c => !c.Pid.IsUndefined).Should().HaveCount(2).And.OnlyContain(c => Node.IsAlive(c.Pid) && !before.Any(b => b.Pid == c.Pid));
        PidOf(after, "i").IsUndefined.Should().BeTrue(); // ignored: settled without a process
    }

    [Fact]
    public async Task ExpectChildrenSettledAsync_Recursive_WaitsForNestedSupervisors()
    {
        var top = await _test.StartSupervisedAsync(ChildSpec.ForSupervisor("top", () =>
            new Flat(new SupervisorFlags { Intensity = 5 }, ChildSpec.ForSupervisor(Atom.Of("inner"), () => new Flat(new SupervisorFlags { Intensity = 5 }, W("w").Spec())))));
        var inner = PidOf(await Supervisor.WhichChildrenAsync(top), "inner");
        var w = PidOf(await Supervisor.WhichChildrenAsync(inner), "w");
        Node.Exit(w, ExitReason.Kill);
        await Node.ExpectExitAsync(w);
        await _test.ExpectChildrenSettledAsync(top, recursive: true);
        var now = PidOf(await Supervisor.WhichChildrenAsync(inner), "w");
        now.Should().NotBe(w);
        Node.IsAlive(now).Should().BeTrue();
    }

    [Fact]
    public async Task RunAsync_BodyNeverCompletes_KillsTheProcessAndThrows()
    {
        var never = new TaskCompletionSource<int>();
        var act = () => Node.RunAsync(_ => never.Task, timeout: TimeSpan.FromMilliseconds(20));
        (await act.Should().ThrowAsync<TestKitAssertionException>()).Which.Message.Should().EndWith("did not complete within 20 ms");
        foreach (var left in Node.Processes) (await Node.ExpectExitAsync(left)).Should().Be(ExitReason.Killed); // killed, if not gone yet
        Node.ProcessCount.Should().Be(0);
    }

    [Fact]
    public async Task Within_TaskNeverCompletes_Throws()
    {
        var act = () => new TaskCompletionSource().Task.Within(TimeSpan.FromMilliseconds(20));
        (await act.Should().ThrowAsync<TestKitAssertionException>()).Which.Message.Should().Be("the task did not complete within 20 ms");
        (await Task.FromResult(3).Within()).Should().Be(3);
    }

    private sealed class Flat(SupervisorFlags flags, params ChildSpec[] children) : Supervisor
    {
        public override ValueTask<SupervisorInit> InitAsync(object? args, CancellationToken cancellationToken) => SupervisorInit.Ok(flags, children);
    }
}
