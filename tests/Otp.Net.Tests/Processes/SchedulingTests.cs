using System.Threading.Tasks.Sources;
using Otp.Net.GenServers;
using Otp.Net.Processes;

namespace Otp.Net.Tests.Processes;

/// <summary>
/// A process woken by a process is handed to the waker's thread when the waker parks. These tests check that the
/// hand-off never makes a woken process wait on a waker that keeps its thread.
/// </summary>
public sealed class SchedulingTests : IDisposable
{
    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    [Fact]
    public async Task WokenProcess_Runs_WhileItsWakerBlocksItsThread()
    {
        using var received = new ManualResetEventSlim();
        var receiver = _node.Spawn(async ctx =>
        {
            await ctx.ReceiveAsync();
            received.Set();
        });
        var waker = _node.Spawn(async ctx =>
        {
            await ctx.ReceiveAsync(); // resumed by a wake-up, so the send below happens inside a turn
            ctx.Send(receiver, "wake");
            // Blocks this thread until the receiver has run: a hand-off that waited for the turn to end would hang.
            if (!received.Wait(TimeSpan.FromSeconds(30))) throw new TimeoutException("the woken process never ran");
        });
        var exit = _node.WaitForExitAsync(waker);
        await ParkedAsync(waker);
        _node.Send(waker, "go");
        (await exit.Within()).Should().Be(ExitReason.Normal);
    }

