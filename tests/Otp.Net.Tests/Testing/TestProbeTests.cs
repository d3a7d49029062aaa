using Microsoft.Extensions.Time.Testing;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;
using static Otp.Net.Tests.TestKit;

namespace Otp.Net.Tests.Testing;

public sealed class TestProbeTests : IAsyncDisposable
{
    private readonly TestNode _test = new();

    public ValueTask DisposeAsync() => _test.DisposeAsync();

    private Node Node => _test.Node;

    [Fact]
    public async Task ExpectMsgAsync_TypedWithPredicate_ReturnsTheMessageSentToThePid()
    {
        var probe = _test.CreateProbe();
        Node.Spawn(ctx =>
        {
            ctx.Send(probe.Pid, ("hello", 42));
            return Task.CompletedTask;
        });
        var (text, n) = await probe.ExpectMsgAsync<(string, int)>(m => m.Item2 == 42);
        (text, n).Should().Be(("hello", 42));
    }

    [Fact]
    public async Task ExpectMsgAsync_NothingArrives_ThrowsWithTheExpectationAndNothingReceived()
    {
        var probe = _test.CreateProbe();
        var act = () => probe.ExpectMsgAsync<string>(s => s.StartsWith("he"), TimeSpan.FromMilliseconds(20));
        var error = (await act.Should().ThrowAsync<TestKitAssertionException>()).Which;
        error.Message.Should().Be($"ExpectMsgAsync at probe {probe.Pid}: timed out after 20 ms waiting for a message of type String matching s => s.StartsWith(\"he\"); received nothing.");
    }

    [Fact]
    public async Task ExpectMsgAsync_AnotherMessageComesFirst_ThrowsNamingWhatArrived()
    {
        var probe = _test.CreateProbe();
        probe.Send(probe.Pid, 42);
        probe.Send(probe.Pid, "hello");
        var act = () => probe.ExpectMsgAsync<string>();
        (await act.Should().ThrowAsync<TestKitAssertionException>()).Which.Message
            .Should().Be($"ExpectMsgAsync at probe {probe.Pid}: expected a message of type String, but the next message was 42 (Int32).");
        (await probe.ExpectMsgAsync<string>()).Should().Be("hello"); // the wrong one was taken, as in Akka
    }

    [Fact]
    public async Task ExpectMsgAsync_ByValue_EqualPassesOtherThrows()
    {
        var probe = _test.CreateProbe();
        Node.Send(probe, (Atom.Of("ok"), 1));
        Node.Send(probe, (Atom.Of("ok"), 2));
        (await probe.ExpectMsgAsync((Atom.Of("ok"), 1))).Item2.Should().Be(1);
        var act = () => probe.ExpectMsgAsync((Atom.Of("ok"), 3));
        (await act.Should().ThrowAsync<TestKitAssertionException>()).Which.Message
            .Should().Contain("expected the message {ok,3} ((Atom, Int32)), but the next message was {ok,2} ((Atom, Int32))");
        var timeoutByMistake = () => probe.ExpectMsgAsync(TimeSpan.FromSeconds(1));
        await timeoutByMistake.Should().ThrowAsync<ArgumentException>().WithMessage("*ExpectMsgAsync<object>(timeout: t)*");
    }

    [Fact]
    public async Task ExpectMsgAnyOfAsync_OneOfThem_ReturnsIt_OtherwiseListsTheCandidates()
    {
        var probe = _test.CreateProbe();
        Node.Send(probe, "b");
        Node.Send(probe, "z");
        (await probe.ExpectMsgAnyOfAsync("a", "b")).Should().Be("b");
        var act = () => probe.ExpectMsgAnyOfAsync("a", "b");
        (await act.Should().ThrowAsync<TestKitAssertionException>()).Which.Message
            .Should().Contain("expected \"a\" (String) or \"b\" (String), but the next message was \"z\" (String)");
    }

