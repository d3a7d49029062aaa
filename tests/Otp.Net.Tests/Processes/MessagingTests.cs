using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Tests.Processes;

public sealed class MessagingTests : IDisposable
{
    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    [Fact] // P6.1
    public async Task Send_ToDeadPid_SilentlySucceeds()
    {
        var dead = _node.Spawn(_ => Task.CompletedTask);
        await _node.ExpectExitAsync(dead);
        var act = () => _node.Send(dead, "hello");
        act.Should().NotThrow();
    }

    [Fact] // P6.1
    public void Send_ToUnregisteredName_ThrowsBadArgument()
    {
        var act = () => _node.Send("nobody", "hello");
        act.Should().Throw<BadArgumentException>();
    }

    [Fact] // P6.2
    public async Task Messages_FromOneSender_ArriveInSendOrder()
    {
        var received = await _node.RunAsync(async ctx =>
        {
            var self = ctx.Self;
            ctx.Spawn(c =>
            {
                for (var i = 0; i < 10_000; i++) c.Send(self, i);
                return Task.CompletedTask;
            });
            var list = new List<int>();
            for (var i = 0; i < 10_000; i++) list.Add((int)await ctx.ReceiveAsync());
            return list;
        });
        received.Should().BeInAscendingOrder().And.HaveCount(10_000);
    }

    [Fact] // P6.2: order per sender holds with many concurrent senders, across the mailbox's segment boundaries
    public async Task ConcurrentSenders_EachKeepTheirOrder_NothingLost()
    {
        const int senders = 4;
        const int each = 50_000;
        var result = await _node.RunAsync(async ctx =>
        {
            var self = ctx.Self;
            for (var s = 0; s < senders; s++)
            {
                var sender = s;
                ctx.Spawn(c =>
                {
                    for (var i = 0; i < each; i++) c.Send(self, (sender, i));
                    return Task.CompletedTask;
                });
            }
            var next = new int[senders];
            for (var n = 0; n < senders * each; n++)
            {
                var (sender, i) = ((int, int))await ctx.ReceiveAsync();
                if (i != next[sender]) return $"sender {sender}: got {i}, expected {next[sender]}";
                next[sender]++;
            }
            return "ok";
        });
        result.Should().Be("ok");
    }

    [Fact] // P6.2: an exit signal to a trapping process is ordered behind earlier messages from the same sender
    public async Task TrappedExit_IsQueuedBehindEarlierMessagesFromSameSender()
    {
        var order = await _node.RunAsync(async ctx =>
        {
            ctx.TrapExit = true;
            var self = ctx.Self;
            ctx.SpawnLink(c =>
            {
                c.Send(self, "one");
                c.Send(self, "two");
                throw new OtpExitException(ExitReason.Of(Atom.Of("done")));
            });
            var list = new List<object>();
            for (var i = 0; i < 3; i++) list.Add(await ctx.ReceiveAsync());
            return list;
        });
        order[0].Should().Be("one");
        order[1].Should().Be("two");
        order[2].Should().BeOfType<ExitMessage>();
    }

    [Theory] // selective receive keeps a scan position: a waiting receive tests each message once, not once per wake-up
    [InlineData(false)]
    [InlineData(true)] // the same with a time limit (receive ... after)
    public async Task SelectiveReceive_WaitingOverGrowingBacklog_TestsEachMessageOnce(bool withTimeout)
    {
        const int n = 200;
        var tested = new SemaphoreSlim(0);
        var tests = 0;
        var result = await _node.RunAsync(async ctx =>
        {
            var self = ctx.Self;
            ctx.Spawn(async c =>
            {
                // One message at a time, each after the receiver has tested the previous one: every send wakes it.
                for (var i = 0; i < n; i++)
                {
                    c.Send(self, i);
                    await tested.WaitAsync();
                }
                c.Send(self, "done");
            });
            bool Match(object m)
            {
                Interlocked.Increment(ref tests);
                tested.Release();
                return m is string;
            }
            return withTimeout ? await ctx.ReceiveAsync(Match, TestKit.Patience) : await ctx.ReceiveAsync(Match);
        });
        result.Should().Be("done");
        tests.Should().Be(n + 1);
    }

    [Fact] // P6.2: selective receives taking from the middle of a large backlog leave the rest in arrival order
    public async Task SelectiveReceive_ManyTakesFromBacklog_RestStaysInOrder()
    {
        var (picked, rest) = await _node.RunAsync(async ctx =>
        {
            for (var i = 0; i < 5_000; i++) ctx.Send(ctx.Self, i);
            var picked = new List<int>();
            for (var i = 4_999; i >= 0; i -= 7) picked.Add(await ctx.ReceiveAsync<int>(x => x == i));
            var rest = new List<int>();
            while (await ctx.ReceiveAsync(null, TimeSpan.Zero) is int x) rest.Add(x);
            return (picked, rest);
        });
        picked.Should().Equal(Enumerable.Range(0, 5_000).Where(i => (4_999 - i) % 7 == 0).Reverse());
        rest.Should().Equal(Enumerable.Range(0, 5_000).Where(i => (4_999 - i) % 7 != 0));
    }

