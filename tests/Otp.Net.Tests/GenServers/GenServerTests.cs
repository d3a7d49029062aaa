using System.Collections.Concurrent;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;
using static Otp.Net.Tests.TestKit;

namespace Otp.Net.Tests.GenServers;

public sealed class GenServerTests : IDisposable
{
    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    private async Task<Pid> StartAsync(TestArgs? args = null, string? name = null) =>
        (await GenServer.StartAsync(_node, new TestServer(), args, new GenServerOptions { Name = name })).GetPidOrThrow();

    [Fact] // G1
    public async Task Start_InitOk_ReturnsOkPid_AndServerRuns()
    {
        var result = await GenServer.StartAsync(_node, new TestServer());
        result.IsOk.Should().BeTrue();
        (await GenServer.CallAsync(result.Pid, "incr")).Should().Be(1);
    }

    [Fact] // G1
    public async Task Start_InitIgnore_ReturnsIgnore_ProcessExitsNormal()
    {
        var result = await GenServer.StartAsync(_node, new TestServer(), new TestArgs(Init: InitResult<int>.Ignore));
        result.Should().Be(StartResult.Ignore);
        _node.ProcessCount.Should().Be(0);
    }

    [Fact] // G1
    public async Task Start_InitStop_ReturnsError_ProcessExitsWithReason()
    {
        var result = await GenServer.StartAsync(_node, new TestServer(), new TestArgs(Init: () => InitResult<int>.Stop(R("bad_config"))));
        result.Outcome.Should().Be(StartOutcome.Error);
        result.Error.Should().Be(R("bad_config"));
        result.ToString().Should().Be("{error,bad_config}");
    }

    [Fact] // G1
    public async Task Start_InitThrows_ReturnsErrorWithException()
    {
        var result = await GenServer.StartAsync(_node, new TestServer(), new TestArgs(Init: () => throw new InvalidOperationException("no")));
        result.Error!.Kind.Should().Be(ExitReasonKind.Error);
        result.Error.Exception!.Message.Should().Be("no");
    }

    [Fact] // G1
    public async Task Start_InitReturnsNull_ReturnsBadReturnValue()
    {
        var result = await GenServer.StartAsync(_node, new TestServer(), new TestArgs(Init: () => null!));
        result.Error!.ToString().Should().Be("{bad_return_value,undefined}");
    }

    [Fact] // G1
    public async Task Start_NameTaken_ReturnsAlreadyStartedWithOwner()
    {
        var first = await StartAsync(name: "kv");
        var second = await GenServer.StartAsync(_node, new TestServer(), null, new GenServerOptions { Name = "kv" });
        second.Outcome.Should().Be(StartOutcome.Error);
        second.Error.Should().Be(ExitReason.Of(TermTuple.Of(Atom.Of("already_started"), first)));
        (await GenServer.CallAsync(ServerRef.Named(_node, "kv"), "get")).Should().Be(0);
    }

    [Fact] // G2
    public async Task StartLink_InitStops_NonTrappingCallerGetsErrorThenIsKilled()
    {
        var gotResult = new TaskCompletionSource<StartResult>();
        var caller = _node.Spawn(async ctx =>
        {
            gotResult.SetResult(await GenServer.StartLinkAsync(_node, new TestServer(), new TestArgs(Init: () => InitResult<int>.Stop(R("nope")))));
            await ctx.ReceiveAsync();
        });
        var exit = _node.WaitForExitAsync(caller);
        (await gotResult.Task.Within()).Error.Should().Be(R("nope"));
        (await exit.Within()).Should().Be(R("nope"));
    }

    [Fact] // G2
    public async Task StartLink_InitStops_TrappingCallerGetsErrorAndExitMessage()
    {
        var (result, exit) = await _node.RunAsync(async ctx =>
        {
            ctx.TrapExit = true;
            var r = await GenServer.StartLinkAsync(_node, new TestServer(), new TestArgs(Init: () => InitResult<int>.Stop(R("nope"))));
            return (r, await ctx.ReceiveAsync<ExitMessage>());
        });
        result.Error.Should().Be(R("nope"));
        exit.Reason.Should().Be(R("nope"));
    }

    [Fact] // G3
    public async Task Init_WithContinue_RunsHandleContinueFirst()
    {
        var journal = new ConcurrentQueue<string>();
        var pid = await StartAsync(new TestArgs(Init: () => InitResult<int>.Ok(1, ServerAction.Continue(Atom.Of("warm"))), Journal: journal));
        (await GenServer.CallAsync(pid, "get")).Should().Be(101);
        journal.Should().Equal("continue warm");
    }

