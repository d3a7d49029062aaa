using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Tasks;
using Otp.Net.Terms;

namespace Otp.Net.Tests.Tasks;

public sealed class TaskTests : IDisposable
{
    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    private static ExitReason R(string a) => ExitReason.Of(Atom.Of(a));

    [Fact] // D2: async links and monitors; await returns the result
    public async Task Async_Await_ReturnsResult_AndTaskIsLinkedToOwner()
    {
        var (value, linked) = await _node.RunAsync(async ctx =>
        {
            var gate = new TaskCompletionSource();
            var t = OtpTask.Async(async _ =>
            {
                await gate.Task;
                return 42;
            });
            var links = _node.GetProcessInfo(ctx.Self)!.Links.Contains(t.Pid);
            gate.SetResult();
            return (await OtpTask.AwaitAsync(t), links);
        });
        value.Should().Be(42);
        linked.Should().BeTrue();
    }

    [Fact] // D2: only the owner may await
    public async Task Await_ByNonOwner_ThrowsArgumentException()
    {
        var task = await _node.RunAsync(ctx => Task.FromResult(OtpTask.Async(_ => Task.FromResult<object?>(1))));
        var thrown = await _node.RunAsync(async _ =>
        {
            try
            {
                await OtpTask.AwaitAsync(task);
                return false;
            }
            catch (ArgumentException)
            {
                return true;
            }
        });
        thrown.Should().BeTrue();
    }

    [Fact] // D2: a task crash kills a non-trapping caller through the link
    public async Task TaskCrash_KillsNonTrappingOwnerThroughLink()
    {
        var ready = new TaskCompletionSource<Pid>();
        var owner = _node.Spawn(async ctx =>
        {
            var t = OtpTask.Async(_ => throw new OtpExitException(R("boom")));
            ready.SetResult(ctx.Self);
            await OtpTask.AwaitAsync(t, Timeout.InfiniteTimeSpan);
        });
        (await _node.ExitOf(owner)).Should().Be(R("boom"));
    }

    [Fact] // D2: a trapping owner's await exits with {Reason, {Task, await, [T, Timeout]}}
    public async Task TaskCrash_TrappingOwner_AwaitExitsWithReason()
    {
        var ex = await _node.RunAsync(async ctx =>
        {
            ctx.TrapExit = true;
            var t = OtpTask.Async(_ => throw new OtpExitException(R("boom")));
            try
            {
                await OtpTask.AwaitAsync(t);
                return null;
            }
            catch (CallException e)
            {
                return e;
            }
        });
        ex!.CallReason.Should().Be(R("boom"));
        ex.Function.Should().Be("await");
    }

    [Fact] // D2: on timeout await exits with timeout and the task keeps running
    public async Task Await_Timeout_ExitsTimeout_TaskStillRunning()
    {
        var (reason, alive) = await _node.RunAsync(async ctx =>
        {
            var gate = new TaskCompletionSource();
            var t = OtpTask.Async(async _ =>
            {
                await gate.Task;
                return 1;
            });
            try
            {
                await OtpTask.AwaitAsync(t, TimeSpan.FromMilliseconds(20));
                return (null, false);
            }
            catch (CallTimeoutException e)
            {
                var stillAlive = _node.IsAlive(t.Pid);
                gate.SetResult();
                return ((ExitReason?)e.CallReason, stillAlive);
            }
        });
        reason.Should().Be(CallException.Timeout);
        alive.Should().BeTrue();
    }

    [Fact] // D2: await_many keeps input order under one deadline
    public async Task AwaitMany_ReturnsResultsInInputOrder()
    {
        var results = await _node.RunAsync(async ctx =>
        {
            var slow = OtpTask.Async(async _ =>
            {
                await Task.Delay(30, CancellationToken.None);
                return "slow";
            });
            var fast = OtpTask.Async(_ => Task.FromResult<object?>("fast"));
            return await OtpTask.AwaitManyAsync([slow, fast]);
        });
        results.Should().Equal("slow", "fast");
    }

    [Fact] // D2: await_many timeout
    public async Task AwaitMany_Timeout_ExitsWithAwaitManyTimeout()
    {
        var ex = await _node.RunAsync(async ctx =>
        {
            var never = new TaskCompletionSource<object?>();
            var t = OtpTask.Async(_ => never.Task);
            try
            {
                await OtpTask.AwaitManyAsync([t], TimeSpan.FromMilliseconds(20));
                return null;
            }
            catch (CallTimeoutException e)
            {
                return e;
            }
        });
        ex!.CallReason.Should().Be(CallException.Timeout);
        ex.Function.Should().Be("await_many");
    }

    [Fact] // D2: yield returns {ok, r}, {exit, reason} or nil
    public async Task Yield_ReturnsOkExitOrNil()
    {
        var (ok, nil, exit) = await _node.RunAsync(async ctx =>
        {
            ctx.TrapExit = true;
            var a = OtpTask.Async(_ => Task.FromResult<object?>(7));
            var okResult = await OtpTask.YieldAsync(a);
            var gate = new TaskCompletionSource<object?>();
            var b = OtpTask.Async(_ => gate.Task);
            var nilResult = await OtpTask.YieldAsync(b, TimeSpan.FromMilliseconds(10));
            var c = OtpTask.Async(_ => throw new OtpExitException(R("bad")));
            var exitResult = await OtpTask.YieldAsync(c);
            gate.SetResult(null);
            return (okResult, nilResult, exitResult);
        });
        ok.Should().Be(new TaskOutcome(true, 7, null));
        nil.Should().BeNull();
        exit!.Reason.Should().Be(R("bad"));
    }