    [Fact] // a process has one reader: a second receive while one waits is refused, nothing is taken
    public async Task Receive_WhileAnotherReceiveWaits_ThrowsReceivePending_AndFirstStillGetsTheMessage()
    {
        var (errors, first) = await _node.RunAsync(async ctx =>
        {
            var pending = ctx.ReceiveAsync().AsTask();
            var errors = new List<Type>();
            foreach (var receive in new Func<Task>[]
            {
                async () => await ctx.ReceiveAsync(),
                async () => await ctx.ReceiveAsync(_ => true),
                async () => await ctx.ReceiveAsync(null, TimeSpan.Zero),
            })
            {
                try
                {
                    await receive();
                }
                catch (Exception ex)
                {
                    errors.Add(ex.GetType());
                }
            }
            _node.Send(ctx.Self, "hello");
            var first = await pending;
            // Once the first receive has its message, the process may receive again.
            _node.Send(ctx.Self, "again");
            return (errors, first + " " + await ctx.ReceiveAsync());
        });
        errors.Should().Equal(typeof(ReceivePendingException), typeof(ReceivePendingException), typeof(ReceivePendingException));
        typeof(ReceivePendingException).Should().BeDerivedFrom<InvalidOperationException>();
        first.Should().Be("hello again");
    }

    [Fact] // the same while a receive with a time limit waits
    public async Task Receive_WhileTimedReceiveWaits_ThrowsReceivePending()
    {
        var error = await _node.RunAsync(async ctx =>
        {
            var pending = ctx.ReceiveAsync(null, TestKit.Patience).AsTask();
            Exception? error = null;
            try
            {
                await ctx.ReceiveAsync();
            }
            catch (Exception ex)
            {
                error = ex;
            }
            _node.Send(ctx.Self, "hello");
            (await pending).Should().Be("hello");
            return error;
        });
        error.Should().BeOfType<ReceivePendingException>();
    }

    [Fact] // selective receive keeps unmatched messages queued in order
    public async Task SelectiveReceive_UnmatchedMessagesStayQueuedInOrder()
    {
        var result = await _node.RunAsync(async ctx =>
        {
            ctx.Send(ctx.Self, "a");
            ctx.Send(ctx.Self, 1);
            ctx.Send(ctx.Self, "b");
            ctx.Send(ctx.Self, 2);
            var firstInt = await ctx.ReceiveAsync<int>();
            var rest = new List<object>();
            for (var i = 0; i < 3; i++) rest.Add(await ctx.ReceiveAsync());
            return (firstInt, rest);
        });
        result.firstInt.Should().Be(1);
        result.rest.Should().Equal("a", "b", 2);
    }

    [Fact] // receive ... after
    public async Task ReceiveWithTimeout_NothingArrives_ReturnsNull_ThenMessageStillReceivable()
    {
        var result = await _node.RunAsync(async ctx =>
        {
            ctx.Send(ctx.Self, "unrelated");
            var timedOut = await ctx.ReceiveAsync(m => m is int, TimeSpan.FromMilliseconds(30));
            var kept = await ctx.ReceiveAsync(null, TimeSpan.Zero);
            return (timedOut, kept);
        });
        result.timedOut.Should().BeNull();
        result.kept.Should().Be("unrelated");
    }

    [Fact] // receive ... after: a message arriving before the deadline wins
    public async Task ReceiveWithTimeout_MessageArrives_ReturnsIt()
    {
        var got = await _node.RunAsync(async ctx =>
        {
            var self = ctx.Self;
            ctx.Spawn(c =>
            {
                c.Send(self, 42);
                return Task.CompletedTask;
            });
            return await ctx.ReceiveAsync(null, TimeSpan.FromSeconds(30));
        });
        got.Should().Be(42);
    }

    [Fact] // P7
    public async Task Register_WhereIs_Unregister_AndNameFreedAtDeath()
    {
        var go = new TaskCompletionSource();
        var pid = _node.Spawn(async _ => await go.Task);
        _node.Register("worker", pid);
        _node.WhereIs("worker").Should().Be(pid);
        _node.RegisteredNames.Should().Contain("worker");
        _node.GetProcessInfo(pid)!.RegisteredName.Should().Be("worker");
        go.SetResult();
        await _node.ExpectExitAsync(pid);
        _node.WhereIs("worker").Should().BeNull();
        _node.RegisteredNames.Should().NotContain("worker");
    }

    [Fact] // P7
    public void Register_NameTakenOrPidAlreadyNamed_ThrowsBadArgument()
    {
        var a = _node.SpawnIdle();
        var b = _node.SpawnIdle();
        _node.Register("a", a);
        ((Action)(() => _node.Register("a", b))).Should().Throw<BadArgumentException>();
        ((Action)(() => _node.Register("other", a))).Should().Throw<BadArgumentException>();
        ((Action)(() => _node.Unregister("missing"))).Should().Throw<BadArgumentException>();
        _node.Unregister("a");
        _node.WhereIs("a").Should().BeNull();
    }