    [Fact] // G3, G12
    public async Task Init_WithTimeout_DeliversTimeoutToHandleInfo()
    {
        var journal = new ConcurrentQueue<string>();
        var noted = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await StartAsync(new TestArgs(Init: () => InitResult<int>.Ok(0, ServerAction.After(TimeSpan.FromMilliseconds(10))), Journal: journal, OnNote: n => noted.TrySetResult(n)));
        (await noted.Task.Within()).Should().Be("info timeout");
        journal.Should().Equal("info timeout");
    }

    [Fact] // G12: any message, even an unrelated one, cancels the timeout
    public async Task IdleTimeout_AnyMessageCancelsIt()
    {
        var journal = new ConcurrentQueue<string>();
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        using var node = new Node(new NodeOptions { TimeProvider = clock });
        var pid = (await GenServer.StartAsync(node, new TestServer(), new TestArgs(Journal: journal))).Pid;
        await GenServer.CallAsync(pid, ("timeout", 1000));
        node.Send(pid, Atom.Of("unrelated"));
        await GenServer.CallAsync(pid, "get"); // the unrelated message is handled before this call
        clock.Advance(TimeSpan.FromSeconds(2));
        await GenServer.CallAsync(pid, "get");
        journal.Should().Equal("info unrelated");
    }

    [Fact] // G4: .NET has no separate throw class; a callback that throws exits the server (documented deviation)
    public async Task Callback_Throws_ServerExitsWithException_NotUsedAsReturnValue()
    {
        var pid = await StartAsync();
        var exit = _node.WaitForExitAsync(pid);
        var act = () => GenServer.CallAsync(pid, ("crash", R("boom")));
        (await act.Should().ThrowAsync<CallException>()).Which.CallReason.Should().Be(R("boom"));
        (await exit.Within()).Should().Be(R("boom"));
    }

    [Fact] // G5, G6
    public async Task Call_DefaultTimeoutIsFiveSeconds_AndTimeoutCarriesCallArgs()
    {
        GenServer.DefaultCallTimeout.Should().Be(TimeSpan.FromSeconds(5));
        var pid = await StartAsync();
        // The server stays busy far longer than the timeout, so a starved thread pool cannot let its reply win.
        var act = () => GenServer.CallAsync(pid, ("sleep", 10_000), TimeSpan.FromMilliseconds(20));
        var ex = (await act.Should().ThrowAsync<CallTimeoutException>()).Which;
        ex.CallReason.Should().Be(CallException.Timeout);
        TermFormatter.Format(ex.Reason, v => v is Pid ? "S" : null).Should().Be("{timeout,{gen_server,call,[S,{\"sleep\",10000},20]}}");
    }

    [Fact] // G6
    public async Task Call_DeadPidOrUnknownName_ExitsNoProc()
    {
        var pid = await StartAsync();
        await GenServer.StopAsync(pid);
        (await FluentActions.Awaiting(() => GenServer.CallAsync(pid, "get")).Should().ThrowAsync<CallException>())
            .Which.CallReason.Should().Be(ExitReason.NoProc);
        (await FluentActions.Awaiting(() => GenServer.CallAsync(ServerRef.Named(_node, "nobody"), "get")).Should().ThrowAsync<CallException>())
            .Which.Reason.ToString().Should().Be("{noproc,{gen_server,call,[nobody,\"get\"]}}");
    }

    [Fact] // G6
    public async Task Call_ServerStopsNormallyDuringCall_ExitsNormal()
    {
        var pid = await StartAsync();
        var act = () => GenServer.CallAsync(pid, ("stop_noreply", ExitReason.Normal));
        (await act.Should().ThrowAsync<CallException>()).Which.CallReason.Should().Be(ExitReason.Normal);
    }

    [Fact] // G6
    public async Task Call_Self_ExitsCallingSelf()
    {
        var reason = await _node.RunAsync(async ctx =>
        {
            try
            {
                await GenServer.CallAsync(ctx.Self, "get");
                return null;
            }
            catch (CallException ex)
            {
                return ex.CallReason;
            }
        });
        reason.Should().Be(CallException.CallingSelf);
    }

    [Fact] // G6: an uncaught failed call ends the calling process with {Reason, {gen_server, call, Args}}
    public async Task Call_FailsInsideProcess_ProcessExitsWithFullReason()
    {
        var pid = await StartAsync();
        await GenServer.StopAsync(pid);
        var caller = _node.Spawn(async _ => await GenServer.CallAsync(pid, "get"));
        var reason = await _node.ExitOf(caller);
        TermFormatter.Format(reason, v => v is Pid ? "S" : null).Should().Be("{noproc,{gen_server,call,[S,\"get\"]}}");
    }

