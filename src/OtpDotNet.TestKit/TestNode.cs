using Microsoft.Extensions.Logging;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;

namespace Otp.Net.TestKit;

/// <summary>
/// A node for one test, like Akka.TestKit's <c>TestKit</c> base or an ExUnit test: its reports are captured in
/// <see cref="Logs"/>; it makes probes (<see cref="CreateProbe"/>); <see cref="StartSupervisedAsync"/> starts processes
/// under a test supervisor, as ExUnit's <c>start_supervised!</c>; and disposing it stops what the test started, in
/// reverse start order, then kills whatever is left. Create one per test (a field initialised per test in xUnit, a
/// <c>[SetUp]</c> in NUnit) and dispose it at the end.
/// </summary>
public sealed class TestNode : IAsyncDisposable, IDisposable
{
    private readonly ILoggerFactory _factory;
    private readonly List<TestProbe> _probes = [];
    private readonly SemaphoreSlim _supervisorGate = new(1, 1);
    private Pid _supervisor;
    private int _disposed;

    /// <summary>Creates the node.</summary>
    /// <param name="configure">Adjusts the node's options (e.g. a fake <see cref="NodeOptions.TimeProvider"/>); the logger factory it is given captures into <see cref="Logs"/>.</param>
    /// <param name="settings">Timeouts; <see cref="TestKitSettings.Default"/> when null.</param>
    public TestNode(Func<NodeOptions, NodeOptions>? configure = null, TestKitSettings? settings = null)
    {
        Settings = settings ?? TestKitSettings.Default;
        _factory = new LoggerFactory([Logs]);
        var options = new NodeOptions { LoggerFactory = _factory };
        Node = new Node(configure is null ? options : configure(options));
    }

    /// <summary>The node.</summary>
    public Node Node { get; }

    /// <summary>Every event the node logged.</summary>
    public LogCapture Logs { get; } = new();

    /// <summary>The kit's settings (time factor, default timeouts).</summary>
    public TestKitSettings Settings { get; }

    /// <summary>The node.</summary>
    public static implicit operator Node(TestNode testNode) => testNode?.Node!;