    [Fact] // P7: sending to a registered name
    public async Task Send_ToRegisteredName_Delivers()
    {
        var got = new TaskCompletionSource<object>();
        _node.Spawn(async ctx => got.SetResult(await ctx.ReceiveAsync()), new SpawnOptions { Name = "inbox" });
        _node.Send("inbox", "hi");
        (await got.Task.Within()).Should().Be("hi");
    }

    [Fact]
    public async Task ProcessInfo_ReportsQueueLengthTrapExitAndStatus()
    {
        var ready = new TaskCompletionSource();
        var go = new TaskCompletionSource();
        var pid = _node.Spawn(async ctx =>
        {
            ready.SetResult();
            await go.Task;
            await ctx.ReceiveAsync();
        }, new SpawnOptions { TrapExit = true });
        await ready.Task.Within();
        _node.Send(pid, 1);
        _node.Send(pid, 2);
        var info = _node.GetProcessInfo(pid)!;
        info.MessageQueueLength.Should().Be(2);
        info.TrapExit.Should().BeTrue();
        go.SetResult();
        await _node.ExpectExitAsync(pid);
        _node.GetProcessInfo(pid).Should().BeNull();
    }

    [Fact]
    public void Pid_PrintsLikeErlang()
    {
        var pid = _node.SpawnIdle();
        pid.ToString().Should().MatchRegex(@"^<0\.\d+\.0>$");
        default(Pid).ToString().Should().Be("undefined");
    }

    [Fact]
    public async Task Dispose_KillsEveryProcessLeft()
    {
        var node = new Node();
        var pid = node.SpawnIdle();
        var exit = node.WaitForExitAsync(pid);
        node.Dispose();
        (await exit.Within()).Should().Be(ExitReason.Killed);
        node.ProcessCount.Should().Be(0);
    }

    [Fact]
    public async Task Mailbox_IsAChannel_WriterDeliversToProcess()
    {
        var got = new TaskCompletionSource<object>();
        var pid = _node.Spawn(async ctx => got.SetResult(await ctx.ReceiveAsync()));
        pid.Process!.Mailbox.Writer.TryWrite("through the channel").Should().BeTrue();
        (await got.Task.Within()).Should().Be("through the channel");
    }

    [Fact] // a cancelled WaitForExitAsync leaves no monitor on the process; a started GenServer carries none either
    public async Task WaitForExit_Cancelled_RemovesItsMonitor_StartLeavesNoMonitor()
    {
        var pid = _node.SpawnIdle();
        using (var cts = new CancellationTokenSource())
        {
            var wait = _node.WaitForExitAsync(pid, cts.Token);
            _node.GetProcessInfo(pid)!.MonitoredBy.Should().Be(1);
            await cts.CancelAsync();
            await FluentActions.Awaiting(() => wait).Should().ThrowAsync<OperationCanceledException>();
        }
        _node.GetProcessInfo(pid)!.MonitoredBy.Should().Be(0);

        var server = (await Otp.Net.GenServers.GenServer.StartAsync(_node, new Otp.Net.Tests.GenServers.TestServer())).Pid;
        _node.GetProcessInfo(server)!.MonitoredBy.Should().Be(0);
    }

    [Fact] // P1, and the documented deviation: a killed process stops at its next receive, taking no queued message
    public async Task Killed_WhileRunning_TakesNoFurtherMessage()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ended = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pid = _node.Spawn(async ctx =>
        {
            var taken = 0;
            try
            {
                await ctx.ReceiveAsync();
                taken++;
                first.TrySetResult();
                await gate.Task;
                while (true)
                {
                    await ctx.ReceiveAsync();
                    taken++;
                }
            }
            finally
            {
                ended.TrySetResult(taken);
            }
        });
        _node.Send(pid, 1);
        await first.Task.Within();
        for (var i = 2; i <= 5; i++) _node.Send(pid, i);
        var exit = _node.WaitForExitAsync(pid);
        _node.Exit(pid, ExitReason.Kill);
        (await exit.Within()).Should().Be(ExitReason.Killed);
        gate.SetResult();
        (await ended.Task.Within()).Should().Be(1);
    }

    [Fact] // P4, P7: whoever gets the DOWN finds the process gone: not listed, its name free
    public async Task Down_ArrivesAfterTheProcessIsGone()
    {
        for (var round = 0; round < 100; round++)
        {
            var target = _node.SpawnIdle(new SpawnOptions { Name = "target" });
            var monitored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var watcher = _node.RunAsync(async ctx =>
            {
                var r = ctx.Monitor(target);
                monitored.SetResult();
                await ctx.ReceiveAsync(m => m is DownMessage d && d.Ref == r);
                return (Listed: _node.Processes.Contains(target), Named: _node.WhereIs("target"));
            });
            await monitored.Task.Within();
            // Killed from another thread, so the watcher can run while the exit path is still going.
            _node.Exit(target, ExitReason.Kill);
            var seen = await watcher;
            seen.Listed.Should().BeFalse();
            seen.Named.Should().BeNull();
        }
    }
}