    [Fact] // G7
    public async Task Call_TimedOut_ServerStillHandlesIt_LateReplyNeverReachesCallerMailbox()
    {
        var pid = await StartAsync();
        var (timedOut, leftover, count) = await _node.RunAsync(async ctx =>
        {
            var t = false;
            try
            {
                await GenServer.CallAsync(pid, ("sleep", 600), TimeSpan.FromMilliseconds(10));
            }
            catch (CallTimeoutException)
            {
                t = true;
            }
            var c = await GenServer.CallAsync(pid, "incr"); // served after the slow request finished
            return (t, await ctx.ReceiveAsync(null, TimeSpan.Zero), c);
        });
        timedOut.Should().BeTrue();
        leftover.Should().BeNull();
        count.Should().Be(1);
    }

    [Fact] // G8
    public async Task Cast_AlwaysSucceeds_EvenToDeadPidOrUnknownName()
    {
        var pid = await StartAsync();
        GenServer.Cast(pid, "incr");
        (await GenServer.CallAsync(pid, "get")).Should().Be(1);
        await GenServer.StopAsync(pid);
        FluentActions.Invoking(() => GenServer.Cast(pid, "incr")).Should().NotThrow();
        FluentActions.Invoking(() => GenServer.Cast(ServerRef.Named(_node, "nobody"), "incr")).Should().NotThrow();
    }

    [Fact] // a local name outside any process has no node: refused with a typed error, never silently dropped
    public async Task CastAndCall_LocalNameOutsideProcess_ThrowNameWithoutNode_NothingSent()
    {
        var pid = await StartAsync(name: "counter");
        FluentActions.Invoking(() => GenServer.Cast(ServerRef.Local("counter"), "incr")).Should().Throw<NameWithoutNodeException>()
            .Which.Name.Should().Be("counter");
        FluentActions.Invoking(() => { _ = GenServer.CallAsync(ServerRef.Local("counter"), "get"); }).Should().Throw<NameWithoutNodeException>();
        (await GenServer.CallAsync(pid, "get")).Should().Be(0);
        // Inside a process the local name resolves on the process's node.
        var fromProcess = await _node.RunAsync(async _ =>
        {
            GenServer.Cast(ServerRef.Local("counter"), "incr");
            return await GenServer.CallAsync(ServerRef.Local("counter"), "get");
        });
        fromProcess.Should().Be(1);
        FluentActions.Invoking(() => ServerRef.Local(null!)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => ServerRef.Local("")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => ServerRef.Named(_node, "")).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void ServerRef_String_HasNoImplicitConversion()
    {
        // A string that became a ServerRef silently compiled and then failed outside a process: only pids convert.
        typeof(ServerRef).GetMethods().Where(m => m.Name == "op_Implicit").Select(m => m.GetParameters()[0].ParameterType)
            .Should().Equal(typeof(Pid));
    }

    [Fact] // G9
    public async Task HandleCall_StopWithReply_CallerGetsReplyThenTerminateRuns()
    {
        var journal = new ConcurrentQueue<string>();
        var pid = await StartAsync(new TestArgs(Journal: journal));
        var exit = _node.WaitForExitAsync(pid);
        (await GenServer.CallAsync(pid, ("stop", ExitReason.Normal))).Should().Be("ok");
        (await exit.Within()).Should().Be(ExitReason.Normal);
        journal.Should().Equal("terminate normal");
    }

    [Fact] // G10
    public async Task BadReturnValue_StopsServer_TerminateRuns_CallerExitsWithIt()
    {
        var journal = new ConcurrentQueue<string>();
        var pid = await StartAsync(new TestArgs(Journal: journal));
        var act = () => GenServer.CallAsync(pid, "bad_return");
        (await act.Should().ThrowAsync<CallException>()).Which.CallReason.ToString().Should().Be("{bad_return_value,undefined}");
        journal.Should().Equal("terminate {bad_return_value,undefined}");
    }

    [Fact] // G10: a reply from handle_cast is outside its grammar
    public async Task HandleCast_ReturnsReply_IsBadReturnValue()
    {
        var pid = await StartAsync();
        var exit = _node.WaitForExitAsync(pid);
        GenServer.Cast(pid, "reply_from_cast");
        (await exit.Within()).ToString().Should().StartWith("{bad_return_value,{reply,");
    }

    [Fact] // G11
    public async Task DeferredReply_NoReplyThenReplyLater()
    {
        var pid = await StartAsync();
        (await GenServer.CallAsync(pid, "defer")).Should().Be("deferred");
    }

    [Fact] // G13
    public async Task Continue_RunsBeforeMessagesQueuedEarlier()
    {
        var journal = new ConcurrentQueue<string>();
        var pid = await StartAsync(new TestArgs(Journal: journal));
        await SysOpsSuspend(pid);
        var call = GenServer.CallAsync(pid, ("continue", Atom.Of("first")));
        _node.Send(pid, "queued_before_continue_ran");
        await Otp.Net.Sys.SysOps.ResumeAsync(pid);
        await call;
        await GenServer.CallAsync(pid, "get");
        journal.Should().Equal("continue first", "info \"queued_before_continue_ran\"");
    }

    private static Task SysOpsSuspend(Pid pid) => Otp.Net.Sys.SysOps.SuspendAsync(pid);

    [Fact] // G14
    public async Task UnexpectedMessage_WithDefaultHandleInfo_IsLoggedAndDropped()
    {
        var pid = (await GenServer.StartAsync(_node, new MinimalServer())).Pid;
        _node.Send(pid, "surprise");
        (await GenServer.CallAsync(pid, "ping")).Should().Be("pong");
    }

    private sealed class MinimalServer : GenServer<int>
    {
        public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(0);

        public override ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken) =>
            Reply("pong", state);
    }

