using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Otp.Net.Applications;
using Otp.Net.Diagnostics;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;
using Otp.Net.Terms;

namespace Otp.Net.Tests.GenServers;

/// <summary>Servers stopped, killed or started while busy (awaiting their token), and failures around the exit path.</summary>
public sealed class BusyStopTests : IDisposable
{
    private readonly LoggedNode _logged = new();

    private CapturingLoggerProvider _logs => _logged.Logs;

    private LoggerFactory _factory => _logged.Factory;

    private Node _node => _logged.Node;

    public void Dispose() => _logged.Dispose();

    [Theory] // G15: terminate is not called when a signal kills a non-trapping server, even one busy awaiting its token
    [InlineData("kill", "killed")]
    [InlineData("shutdown", "shutdown")]
    public async Task NonTrappingServer_SignalWhileAwaitingItsToken_NoTerminateAndNoCrashReport(string signal, string expected)
    {
        var journal = new ConcurrentQueue<string>();
        var pid = (await GenServer.StartAsync(_node, new BusyServer(journal))).Pid;
        var call = GenServer.CallAsync(pid, "wait", Timeout.InfiniteTimeSpan);
        await BusyServer.Busy(pid).Within();
        var exit = _node.WaitForExitAsync(pid);
        _node.Exit(pid, ExitReason.Of(Atom.Of(signal)));
        (await exit.Within()).ToString().Should().Be(expected);
        (await call.Awaiting(c => c).Should().ThrowAsync<CallException>()).Which.CallReason.ToString().Should().Be(expected);
        await BusyServer.Unwound(pid).Within(); // the abandoned callback has run to its end
        journal.Should().NotContain(e => e.StartsWith("terminate", StringComparison.Ordinal));
        _logs.Events.Should().NotContain(e => e.EventId.Id == 1000);
    }