    [Fact] // D2: shutdown of a running task returns nil and the task is gone
    public async Task Shutdown_RunningTask_ReturnsNil()
    {
        var (result, alive) = await _node.RunAsync(async ctx =>
        {
            var t = OtpTask.Async(_ => new TaskCompletionSource<object?>().Task);
            var r = await OtpTask.ShutdownAsync(t, TimeSpan.FromSeconds(5));
            return (r, _node.IsAlive(t.Pid));
        });
        result.Should().BeNull();
        alive.Should().BeFalse();
    }

    [Fact] // D2: Task.Supervisor children are temporary; async_nolink does not link
    public async Task TaskSupervisor_AsyncNoLink_CrashDoesNotKillCaller()
    {
        var (exit, callerAlive) = await _node.RunAsync(async ctx =>
        {
            ctx.TrapExit = true;
            var sup = (await TaskSupervisor.StartLinkAsync(_node)).Pid;
            var t = await TaskSupervisor.AsyncNoLinkAsync(sup, _ => throw new OtpExitException(R("boom")));
            var y = await OtpTask.YieldAsync(t);
            var counts = await Otp.Net.Supervision.DynamicSupervisor.CountChildrenAsync(sup);
            counts.Specs.Should().Be(0); // temporary: not restarted, not kept
            return (y, _node.IsAlive(ctx.Self));
        });
        exit!.Reason.Should().Be(R("boom"));
        callerAlive.Should().BeTrue();
    }

    [Fact] // D2: cancelling the wait is not a timeout: the caller lives, the task keeps running and can be awaited again
    public async Task Await_CancelledWait_ThrowsOperationCanceled_TaskKeepsRunningAndCanBeAwaitedAgain()
    {
        var (cancelled, alive, value, queued) = await _node.RunAsync(async ctx =>
        {
            var gate = new TaskCompletionSource<object?>();
            var t = OtpTask.Async(_ => gate.Task);
            using var cts = new CancellationTokenSource();
            var waiting = OtpTask.AwaitAsync(t, Timeout.InfiniteTimeSpan, cts.Token);
            cts.Cancel();
            var cancelled = false;
            try
            {
                await waiting;
            }
            catch (OperationCanceledException)
            {
                cancelled = true;
            }
            var alive = _node.IsAlive(t.Pid);
            gate.SetResult(7);
            var value = await OtpTask.AwaitAsync(t);
            return (cancelled, alive, value, _node.GetProcessInfo(ctx.Self)!.MessageQueueLength);
        });
        cancelled.Should().BeTrue();
        alive.Should().BeTrue();
        value.Should().Be(7);
        queued.Should().Be(0);
    }

    [Fact] // D2: an already cancelled token ends await_many and yield at once; the tasks keep running
    public async Task AwaitManyAndYield_AlreadyCancelledToken_ThrowOperationCanceled_TasksKeepRunning()
    {
        var (many, yielded, alive) = await _node.RunAsync(async ctx =>
        {
            var gate = new TaskCompletionSource<object?>();
            var t = OtpTask.Async(_ => gate.Task);
            var many = await Catch(() => OtpTask.AwaitManyAsync([t], Timeout.InfiniteTimeSpan, new CancellationToken(true)));
            var yielded = await Catch(() => OtpTask.YieldAsync(t, Timeout.InfiniteTimeSpan, new CancellationToken(true)));
            var alive = _node.IsAlive(t.Pid);
            gate.SetResult(null);
            await OtpTask.AwaitAsync(t);
            return (many, yielded, alive);
        });
        many.Should().BeTrue();
        yielded.Should().BeTrue();
        alive.Should().BeTrue();
    }

    [Fact] // D2: cancelling a shutdown's wait kills the task at once and leaves no monitor or message behind
    public async Task Shutdown_CancelledWait_KillsTask_AndLeavesNothingQueued()
    {
        var (cancelled, exit, queued) = await _node.RunAsync(async ctx =>
        {
            var trapping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var t = OtpTask.Async(async _ =>
            {
                ProcessContext.CurrentProcess!.TrapExit = true; // the shutdown request becomes a message it never reads
                trapping.SetResult();
                await Task.Delay(Timeout.Infinite, CancellationToken.None);
                return null;
            });
            await trapping.Task;
            var exited = _node.WaitForExitAsync(t.Pid);
            using var cts = new CancellationTokenSource();
            var waiting = OtpTask.ShutdownAsync(t, Timeout.InfiniteTimeSpan, cts.Token);
            cts.Cancel();
            var cancelled = await Catch(() => waiting);
            var exit = await exited;
            return (cancelled, exit, _node.GetProcessInfo(ctx.Self)!.MessageQueueLength);
        });
        cancelled.Should().BeTrue();
        exit.Kind.Should().Be(ExitReasonKind.Killed);
        queued.Should().Be(0);
    }

    private static async Task<bool> Catch(Func<Task> wait)
    {
        try
        {
            await wait();
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }
}