    [Fact] // G15.1, G15.2
    public async Task Terminate_RunsOnStopResultAndOnRaise()
    {
        var j1 = new ConcurrentQueue<string>();
        var p1 = await StartAsync(new TestArgs(Journal: j1));
        var e1 = _node.WaitForExitAsync(p1);
        GenServer.Cast(p1, ("stop", R("done")));
        await e1.Within();
        j1.Should().Equal("terminate done");

        var j2 = new ConcurrentQueue<string>();
        var p2 = await StartAsync(new TestArgs(Journal: j2));
        await FluentActions.Awaiting(() => GenServer.CallAsync(p2, ("crash", R("boom")))).Should().ThrowAsync<CallException>();
        j2.Should().Equal("terminate boom");
    }

    [Fact] // G15.3
    public async Task Terminate_RunsWhenTrappingServerGetsParentExit_EvenNormal()
    {
        var journal = new ConcurrentQueue<string>();
        var exit = await _node.RunAsync(async ctx =>
        {
            ctx.TrapExit = true;
            var pid = (await GenServer.StartLinkAsync(_node, new TestServer(), new TestArgs(TrapExit: true, Journal: journal))).Pid;
            ctx.Exit(pid, ExitReason.Normal);
            return await ctx.ReceiveAsync<ExitMessage>();
        });
        exit.Reason.Should().Be(ExitReason.Normal);
        journal.Should().Equal("terminate normal");
    }

    [Fact] // G15 (not called): a non-trapping server killed by a signal skips terminate; kill never runs it
    public async Task Terminate_NotCalled_WhenNonTrappingServerGetsShutdown_OrWhenKilled()
    {
        var j1 = new ConcurrentQueue<string>();
        var p1 = await StartAsync(new TestArgs(Journal: j1));
        var e1 = _node.WaitForExitAsync(p1);
        _node.Exit(p1, ExitReason.Shutdown);
        (await e1.Within()).Should().Be(ExitReason.Shutdown);
        j1.Should().BeEmpty();

        var j2 = new ConcurrentQueue<string>();
        var p2 = await StartAsync(new TestArgs(TrapExit: true, Journal: j2));
        var e2 = _node.WaitForExitAsync(p2);
        _node.Exit(p2, ExitReason.Kill);
        (await e2.Within()).Should().Be(ExitReason.Killed);
        j2.Should().BeEmpty();
    }

    [Fact] // G16
    public async Task TrappingServer_ExitFromNonParent_GoesToHandleInfoAndKeepsRunning()
    {
        var journal = new ConcurrentQueue<string>();
        var pid = await StartAsync(new TestArgs(TrapExit: true, Journal: journal));
        _node.Exit(pid, R("from_stranger"));
        (await GenServer.CallAsync(pid, "get")).Should().Be(0);
        journal.Single().Should().MatchRegex(@"^info \{'EXIT',undefined,from_stranger\}$");
    }