    /// <summary>A new probe on this node, killed when the node is disposed (see <see cref="TestProbe"/>).</summary>
    public TestProbe CreateProbe(string? name = null, bool trapExit = true)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var probe = new TestProbe(Node, name, trapExit, Settings);
        lock (_probes) _probes.Add(probe);
        return probe;
    }

    /// <summary>
    /// ExUnit's <c>start_supervised!</c>: starts <paramref name="spec"/> under this test's supervisor (started on first use:
    /// one_for_one, restarts allowed as the child spec says) and returns its pid. Disposing the node stops the children
    /// in reverse start order, each as its spec's shutdown says, so the test leaves nothing running.
    /// </summary>
    /// <exception cref="TestKitAssertionException">The child did not start (the message carries the start error), or an id is used twice.</exception>
    public async Task<Pid> StartSupervisedAsync(ChildSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var supervisor = await TestSupervisorAsync().ConfigureAwait(false);
        var result = await Supervisor.StartChildAsync(supervisor, spec).ConfigureAwait(false);
        if (result.IsOk && !result.Pid.IsUndefined) return result.Pid;
        if (result.IsOk) throw new TestKitAssertionException($"StartSupervisedAsync: the child {Describe.Message(spec.Id)} returned ignore: it has no process.");
        throw new TestKitAssertionException($"StartSupervisedAsync: the child {Describe.Message(spec.Id)} failed to start: {result.Error}.");
    }

    /// <summary>
    /// ExUnit's <c>stop_supervised</c>: stops the child <paramref name="id"/> started with <see cref="StartSupervisedAsync"/>
    /// (as its spec's shutdown says) and forgets it, so the id can be used again.
    /// </summary>
    /// <exception cref="TestKitAssertionException">No such child.</exception>
    public async Task StopSupervisedAsync(ChildId id)
    {
        var supervisor = await TestSupervisorAsync().ConfigureAwait(false);
        var stopped = await Supervisor.TerminateChildAsync(supervisor, id).ConfigureAwait(false);
        if (!stopped.IsOk) throw new TestKitAssertionException($"StopSupervisedAsync: no child {Describe.Message(id)} was started by this test ({stopped}).");
        await Supervisor.DeleteChildAsync(supervisor, id).ConfigureAwait(false);
    }

    /// <inheritdoc cref="NodeTestExtensions.ExpectExitAsync"/>
    public Task<ExitReason> ExpectExitAsync(Pid pid, ExitReason? reason = null, TimeSpan? timeout = null) =>
        Node.ExpectExitAsync(pid, reason, timeout, Settings);

    /// <inheritdoc cref="NodeTestExtensions.ExpectRestartAsync"/>
    public Task<Pid> ExpectRestartAsync(ServerRef supervisor, ChildId childId, Pid oldPid, TimeSpan? timeout = null) =>
        Node.ExpectRestartAsync(supervisor, childId, oldPid, timeout, Settings);

    /// <inheritdoc cref="NodeTestExtensions.ExpectChildrenSettledAsync"/>
    public Task<IReadOnlyList<ChildInfo>> ExpectChildrenSettledAsync(ServerRef supervisor, bool recursive = false, TimeSpan? timeout = null) =>
        Node.ExpectChildrenSettledAsync(supervisor, recursive, timeout, Settings);

    /// <inheritdoc cref="NodeTestExtensions.RunAsync{T}"/>
    public Task<T> RunAsync<T>(Func<ProcessContext, Task<T>> body, SpawnOptions? options = null, TimeSpan? timeout = null) =>
        Node.RunAsync(body, options, timeout, Settings);

    /// <summary>
    /// Akka's <c>Within</c>: runs <paramref name="body"/>, which must complete within <paramref name="max"/> (dilated);
    /// expectations inside wait at most the time left.
    /// </summary>
    /// <exception cref="TestKitAssertionException">The block took longer.</exception>
    public Task WithinAsync(TimeSpan max, Func<Task> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return WithinScope.RunAsync(Settings, max, async () =>
        {
            await body().ConfigureAwait(false);
            return true;
        });
    }

    /// <summary>
    /// Stops what the test started with <see cref="StartSupervisedAsync"/> (reverse start order, within the node's
    /// <see cref="NodeOptions.ShutdownTimeout"/>), kills the probes, stops running applications and kills what is left.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try
        {
            if (!_supervisor.IsUndefined && Node.IsAlive(_supervisor))
            {
                try
                {
                    await GenServer.StopAsync(_supervisor, ExitReason.Shutdown, Node.Options.ShutdownTimeout).ConfigureAwait(false);
                }
                catch (CallException)
                {
                    // Already gone, or too slow: what is left is killed with the node.
                }
            }
            KillProbes();
            await Node.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _factory.Dispose();
            _supervisorGate.Dispose();
        }
    }

    /// <summary>Kills every process at once (no orderly stop: use <see cref="DisposeAsync"/> for that).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        KillProbes();
        Node.Dispose();
        _factory.Dispose();
        _supervisorGate.Dispose();
    }

    private void KillProbes()
    {
        TestProbe[] probes;
        lock (_probes) probes = [.. _probes];
        foreach (var probe in probes) probe.Dispose();
    }

    private async Task<Pid> TestSupervisorAsync()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _supervisorGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_supervisor.IsUndefined && Node.IsAlive(_supervisor)) return _supervisor;
            // Started outside any process (even when the test calls from inside one): nothing is linked to it, and
            // only DisposeAsync stops it.
            var flags = new SupervisorFlags { Strategy = Strategy.OneForOne, Intensity = 1_000_000, PeriodSeconds = 1 };
            Task<StartResult> start;
            using (ExecutionContext.SuppressFlow()) start = Task.Run(() => Supervisor.StartLinkAsync(Node, flags, []));
            var started = await start.ConfigureAwait(false);
            if (!started.IsOk) throw new TestKitAssertionException($"StartSupervisedAsync: the test supervisor did not start: {started.Error}.");
            _supervisor = started.Pid;
            return _supervisor;
        }
        finally
        {
            _supervisorGate.Release();
        }
    }
}
