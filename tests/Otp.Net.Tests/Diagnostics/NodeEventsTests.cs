using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Otp.Net.Diagnostics;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;
using Otp.Net.Sys;
using Otp.Net.Tests.GenServers;

namespace Otp.Net.Tests.Diagnostics;

public sealed class NodeEventsTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(10);

    private sealed class Recorder : IObserver<NodeEvent>
    {
        public ConcurrentQueue<NodeEvent> Events { get; } = new();

        private readonly ConcurrentDictionary<Func<NodeEvent, bool>, TaskCompletionSource<NodeEvent>> _waits = new();

        public Task<NodeEvent> WaitAsync(Func<NodeEvent, bool> match)
        {
            var tcs = new TaskCompletionSource<NodeEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waits[match] = tcs;
            foreach (var e in Events)
            {
                if (match(e)) tcs.TrySetResult(e);
            }
            return tcs.Task.WaitAsync(Safety);
        }

        public void OnNext(NodeEvent value)
        {
            Events.Enqueue(value);
            foreach (var (match, tcs) in _waits)
            {
                if (match(value)) tcs.TrySetResult(value);
            }
        }

        public void OnError(Exception error)
        {
        }

        public void OnCompleted()
        {
        }
    }

    private sealed class Throwing : IObserver<NodeEvent>
    {
        public void OnNext(NodeEvent value) => throw new InvalidOperationException("observer bug");

        public void OnError(Exception error)
        {
        }

        public void OnCompleted()
        {
        }
    }

    [Fact]
    public async Task Unobserved_NothingIsObserved_SubscribeAndDisposeTurnItOnAndOff()
    {
        await using var node = new Node(new NodeOptions { LoggerFactory = NullLoggerFactory.Instance });
        node.Events.IsObserved.Should().BeFalse();
        var a = node.Events.Subscribe(new Recorder());
        var b = node.Events.Subscribe(new Recorder());
        node.Events.IsObserved.Should().BeTrue();
        a.Dispose();
        a.Dispose();
        node.Events.IsObserved.Should().BeTrue();
        b.Dispose();
        node.Events.IsObserved.Should().BeFalse();
    }

    [Fact]
    public async Task SpawnAndExit_ArePublished_WithParentAndReason_SpawnFirst()
    {
        await using var node = new Node(new NodeOptions { LoggerFactory = NullLoggerFactory.Instance });
        var recorder = new Recorder();
        using var _ = node.Events.Subscribe(recorder);
        var pid = node.Spawn(async ctx => await ctx.ReceiveAsync());
        var exited = recorder.WaitAsync(e => e.Kind == NodeEventKind.Exited && e.Pid == pid);
        node.Exit(pid, ExitReason.Of(Otp.Net.Terms.Atom.Of("boom")));
        (await exited).Reason.Should().Be("boom");
        var mine = recorder.Events.Where(e => e.Pid == pid).Select(e => e.Kind).ToArray();
        mine.Should().Equal(NodeEventKind.Spawned, NodeEventKind.Exited);
    }

    [Fact]
    public async Task ARestart_IsPublished_WithTheSupervisorChildAndRestartsCountedAgainstIntensity() // U7
    {
        await using var node = new Node(new NodeOptions { LoggerFactory = NullLoggerFactory.Instance });
        var sup = (await Supervisor.StartLinkAsync(node, new SupervisorFlags { Intensity = 4, PeriodSeconds = 60 }, [ChildSpec.ForGenServer<TestServer>("w")])).GetPidOrThrow();
        var recorder = new Recorder();
        using var _ = node.Events.Subscribe(recorder);
        for (var i = 1; i <= 2; i++)
        {
            var child = (await Supervisor.WhichChildrenAsync(sup)).Single().Pid;
            var restarted = recorder.WaitAsync(e => e.Kind == NodeEventKind.Restarted && e.Restarts == i);
            node.Exit(child, ExitReason.Kill);
            var e = await restarted;
            e.Parent.Should().Be(sup);
            e.ChildId.Should().Be("w");
            e.Reason.Should().Be("killed");
            e.Intensity.Should().Be(4);
            e.Pid.Should().Be((await Supervisor.WhichChildrenAsync(sup)).Single().Pid);
        }
    }

    [Fact]
    public async Task SupervisorStatus_CountsRestartsInThePeriod_AndEachChildsRestartsAndLastExit() // U7
    {
        var clock = new FakeTimeProvider();
        await using var node = new Node(new NodeOptions { LoggerFactory = NullLoggerFactory.Instance, TimeProvider = clock });
        var sup = (await Supervisor.StartLinkAsync(node, new SupervisorFlags { Intensity = 3, PeriodSeconds = 10 },
            [ChildSpec.ForGenServer<TestServer>("a"), ChildSpec.ForGenServer<TestServer>("b")])).GetPidOrThrow();
        node.GetProcessInfo(sup)!.Module.Should().Be("Supervisor.Default", "a supervisor from flags and specs alone is named as Elixir names it");
        node.GetProcessInfo(sup)!.Behaviour.Should().Be("supervisor");
        var before = await Supervisor.GetStatusAsync(sup);
        before.RestartsInPeriod.Should().Be(0);
        before.RestartsLeft.Should().Be(3);
        before.Children.Select(c => (c.Info.Id.ToString(), c.Restarts, c.LastExit)).Should().Equal(("a", 0, (ExitReason?)null), ("b", 0, (ExitReason?)null)); // start order

        var a = (await Supervisor.WhichChildrenAsync(sup)).Single(c => c.Id.ToString() == "a").Pid;
        var gone = node.WaitForExitAsync(a);
        node.Exit(a, ExitReason.Of(Otp.Net.Terms.Atom.Of("boom")));
        await gone;
        var after = await Supervisor.GetStatusAsync(sup); // queued behind the EXIT: the restart is done
        after.RestartsInPeriod.Should().Be(1);
        after.RestartsLeft.Should().Be(2);
        var childA = after.Children.Single(c => c.Info.Id.ToString() == "a");
        childA.Restarts.Should().Be(1);
        childA.LastExit!.ToString().Should().Be("boom");
        after.Children.Single(c => c.Info.Id.ToString() == "b").Restarts.Should().Be(0);

        clock.Advance(TimeSpan.FromSeconds(11)); // past the period: the restart no longer counts
        (await Supervisor.GetStatusAsync(sup)).RestartsInPeriod.Should().Be(0);
    }

    [Fact]
    public async Task SuspendAndResume_ArePublished()
    {
        await using var node = new Node(new NodeOptions { LoggerFactory = NullLoggerFactory.Instance });
        var server = (await GenServer.StartAsync(node, new TestServer())).GetPidOrThrow();
        var recorder = new Recorder();
        using var _ = node.Events.Subscribe(recorder);
        await SysOps.SuspendAsync(server);
        await SysOps.ResumeAsync(server);
        recorder.Events.Where(e => e.Pid == server).Select(e => e.Kind).Should().Equal(NodeEventKind.Suspended, NodeEventKind.Resumed);
    }

    [Fact]
    public async Task AThrowingObserver_IsLoggedAndKept_OthersStillReceive_TheNodeGoesOn()
    {
        using var logged = new LoggedNode();
        var node = logged.Node;
        var recorder = new Recorder();
        using var bad = node.Events.Subscribe(new Throwing());
        using var good = node.Events.Subscribe(recorder);
        var pid = node.Spawn(async ctx => await ctx.ReceiveAsync());
        (await recorder.WaitAsync(e => e.Kind == NodeEventKind.Spawned && e.Pid == pid)).Should().NotBeNull();
        node.IsAlive(pid).Should().BeTrue();
        var more = Enumerable.Range(0, 10).Select(_ => node.Spawn(async ctx => await ctx.ReceiveAsync())).ToArray();
        (await recorder.WaitAsync(e => e.Kind == NodeEventKind.Spawned && e.Pid == more[^1])).Should().NotBeNull();
        logged.Logs.Events.Count(e => e.EventId.Id == 5002).Should().Be(1, "the first failure is logged, not one per event (and the log entry is not fed back to the observer)");
        foreach (var p in more.Append(pid)) node.Exit(p, ExitReason.Kill);
    }

    [Fact]
    public async Task Reports_ArePublishedWhileObserved_EvenWithLoggingOff_AndCostNothingOtherwise()
    {
        await using var node = new Node(new NodeOptions { LoggerFactory = NullLoggerFactory.Instance });
        var logger = node.LoggerFactory.CreateLogger("Otp.Net.Test");
        logger.IsEnabled(LogLevel.Error).Should().BeFalse("unobserved, a node with logging off formats nothing");
        var recorder = new Recorder();
        using (node.Events.Subscribe(recorder))
        {
            logger.IsEnabled(LogLevel.Error).Should().BeTrue();
            logger.IsEnabled(LogLevel.Debug).Should().BeFalse("only Information and above are reports");
            var sup = (await Supervisor.StartLinkAsync(node, new SupervisorFlags { Intensity = 5 }, [ChildSpec.ForGenServer<TestServer>("w")])).GetPidOrThrow();
            var child = (await Supervisor.WhichChildrenAsync(sup)).Single().Pid;
            var report = recorder.WaitAsync(e => e.Kind == NodeEventKind.Report && e.Report!.Level == LogLevel.Error && e.Report.Message.Contains(child.ToString(), StringComparison.Ordinal));
            node.Exit(child, ExitReason.Kill);
            (await report).Report!.Category.Should().StartWith("Otp.Net.");
        }
        logger.IsEnabled(LogLevel.Error).Should().BeFalse();
    }

    [Fact]
    public async Task ProcessInfo_CarriesMessagesModuleBehaviourAndApplication()
    {
        await using var node = new Node(new NodeOptions { LoggerFactory = NullLoggerFactory.Instance });
        var server = (await GenServer.StartAsync(node, new TestServer())).GetPidOrThrow();
        await GenServer.CallAsync(server, "get");
        var info = node.GetProcessInfo(server)!;
        info.MessagesReceived.Should().BeGreaterThanOrEqualTo(1);
        info.Module.Should().Be(typeof(TestServer).FullName);
        info.Behaviour.Should().Be("gen_server");
        info.StatusExposed.Should().BeFalse();
        info.ModuleVersion.Should().BeNull("a typed GenServer is not a code server module");
        var plain = node.Spawn(async ctx => await ctx.ReceiveAsync());
        node.GetProcessInfo(plain)!.Behaviour.Should().BeNull();
        node.FindProcess(plain.Id).Should().Be(plain);
        node.Exit(plain, ExitReason.Kill);
        await node.WaitForExitAsync(plain);
        node.FindProcess(plain.Id).Should().BeNull();
    }
}