    [Fact]
    public async Task ExpectNoMsgAsync_QuietMailbox_Passes_AMessage_ThrowsNamingIt()
    {
        var probe = _test.CreateProbe();
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(20));
        Node.Send(probe, Atom.Of("late"));
        var act = () => probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(20));
        (await act.Should().ThrowAsync<TestKitAssertionException>()).Which.Message
            .Should().Be($"ExpectNoMsgAsync at probe {probe.Pid}: expected no message for 20 ms, but received late (Atom).");
    }

    [Fact]
    public async Task AssertReceiveAsync_IsSelective_OtherMessagesStayInOrder()
    {
        var probe = _test.CreateProbe();
        Node.Send(probe, 1);
        Node.Send(probe, "x");
        Node.Send(probe, 2);
        (await probe.AssertReceiveAsync<string>()).Should().Be("x");
        (await probe.ExpectMsgAsync(1)).Should().Be(1);
        (await probe.ExpectMsgAsync(2)).Should().Be(2);
    }

    [Fact]
    public async Task AssertReceiveAsync_NoMatch_ListsTheMailbox_WhichStaysIntact()
    {
        var probe = _test.CreateProbe();
        Node.Send(probe, 1);
        Node.Send(probe, 2);
        var act = () => probe.AssertReceiveAsync<int>(n => n > 5, TimeSpan.FromMilliseconds(20));
        (await act.Should().ThrowAsync<TestKitAssertionException>()).Which.Message
            .Should().Be($"AssertReceiveAsync at probe {probe.Pid}: no message of type Int32 matching n => n > 5 arrived within 20 ms; the mailbox holds 2 other message(s): 1 (Int32), 2 (Int32).");
        (await probe.ReceiveWhileAsync<int>(max: TimeSpan.FromMilliseconds(20))).Should().Equal(1, 2);

        var empty = () => probe.AssertReceiveAsync<int>(timeout: TimeSpan.Zero);
        (await empty.Should().ThrowAsync<TestKitAssertionException>()).Which.Message.Should().EndWith("the mailbox is empty.");
    }

    [Fact]
    public async Task RefuteReceiveAsync_OnlyMatchingMessagesFail_OthersStay()
    {
        var probe = _test.CreateProbe();
        Node.Send(probe, "other");
        await probe.RefuteReceiveAsync<int>(duration: TimeSpan.FromMilliseconds(20));
        Node.Send(probe, 7);
        var act = () => probe.RefuteReceiveAsync<int>(n => n == 7, TimeSpan.FromMilliseconds(20));
        (await act.Should().ThrowAsync<TestKitAssertionException>()).Which.Message
            .Should().Contain("expected no message of type Int32 matching n => n == 7 for 20 ms, but received 7 (Int32)");
        (await probe.ExpectMsgAsync<string>()).Should().Be("other");
    }

    [Fact]
    public async Task FishForMessageAsync_DropsUntilAMatch_FailureListsWhatWasDropped()
    {
        var probe = _test.CreateProbe();
        foreach (var n in new[] { 1, 2, 3 }) Node.Send(probe, n);
        (await probe.FishForMessageAsync<int>(n => n == 2)).Should().Be(2);
        var act = () => probe.FishForMessageAsync<int>(n => n == 9, TimeSpan.FromMilliseconds(20));
        (await act.Should().ThrowAsync<TestKitAssertionException>()).Which.Message
            .Should().Contain("fishing for a message of type Int32 matching n => n == 9; dropped 3 (Int32)");
    }

    [Fact]
    public async Task ReceiveWhileAsync_TakesWhileMatching_LeavesTheFirstOtherForTheNextExpectation()
    {
        var probe = _test.CreateProbe();
        foreach (var m in new object[] { 1, 2, 3, "stop", 4 }) Node.Send(probe, m);
        (await probe.ReceiveWhileAsync<int>()).Should().Equal(1, 2, 3);
        (await probe.ExpectMsgAsync("stop")).Should().Be("stop");
        (await probe.ReceiveWhileAsync<int>(maxMessages: 1)).Should().Equal(4);
    }

    [Fact] // P4.1: the probe's monitor is an ordinary monitor
    public async Task WatchAsync_ThenExit_ExpectDownAsyncGivesTheReason_WrongReasonIsExplained()
    {
        var probe = _test.CreateProbe();
        var target = Node.SpawnIdle();
        var monitor = await probe.WatchAsync(target);
        Node.Exit(target, R("boom"));
        var down = await probe.ExpectDownAsync(target, R("boom"));
        down.Ref.Should().Be(monitor);

        var other = Node.SpawnIdle();
        await probe.WatchAsync(other);
        Node.Exit(other, R("bang"));
        var act = () => probe.ExpectDownAsync(other, R("boom"));
        (await act.Should().ThrowAsync<TestKitAssertionException>()).Which.Message
            .Should().Contain($"expected the DOWN for {other} with reason boom, but its reason was bang");
    }

    [Fact]
    public async Task ExpectDownAsync_ByRef_NoneArrives_SaysWhatTheMailboxHolds()
    {
        var probe = _test.CreateProbe();
        var target = Node.SpawnIdle();
        var monitor = await probe.WatchAsync(target);
        Node.Send(probe, "noise");
        var act = () => probe.ExpectDownAsync(monitor, timeout: TimeSpan.FromMilliseconds(20));
        (await act.Should().ThrowAsync<TestKitAssertionException>()).Which.Message
            .Should().Contain($"no DOWN for the monitor {monitor} arrived within 20 ms; the mailbox holds 1 other message(s): \"noise\" (String)");
        await probe.UnwatchAsync(monitor);
        Node.Exit(target, ExitReason.Kill);
        await Node.ExpectExitAsync(target);
        await probe.ExpectMsgAsync("noise");
        await probe.ExpectNoMsgAsync();
    }

    [Fact] // P2, P1.5: a trapping probe linked to a process that dies gets an EXIT message and lives on
    public async Task LinkAsync_PartnerCrashes_ProbeReceivesExitMessageAndSurvives()
    {
        var probe = _test.CreateProbe();
        var partner = Node.SpawnIdle();
        await probe.LinkAsync(partner);
        Node.Exit(partner, R("crash"));
        (await probe.ExpectExitMessageAsync(partner, R("crash"))).Reason.Should().Be(R("crash"));
        Node.IsAlive(probe).Should().BeTrue();
    }

    [Fact] // P2: a probe that does not trap exits dies with its link partner, and a waiting expectation says so
    public async Task NonTrappingProbe_LinkedPartnerCrashes_PendingExpectationReportsTheProbesExit()
    {
        var probe = _test.CreateProbe(trapExit: false);
        var partner = Node.SpawnIdle();
        await probe.LinkAsync(partner);
        var pending = probe.ExpectMsgAsync();
        Node.Exit(partner, R("crash"));
        (await FluentActions.Awaiting(() => pending).Should().ThrowAsync<TestKitAssertionException>()).Which.Message
            .Should().Be($"probe {probe.Pid} exited with reason crash before the operation completed");
        (await probe.Exited).Should().Be(R("crash"));
    }

    [Fact] // G11: a call made by the probe comes from the probe
    public async Task CallAsync_ServerSeesTheProbeAsCaller()
    {
        var probe = _test.CreateProbe();
        var server = (await GenServer.StartAsync(Node, new WhoCalls())).GetPidOrThrow();
        (await probe.CallAsync(server, "who")).Should().Be(probe.Pid);
    }

    [Fact]
    public async Task Probe_IsARealProcess_NamedMonitoredAndKilledOnDispose()
    {
        var probe = _test.CreateProbe(name: "probe_under_test");
        Node.WhereIs("probe_under_test").Should().Be(probe.Pid);
        Node.Send("probe_under_test", "by name");
        (await probe.ExpectMsgAsync<string>()).Should().Be("by name");
        var watcher = _test.CreateProbe();
        await watcher.WatchAsync(probe);
        await probe.DisposeAsync();
        await watcher.ExpectDownAsync(probe.Pid, ExitReason.Killed);
        Action afterDispose = () => _ = probe.RunAsync(_ => Task.FromResult(1));
        afterDispose.Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public async Task Dispose_AlwaysExitsKilled_NeverNormal_EvenWhenTheProbeWakesBeforeTheKill()
    {
        // Dispose closes the command channel, then kills. On a busy machine the probe can wake from the closed
        // channel before the kill lands: it must wait for the kill, not exit 'normal' first.
        var watcher = _test.CreateProbe();
        var probe = _test.CreateProbe();
        await watcher.WatchAsync(probe);
        probe.CloseCommands();
        await watcher.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        probe.Dispose();
        await watcher.ExpectDownAsync(probe.Pid, ExitReason.Killed);
    }

    [Fact]
    public async Task RunAsync_RunsInsideTheProbe_ExceptionsReachTheTestAndTheProbeLivesOn()
    {
        var probe = _test.CreateProbe();
        (await probe.RunAsync(ctx => Task.FromResult(ctx.Self))).Should().Be(probe.Pid);
        var act = () => probe.RunAsync<int>(_ => throw new InvalidOperationException("oops"));
        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("oops");
        Node.Send(probe, "still here");
        (await probe.ExpectMsgAsync<string>()).Should().Be("still here");
    }

    [Fact]
    public async Task Predicate_Throws_AssertionCarriesTheCause_ProbeLivesOn()
    {
        var probe = _test.CreateProbe();
        Node.Send(probe, "x");
        var act = () => probe.AssertReceiveAsync<string>(s => throw new FormatException("bad predicate"));
        (await act.Should().ThrowAsync<TestKitAssertionException>()).Which.InnerException.Should().BeOfType<FormatException>();
        Node.Send(probe, "y");
        (await probe.ExpectMsgAsync<string>()).Should().Be("y");
    }

    [Fact] // Akka's Within: expectations inside wait at most the time left
    public async Task WithinAsync_BoundsTheExpectationsInside_AndFailsASlowBlock()
    {
        var probe = _test.CreateProbe();
        probe.DefaultTimeout = TimeSpan.FromMinutes(10);
        var inner = () => probe.WithinAsync(TimeSpan.FromMilliseconds(50), () => probe.ExpectMsgAsync());
        var error = (await inner.Should().ThrowAsync<TestKitAssertionException>()).Which;
        error.Message.Should().Contain("timed out after").And.Contain(" ms waiting for a message").And.NotContain("600 s");

        var never = new TaskCompletionSource();
        var slow = () => probe.WithinAsync(TimeSpan.FromMilliseconds(20), () => never.Task);
        (await slow.Should().ThrowAsync<TestKitAssertionException>()).Which.Message.Should().Be("the block did not complete within 20 ms");

        Node.Send(probe, 5);
        (await probe.WithinAsync(TimeSpan.FromSeconds(30), () => probe.ExpectMsgAsync<int>())).Should().Be(5);
    }

    [Fact] // the kit's timeouts run on the wall clock: a node on a fake clock never hangs an expectation
    public async Task Expectations_NodeOnFakeClock_TimeOutOnTheKitsClock()
    {
        await using var test = new TestNode(o => o with { TimeProvider = new FakeTimeProvider() });
        var probe = test.CreateProbe();
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(10));
        (await probe.TryReceiveAsync(TimeSpan.FromMilliseconds(10))).Should().BeNull();
    }

    [Fact]
    public async Task TimeFactor_DilatesEveryTimeout_AndTheFailureShowsTheDilatedValue()
    {
        await using var test = new TestNode(settings: new TestKitSettings { TimeFactor = 2 });
        var probe = test.CreateProbe();
        var act = () => probe.ExpectMsgAsync<object>(timeout: TimeSpan.FromMilliseconds(10));
        (await act.Should().ThrowAsync<TestKitAssertionException>()).Which.Message.Should().Contain("timed out after 20 ms waiting for a message;");
    }

    [Fact] // a stale wake-up left by an earlier expectation never reaches the test
    public async Task TimedOutExpectations_LeaveNothingBehindInTheMailbox()
    {
        var probe = _test.CreateProbe();
        for (var i = 0; i < 3; i++) (await probe.TryReceiveAsync(TimeSpan.Zero)).Should().BeNull();
        Node.Send(probe, "real");
        (await probe.ExpectMsgAsync<object>()).Should().Be("real");
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(20));
    }

    private sealed class WhoCalls : GenServer<int>
    {
        public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(0);

        public override ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken) => Reply(from.Caller, state);
    }
}