    [Fact] // G1, G15: a server killed during init is not a crash; the starter learns killed
    public async Task Init_KilledWhileAwaitingItsToken_StarterGetsKilledAndNoCrashIsReported()
    {
        var initing = new TaskCompletionSource<Pid>(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = GenServer.StartAsync(_node, new SlowInitServer(initing));
        var pid = await initing.Task.Within();
        _node.Exit(pid, ExitReason.Kill);
        var result = await start.Within();
        result.Error.Should().Be(ExitReason.Killed);
        _logs.Events.Should().NotContain(e => e.Level >= LogLevel.Error);
    }

    [Fact] // a start the caller cancels leaves no server running or registered
    public async Task StartAsync_Cancelled_LeavesNoServerRunningOrRegistered()
    {
        var initing = new TaskCompletionSource<Pid>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cts = new CancellationTokenSource();
        var start = GenServer.StartAsync(_node, new SlowInitServer(initing), options: new GenServerOptions { Name = "slow" }, cancellationToken: cts.Token);
        var pid = await initing.Task.Within();
        var exit = _node.WaitForExitAsync(pid);
        await cts.CancelAsync();
        await start.Awaiting(s => s).Should().ThrowAsync<OperationCanceledException>();
        (await exit.Within()).Should().Be(ExitReason.Killed);
        _node.WhereIs("slow").Should().BeNull();
    }

    [Fact] // a tracer that throws does not stop processes from starting, dying and signalling their links
    public async Task Tracer_Throws_LifecycleCompletesAndFailureIsLogged()
    {
        await using var node = new Node(new NodeOptions { LoggerFactory = _factory, Tracer = new ThrowingTracer() });
        var (reason, down) = await node.RunAsync(async ctx =>
        {
            ctx.TrapExit = true;
            // Started once monitored: a child that died before the monitor would give noproc.
            var child = ctx.Node.Spawn(c => throw new OtpExitException(ExitReason.Of(Atom.Of("boom"))), new SpawnOptions { Link = true, StartSuspended = true });
            var r = ctx.Monitor(child);
            ctx.Node.StartSuspended(child);
            var exit = (ExitMessage)await ctx.ReceiveAsync(m => m is ExitMessage);
            var d = (DownMessage)await ctx.ReceiveAsync(m => m is DownMessage dm && dm.Ref == r);
            return (exit.Reason, d.Reason);
        });
        reason.ToString().Should().Be("boom");
        down.ToString().Should().Be("boom");
        _logs.Events.Should().Contain(e => e.EventId.Id == 5000);
    }

    [Fact] // a logging provider that throws changes no exit reason and stops no supervisor from restarting
    public async Task LoggingProvider_Throws_CrashStillRestartsAndFailureIsReported()
    {
        using var factory = new LoggerFactory([new ThrowingLoggerProvider(), _logs]);
        await using var node = new Node(new NodeOptions { LoggerFactory = factory });
        var child = new ChildSpec("w", n => GenServer.StartLinkAsync(n, new TestServer()));
        var sup = (await Supervisor.StartLinkAsync(node, new SupervisorFlags(), [child])).Pid;
        var first = (await Supervisor.WhichChildrenAsync(sup)).Single().Pid;
        var exit = node.WaitForExitAsync(first);
        var crash = () => GenServer.CallAsync(first, ("crash", ExitReason.Of(Atom.Of("boom"))));
        await crash.Should().ThrowAsync<CallException>();
        (await exit.Within()).ToString().Should().Be("boom");
        Pid second;
        do
        {
            second = (await Supervisor.WhichChildrenAsync(sup)).Single().Pid;
        }
        while (second.IsUndefined || second == first);
        (await GenServer.CallAsync(second, "get")).Should().Be(0);
        _logs.Events.Should().Contain(e => e.EventId.Id == 5001);
        _logs.Events.Should().Contain(e => e.EventId.Id == 1000); // the other provider got the crash report
    }

    [Fact] // A7: disposing a node asynchronously stops its applications (prep_stop and stop run) before killing the rest
    public async Task DisposeAsync_RunningApplication_IsStoppedGracefully()
    {
        var node = new Node(new NodeOptions { LoggerFactory = _factory });
        var journal = new ConcurrentQueue<string>();
        node.Applications.Load(new ApplicationSpec("app") { Mod = () => new JournalApplication(journal) });
        (await node.Applications.StartAsync("app")).IsOk.Should().BeTrue();
        await node.DisposeAsync();
        journal.Should().Equal("start", "prep_stop", "stop");
        node.ProcessCount.Should().Be(0);
    }

    private sealed class ThrowingTracer : IProcessTracer
    {
        public void OnSpawn(Pid pid, Pid parent) => throw new InvalidOperationException("tracer spawn");

        public void OnExit(Pid pid, ExitReason reason) => throw new InvalidOperationException("tracer exit");
    }

    private sealed class ThrowingLoggerProvider : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Throwing();

        public void Dispose()
        {
        }

        private sealed class Throwing : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => throw new InvalidOperationException("scope");

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                throw new InvalidOperationException("sink down");
        }
    }

    private sealed class JournalApplication(ConcurrentQueue<string> journal) : Application
    {
        public override async Task<ApplicationStart> StartAsync(StartType type, object? args, CancellationToken cancellationToken)
        {
            journal.Enqueue("start");
            var sup = await Supervisor.StartLinkAsync(ProcessContext.Current!.Node, new SupervisorFlags(), [], cancellationToken: cancellationToken);
            return ApplicationStart.Ok(sup.Pid);
        }

        public override Task<object?> PrepStopAsync(object? state, CancellationToken cancellationToken)
        {
            journal.Enqueue("prep_stop");
            return Task.FromResult(state);
        }

        public override Task StopAsync(object? state, CancellationToken cancellationToken)
        {
            journal.Enqueue("stop");
            return Task.CompletedTask;
        }
    }

    /// <summary>A server whose "wait" call awaits its token; it journals terminate.</summary>
    private sealed class BusyServer(ConcurrentQueue<string> journal) : GenServer<int>
    {
        private static readonly ConcurrentDictionary<Pid, TaskCompletionSource> BusyBy = new();
        private static readonly ConcurrentDictionary<Pid, TaskCompletionSource> UnwoundBy = new();

        private static TaskCompletionSource Get(ConcurrentDictionary<Pid, TaskCompletionSource> map, Pid pid) =>
            map.GetOrAdd(pid, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

        public static Task Busy(Pid pid) => Get(BusyBy, pid).Task;

        public static Task Unwound(Pid pid) => Get(UnwoundBy, pid).Task;

        public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(0);

        public override async ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken)
        {
            var self = Self.Self;
            try
            {
                Get(BusyBy, self).TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken);
                return Reply("done", state);
            }
            finally
            {
                Get(UnwoundBy, self).TrySetResult();
            }
        }

        public override ValueTask TerminateAsync(ExitReason reason, int state, CancellationToken cancellationToken)
        {
            journal.Enqueue("terminate " + reason);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class SlowInitServer(TaskCompletionSource<Pid> initing) : GenServer<int>
    {
        public override async ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken)
        {
            initing.TrySetResult(Self.Self);
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return Ok(0);
        }
    }
}
