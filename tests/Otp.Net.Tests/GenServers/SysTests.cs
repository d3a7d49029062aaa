using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Sys;
using Otp.Net.Terms;

namespace Otp.Net.Tests.GenServers;

public sealed class SysTests : IDisposable
{
    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    private async Task<Pid> StartAsync(TestArgs? args = null) =>
        (await GenServer.StartAsync(_node, new TestServer(), args)).GetPidOrThrow();

    [Fact] // S1: the caller's token stops its wait, not the process
    public async Task SysRequest_CallerCancels_ThrowsOperationCanceledAndProcessRuns()
    {
        var raw = _node.SpawnIdle(); // a plain process never answers a sys request
        using var cts = new CancellationTokenSource();
        var request = SysOps.GetStateAsync(raw, Timeout.InfiniteTimeSpan, cts.Token);

        await cts.CancelAsync();

        await FluentActions.Awaiting(() => request.Within()).Should().ThrowAsync<OperationCanceledException>();
        _node.IsAlive(raw).Should().BeTrue();
        var server = await StartAsync();
        using var unused = new CancellationTokenSource();
        await SysOps.GetStateAsync(server, cancellationToken: unused.Token); // an uncancelled token changes nothing
    }

    [Fact] // S1
    public async Task GetState_ReturnsState_AlsoWhileSuspended()
    {
        var pid = await StartAsync();
        GenServer.Cast(pid, "incr");
        (await SysOps.GetStateAsync(pid)).Should().Be(1); // ordered after the cast from the same sender
        await SysOps.SuspendAsync(pid);
        (await SysOps.GetStateAsync<int>(pid)).Should().Be(1);
    }

    [Fact] // S1
    public async Task GetState_DeadProcess_ExitsNoProc_NonSystemProcess_TimesOut()
    {
        var pid = await StartAsync();
        await GenServer.StopAsync(pid);
        var dead = (await FluentActions.Awaiting(() => SysOps.GetStateAsync(pid)).Should().ThrowAsync<CallException>()).Which;
        dead.CallReason.Should().Be(ExitReason.NoProc);
        TermFormatter.Format(dead.Reason, v => v is Pid ? "P" : null).Should().Be("{noproc,{sys,get_state,[P]}}");

        var raw = _node.SpawnIdle();
        var timeout = (await FluentActions.Awaiting(() => SysOps.GetStateAsync(raw, TimeSpan.FromMilliseconds(30))).Should().ThrowAsync<CallTimeoutException>()).Which;
        TermFormatter.Format(timeout.Reason, v => v is Pid ? "P" : null).Should().Be("{timeout,{sys,get_state,[P,30]}}");
    }

    [Fact] // S2
    public async Task ReplaceState_ReturnsNewState_ThrowingFunctionLeavesStateUnchanged()
    {
        var pid = await StartAsync();
        (await SysOps.ReplaceStateAsync(pid, s => (int)s! + 41)).Should().Be(41);
        var ex = (await FluentActions.Awaiting(() => SysOps.ReplaceStateAsync(pid, _ => throw new InvalidOperationException("bad fun")))
            .Should().ThrowAsync<SysCallbackFailedException>()).Which;
        ex.Failure.Message.Should().Be("bad fun");
        (await SysOps.GetStateAsync(pid)).Should().Be(41);
    }

    [Fact] // S3
    public async Task Suspend_IsIdempotent_CallsWaitAndTimeOut_ResumeWorksWhenNotSuspended()
    {
        var pid = await StartAsync();
        await SysOps.SuspendAsync(pid);
        await SysOps.SuspendAsync(pid);
        var call = () => GenServer.CallAsync(pid, "get", TimeSpan.FromMilliseconds(30));
        (await call.Should().ThrowAsync<CallTimeoutException>()).Which.CallReason.Should().Be(CallException.Timeout);
        (await SysOps.GetStatusAsync(pid)).Suspended.Should().BeTrue();
        _node.GetProcessInfo(pid)!.Status.Should().Be(ProcessStatus.Suspended);
        await SysOps.ResumeAsync(pid);
        await SysOps.ResumeAsync(pid);
        (await GenServer.CallAsync(pid, "get")).Should().Be(0);
    }