    [Fact]
    public async Task Consumer_RunsAlongside_AProducerThatNeverParks()
    {
        using var consumed = new ManualResetEventSlim();
        var producerDone = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = _node.Spawn(async ctx =>
        {
            await ctx.ReceiveAsync();
            consumed.Set();
            while (true) await ctx.ReceiveAsync();
        });
        var producer = _node.Spawn(async ctx =>
        {
            await ctx.ReceiveAsync();
            // Keeps its thread, sending now and then, until the consumer has taken a message: the consumer must not
            // wait for this turn to end. The cap only ends a failing run.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!consumed.IsSet && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                ctx.Send(consumer, "item");
                Thread.SpinWait(1000);
            }
            producerDone.SetResult(consumed.IsSet);
        });
        await ParkedAsync(producer);
        _node.Send(producer, "go");
        (await producerDone.Task.WaitAsync(TimeSpan.FromSeconds(60))).Should().BeTrue();
    }

    /// <summary>Waits until the process waits in a receive, so the next message resumes it through a wake-up.</summary>
    private async Task ParkedAsync(Pid pid)
    {
        using var cts = new CancellationTokenSource(TestKit.Patience);
        while (_node.GetProcessInfo(pid)?.Status != ProcessStatus.Waiting) await Task.Delay(1, cts.Token);
    }

    [Fact] // P6.2: hand-offs keep per-sender order, also past the hand-off budget
    public async Task LongPingPong_KeepsOrder()
    {
        const int rounds = 20_000;
        var pong = _node.Spawn(async ctx =>
        {
            while (true)
            {
                var (from, n) = ((Pid, int))await ctx.ReceiveAsync();
                ctx.Send(from, n);
            }
        });
        var last = await _node.RunAsync(async ctx =>
        {
            for (var i = 0; i < rounds; i++)
            {
                ctx.Send(pong, (ctx.Self, i));
                var n = (int)await ctx.ReceiveAsync();
                if (n != i) return n;
            }
            return rounds;
        });
        last.Should().Be(rounds);
    }

    private sealed class Echo : GenServer<int>
    {
        public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(0);

        public override ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken) =>
            Reply(request, state);
    }

    [Fact] // G5: a call made by a process that blocks its thread on the result (sync-over-async) is answered
    public async Task BlockingCalls_FromAProcess_AreAnswered()
    {
        var server = (await GenServer.StartAsync(_node, new Echo())).GetPidOrThrow();
        var answers = await _node.RunAsync(ctx =>
        {
            var n = 0;
            for (var i = 0; i < 200; i++)
            {
                // The server is woken from this turn and this thread never ends it: another thread must take it.
                if ((int)GenServer.CallAsync(server, i).GetAwaiter().GetResult()! == i) n++;
            }
            return Task.FromResult(n);
        }).Within();
        answers.Should().Be(200);
    }

    [Fact]
    public async Task HandOffOff_Node_QueuesWakeUpsToThePool_AndStillServesCalls()
    {
        using var node = new Node(new NodeOptions { HandOff = false });
        var server = (await GenServer.StartAsync(node, new Echo())).GetPidOrThrow();
        server.Process!.Mailbox.HandOff.Should().BeFalse();
        _node.Spawn(_ => Task.Delay(Timeout.Infinite)).Process!.Mailbox.HandOff.Should().BeTrue();
        var sum = await node.RunAsync(async ctx =>
        {
            var total = 0;
            for (var i = 0; i < 1_000; i++) total += (int)(await GenServer.CallAsync(server, 1))!;
            return total;
        }).Within();
        sum.Should().Be(1_000);
    }

    [Fact]
    public async Task HandOffOff_CompletionInATurn_IsQueued_NeverHeldInTheSlot()
    {
        var token = new CallReply(default) { HandOff = false };
        var ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ((IValueTaskSource<object?>)token).OnCompleted(_ => ran.SetResult(), null, 0, ValueTaskSourceOnCompletedFlags.None);
        var held = true;
        Scheduler.RunTurn(_ =>
        {
            token.TryReply("r");
            held = Scheduler.HoldsHandOff;
        }, null);
        held.Should().BeFalse();
        await ran.Task.Within();
    }

    [Fact]
    public async Task Continuation_RunsOnTheWaitersSynchronizationContext_InTheWaitersExecutionContext()
    {
        var local = new AsyncLocal<string?>();
        var context = new RecordingContext();
        var token = new CallReply(default);
        var seen = new TaskCompletionSource<(bool OnContext, string? Local)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var previous = SynchronizationContext.Current;
        try
        {
            SynchronizationContext.SetSynchronizationContext(context);
            local.Value = "waiter";
            // As an await with the default ConfigureAwait(true) registers it.
            ((IValueTaskSource<object?>)token).OnCompleted(
                _ => seen.SetResult((SynchronizationContext.Current == context, local.Value)),
                null,
                0,
                ValueTaskSourceOnCompletedFlags.UseSchedulingContext | ValueTaskSourceOnCompletedFlags.FlowExecutionContext);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
            local.Value = null;
        }
        await Task.Run(() => token.TryReply("r")); // completed elsewhere, in another execution context
        var (onContext, value) = await seen.Task.Within();
        context.Posts.Should().Be(1);
        onContext.Should().BeTrue();
        value.Should().Be("waiter");
    }

    [Fact]
    public async Task Continuation_RunsOnTheWaitersTaskScheduler()
    {
        var scheduler = new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler;
        var token = new CallReply(default);
        var seen = new TaskCompletionSource<TaskScheduler>(TaskCreationOptions.RunContinuationsAsynchronously);
        await Task.Factory.StartNew(
            () => ((IValueTaskSource<object?>)token).OnCompleted(_ => seen.SetResult(TaskScheduler.Current), null, 0, ValueTaskSourceOnCompletedFlags.UseSchedulingContext),
            CancellationToken.None, TaskCreationOptions.None, scheduler);
        await Task.Run(() => token.TryReply("r"));
        (await seen.Task.Within()).Should().BeSameAs(scheduler);
    }

    [Fact]
    public async Task SelectiveReceive_WokenLater_MatchesInTheProcesssExecutionContext()
    {
        var local = new AsyncLocal<string?>();
        var seenInMatch = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pid = _node.Spawn(async ctx =>
        {
            local.Value = "process";
            await ctx.ReceiveAsync(m =>
            {
                if (m is not "x") return false;
                seenInMatch.TrySetResult(local.Value);
                return true;
            });
        });
        await ParkedAsync(pid);
        _node.Send(pid, "x");
        (await seenInMatch.Task.Within()).Should().Be("process");
    }

    [Fact] // P6.2 aside: hand-offs between two processes never keep a third from running
    public async Task PingPongPair_DoesNotStarveAThirdProcess()
    {
        var thirdRan = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pong = _node.Spawn(async ctx =>
        {
            while (true)
            {
                var from = (Pid)await ctx.ReceiveAsync();
                ctx.Send(from, "pong");
            }
        });
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _node.Spawn(async ctx =>
        {
            started.SetResult();
            while (!thirdRan.Task.IsCompleted)
            {
                ctx.Send(pong, ctx.Self);
                await ctx.ReceiveAsync();
            }
        });
        await started.Task.Within();
        var third = _node.Spawn(async ctx =>
        {
            await ctx.ReceiveAsync();
            thirdRan.SetResult();
        });
        _node.Send(third, "go");
        await thirdRan.Task.Within();
    }

    [Fact] // processes of two nodes in one OS process wake each other, and one node's end leaves the other working
    public async Task TwoNodes_CallEachOther_AndOneOutlivesTheOther()
    {
        using var second = new Node(new NodeOptions { HandOff = false });
        var here = (await GenServer.StartAsync(_node, new Echo())).GetPidOrThrow();
        var there = (await GenServer.StartAsync(second, new Echo())).GetPidOrThrow();
        async Task<int> CallLoop(Node node, Pid server) => await node.RunAsync(async ctx =>
        {
            var n = 0;
            for (var i = 0; i < 2_000; i++)
            {
                if ((int)(await GenServer.CallAsync(server, i))! == i) n++;
            }
            return n;
        });
        var results = await Task.WhenAll(CallLoop(_node, there), CallLoop(second, here), CallLoop(_node, here), CallLoop(second, there)).Within();
        results.Should().OnlyContain(n => n == 2_000);

        second.Dispose();
        (await CallLoop(_node, here).Within()).Should().Be(2_000);
    }

    [Fact]
    public async Task Continuation_WhoseSynchronizationContextRefusesIt_RunsOnThePool_AndTheReplierGoesOn()
    {
        var token = new CallReply(default);
        var ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var previous = SynchronizationContext.Current;
        try
        {
            SynchronizationContext.SetSynchronizationContext(new RefusingContext());
            ((IValueTaskSource<object?>)token).OnCompleted(_ => ran.SetResult(), null, 0, ValueTaskSourceOnCompletedFlags.UseSchedulingContext);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
        // The replier (a server's turn, in real use) is not failed by the waiter's broken context.
        (await Task.Run(() => token.TryReply("r"))).Should().BeTrue();
        await ran.Task.Within();
    }

    [Fact]
    public async Task Continuation_WhoseTaskSchedulerRefusesIt_RunsOnThePool_AndTheReplierGoesOn()
    {
        var token = new CallReply(default);
        var ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var scheduler = new RefusingScheduler();
        await Task.Factory.StartNew(
            () => ((IValueTaskSource<object?>)token).OnCompleted(_ => ran.SetResult(), null, 0, ValueTaskSourceOnCompletedFlags.UseSchedulingContext),
            CancellationToken.None, TaskCreationOptions.None, scheduler);
        (await Task.Run(() => token.TryReply("r"))).Should().BeTrue();
        await ran.Task.Within();
    }

    [Fact]
    public async Task TimedOutWaiter_WhoseContextRefusesTheWakeUp_IsStillWoken_AndTheHostGoesOn()
    {
        // The timeout is completed by the node's deadline timer: an exception escaping a timer callback ends the
        // program, so the waiter's refusing context must not reach it.
        var token = new CallReply(default);
        var result = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var previous = SynchronizationContext.Current;
        try
        {
            SynchronizationContext.SetSynchronizationContext(new RefusingContext());
            ((IValueTaskSource<object?>)token).OnCompleted(_ => result.SetResult(((IValueTaskSource<object?>)token).GetResult(0)), null, 0, ValueTaskSourceOnCompletedFlags.UseSchedulingContext);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
        _node.CallDeadlines.TryAdd(token, TimeSpan.FromMilliseconds(5)).Should().BeTrue();
        (await result.Task.Within()).Should().BeSameAs(CallReply.TimedOut);
        // The deadline timer still serves later timeouts.
        var later = new CallReply(default);
        _node.CallDeadlines.TryAdd(later, TimeSpan.FromMilliseconds(5)).Should().BeTrue();
        (await new ValueTask<object?>(later, 0).AsTask().Within()).Should().BeSameAs(CallReply.TimedOut);
    }

    [Fact]
    public async Task SelectiveReceive_WhosePredicateThrowsOnAMessageArrivingLater_EndsTheReceive_NotTheProgram()
    {
        // The predicate runs when the message arrives, on the scheduler's pool thread: its exception must end the
        // receive (and so the process, with that error), not escape to the pool and end the program.
        var receiver = _node.Spawn(async ctx =>
        {
            await ctx.ReceiveAsync(m => m is "ok" ? true : throw new InvalidOperationException("bad predicate"));
        });
        var exit = _node.WaitForExitAsync(receiver);
        await ParkedAsync(receiver);
        _node.Send(receiver, "other");
        var reason = await exit.Within();
        reason.ToString().Should().Contain("bad predicate");
        // The node goes on serving.
        var echo = _node.Spawn(async ctx =>
        {
            var (from, text) = ((Pid, string))await ctx.ReceiveAsync(m => m is (Pid, string));
            ctx.Send(from, text);
        });
        (await _node.RunAsync(async ctx =>
        {
            ctx.Send(echo, (ctx.Self, "still here"));
            return (string)await ctx.ReceiveAsync();
        }).Within()).Should().Be("still here");
    }

    /// <summary>A context that no longer takes work (as a disposed UI context does).</summary>
    private sealed class RefusingContext : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state) => throw new InvalidOperationException("this context is closed");
    }

    /// <summary>A scheduler that takes one task (the registration) and refuses every later one.</summary>
    private sealed class RefusingScheduler : TaskScheduler
    {
        private int _taken;

        protected override void QueueTask(Task task)
        {
            if (Interlocked.Exchange(ref _taken, 1) != 0) throw new InvalidOperationException("this scheduler is closed");
            ThreadPool.UnsafeQueueUserWorkItem(_ => TryExecuteTask(task), null);
        }

        protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

        protected override IEnumerable<Task>? GetScheduledTasks() => null;
    }

    private sealed class RecordingContext : SynchronizationContext
    {
        private int _posts;

        public int Posts => Volatile.Read(ref _posts);

        public override void Post(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref _posts);
            ThreadPool.UnsafeQueueUserWorkItem(_ =>
            {
                SetSynchronizationContext(this);
                d(state);
            }, null);
        }
    }
}