    [Fact] // G17
    public async Task Stop_ReturnsAfterTerminate_AndOnDeadProcessExitsNoProc()
    {
        var journal = new ConcurrentQueue<string>();
        var pid = await StartAsync(new TestArgs(Journal: journal));
        await GenServer.StopAsync(pid);
        journal.Should().Equal("terminate normal");
        _node.IsAlive(pid).Should().BeFalse();
        (await FluentActions.Awaiting(() => GenServer.StopAsync(pid)).Should().ThrowAsync<CallException>())
            .Which.CallReason.Should().Be(ExitReason.NoProc);
    }

    [Fact] // G17 with a reason
    public async Task Stop_WithReason_ServerExitsWithIt()
    {
        var pid = await StartAsync();
        var exit = _node.WaitForExitAsync(pid);
        await GenServer.StopAsync(pid, ExitReason.ShutdownWith(Atom.Of("x")));
        (await exit.Within()).ToString().Should().Be("{shutdown,x}");
    }

    [Fact] // G18: the Elixir forms are the same results: {:noreply, s, timeout | :hibernate | {:continue, arg}}
    public async Task Hibernate_IsAcceptedAsAction_AndServerKeepsServing()
    {
        var pid = (await GenServer.StartAsync(_node, new HibernatingServer())).Pid;
        (await GenServer.CallAsync(pid, "x")).Should().Be(1);
        (await GenServer.CallAsync(pid, "x")).Should().Be(2);
    }

    private sealed class HibernatingServer : GenServer<int>
    {
        public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(0, ServerAction.Hibernate);

        public override ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken) =>
            Reply(state + 1, state + 1, ServerAction.Hibernate);
    }

    [Fact] // a call's task ends as an async method's would: cancelled by the caller's token, it is Canceled with that token
    public async Task Call_CancelledByToken_TaskIsCanceled_WithTheCallersToken()
    {
        var pid = await StartAsync();
        using var cts = new CancellationTokenSource();
        var call = GenServer.CallAsync(pid, ("sleep", 300), Timeout.InfiniteTimeSpan, cts.Token);
        await cts.CancelAsync();
        var thrown = await call.Awaiting(c => c).Should().ThrowAsync<OperationCanceledException>();
        call.IsCanceled.Should().BeTrue();
        thrown.Which.CancellationToken.Should().Be(cts.Token);
    }

    private static readonly AsyncLocal<string?> Ambient = new();

    [Fact] // the caller's execution context flows across the wait, whichever thread the reply wakes it on
    public async Task Call_CallersAsyncLocal_IsTheSameAfterTheReply()
    {
        var pid = await StartAsync();
        Ambient.Value = "caller";
        for (var i = 0; i < 20; i++)
        {
            await GenServer.CallAsync(pid, "incr");
            Ambient.Value.Should().Be("caller");
        }
    }

    [Fact] // calls from plain .NET code honour a CancellationToken
    public async Task Call_FromOutsideProcess_CancellationTokenCancelsWait()
    {
        var pid = await StartAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(20));
        var act = () => GenServer.CallAsync(pid, ("sleep", 300), Timeout.InfiniteTimeSpan, cts.Token);
        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact] // G9, G10: callbacks that complete at once and callbacks that complete later, interleaved, in arrival order
    public async Task Callbacks_CompletingAtOnceAndLater_Interleaved_KeepOrderAndState()
    {
        var pid = (await GenServer.StartAsync(_node, new MixedServer())).Pid;
        var calls = new List<Task<object?>>();
        for (var i = 1; i <= 200; i++)
        {
            GenServer.Cast(pid, i);
            calls.Add(GenServer.CallAsync(pid, "sum"));
        }
        var sums = await Task.WhenAll(calls).Within();
        sums.Should().Equal(Enumerable.Range(1, 200).Select(n => (object?)(n * (n + 1) / 2)));
        var exit = _node.WaitForExitAsync(pid);
        GenServer.Cast(pid, "stop");
        (await exit.Within()).ToString().Should().Be("stopped_at_once");
    }

    /// <summary>Even casts and calls on an even sum complete later (after a yield); the others complete at once.</summary>
    private sealed class MixedServer : GenServer<int>
    {
        public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(0);

        public override ValueTask<ServerResult<int>> HandleCastAsync(object request, int state, CancellationToken cancellationToken) => request switch
        {
            "stop" => Stop(R("stopped_at_once"), state),
            int n when n % 2 == 0 => LaterAsync(NoReply(state + n)),
            int n => NoReply(state + n),
            _ => NoReply(state),
        };

        public override ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken) =>
            state % 2 == 0 ? LaterAsync(Reply(state, state)) : Reply(state, state);

        private static async ValueTask<ServerResult<int>> LaterAsync(ValueTask<ServerResult<int>> result)
        {
            await Task.Yield();
            return await result;
        }
    }
}