    [Fact] // S3, design.md §4: messages sent during suspension are served after resume, in order
    public async Task Suspend_MessagesSentMeanwhile_ServedAfterResumeInOrder()
    {
        var pid = await StartAsync();
        await SysOps.SuspendAsync(pid);
        var calls = new List<Task<object?>>();
        for (var i = 0; i < 50; i++)
        {
            GenServer.Cast(pid, "incr");
            calls.Add(GenServer.CallAsync(pid, "get"));
        }
        (await SysOps.GetStateAsync(pid)).Should().Be(0);
        calls.Should().OnlyContain(c => !c.IsCompleted);
        await SysOps.ResumeAsync(pid);
        var replies = await Task.WhenAll(calls);
        replies.Should().Equal(Enumerable.Range(1, 50).Select(i => (object?)i));
    }

    [Fact] // S3, design.md §4: system messages served while suspended, between casts, do not disturb the casts' order
    public async Task Suspend_SystemMessagesBetweenCasts_CastsServedAfterResumeInOrder()
    {
        var pid = await StartAsync();
        await SysOps.SuspendAsync(pid);
        var calls = new List<Task<object?>>();
        for (var i = 0; i < 2_000; i++)
        {
            GenServer.Cast(pid, "incr");
            calls.Add(GenServer.CallAsync(pid, "get"));
            if (i % 100 == 0) (await SysOps.GetStateAsync(pid)).Should().Be(0);
        }
        calls.Should().OnlyContain(c => !c.IsCompleted);
        await SysOps.ResumeAsync(pid);
        var replies = await Task.WhenAll(calls).Within();
        replies.Should().Equal(Enumerable.Range(1, 2_000).Select(i => (object?)i));
    }

    [Fact] // S3: a suspended process still obeys its parent's shutdown
    public async Task Suspended_ParentShutdown_StillTerminates()
    {
        var journal = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var exit = await _node.RunAsync(async ctx =>
        {
            ctx.TrapExit = true;
            var pid = (await GenServer.StartLinkAsync(_node, new TestServer(), new TestArgs(TrapExit: true, Journal: journal))).Pid;
            await SysOps.SuspendAsync(pid);
            ctx.Exit(pid, ExitReason.Shutdown);
            return await ctx.ReceiveAsync<ExitMessage>();
        });
        exit.Reason.Should().Be(ExitReason.Shutdown);
        journal.Should().Equal("terminate shutdown");
    }

    [Fact] // S4
    public async Task ChangeCode_OnRunningProcess_ReturnsUnknownSystemMsg()
    {
        var pid = await StartAsync();
        var result = await SysOps.ChangeCodeAsync(pid, null, "1", null);
        result.IsOk.Should().BeFalse();
        result.ToString().Should().StartWith("{error,{unknown_system_msg,{change_code,");
    }

    [Fact] // S5
    public async Task ChangeCode_Results_OkErrorOtherRaise_AndFailureKeepsOldState()
    {
        var pid = await StartAsync();
        GenServer.Cast(pid, "incr");
        await SysOps.SuspendAsync(pid);
        (await SysOps.ChangeCodeAsync(pid, null, "1", "fail")).ToString().Should().Be("{error,{error,nope}}");
        (await SysOps.ChangeCodeAsync(pid, null, "1", "throw")).ToString().Should().StartWith("{error,{'EXIT',{'System.InvalidOperationException',\"code change exploded\"}}}");
        (await SysOps.GetStateAsync(pid)).Should().Be(1);
        (await SysOps.ChangeCodeAsync(pid, null, "1", null)).IsOk.Should().BeTrue();
        await SysOps.ResumeAsync(pid);
        (await GenServer.CallAsync(pid, "get")).Should().Be(10);
    }

    [Fact] // S7
    public async Task GetStatus_ReportsModuleStatusParentAndState()
    {
        var pid = await StartAsync();
        var status = await SysOps.GetStatusAsync(pid);
        status.Pid.Should().Be(pid);
        status.Behaviour.Should().Be("gen_server");
        status.Module.Should().Be(typeof(TestServer).FullName);
        status.Suspended.Should().BeFalse();
        status.State.Should().Be(0);
    }

    [Fact]
    public async Task Statistics_CountMessagesInAndOut()
    {
        var pid = await StartAsync();
        await SysOps.SetStatisticsAsync(pid, true);
        await GenServer.CallAsync(pid, "get");
        GenServer.Cast(pid, "incr");
        var stats = await SysOps.GetStatisticsAsync(pid);
        stats!.MessagesIn.Should().Be(2);
        stats.MessagesOut.Should().Be(1);
        (await SysOps.GetStatusAsync(pid)).Debug.Should().Contain("statistics");
    }
}
