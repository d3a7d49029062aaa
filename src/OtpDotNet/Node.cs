using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Otp.Net.Diagnostics;
using Otp.Net.Processes;
using Otp.Net.Terms;
using Otp.Net.Timers;

namespace Otp.Net;

/// <summary>
/// A runtime that owns processes, registered names and timers: the .NET counterpart of an Erlang node.
/// Nodes share nothing; a test or a host creates its own and disposes it, which kills every process left.
/// Every member is safe to call from any thread, inside or outside a process.
/// </summary>
public sealed class Node : IAsyncDisposable, IDisposable, Terms.IRuntimeHandle
{
    private readonly ConcurrentDictionary<long, LocalProcess> _processes = new();
    private readonly ConcurrentDictionary<string, LocalProcess> _names = new(StringComparer.Ordinal);
    private long _nextId;
    private int _disposed;
    private ILogger? _logger;
    private readonly SafeLoggerFactory _loggerFactory;
    private readonly Releases.ReleaseControlServer? _control;

    /// <summary>Creates a node.</summary>
    public Node(NodeOptions? options = null)
    {
        Options = options ?? new NodeOptions();
        _loggerFactory = new SafeLoggerFactory(Options.LoggerFactory);
        StartedAt = Options.TimeProvider.GetUtcNow();
        Events = new NodeEvents(this);
        _loggerFactory.Events = Events;
        Timers = new TimerService(this);
        CallDeadlines = new GenServers.CallDeadlines(Options.TimeProvider);
        Code = new Code.CodeServer(this, [Supervision.SupervisorServer.ModuleBehaviour, global::Otp.Net.Applications.ApplicationModule.Behaviour]); // supervisor and application modules load as code too
        Applications = new Applications.ApplicationController(this);
        Releases = new Releases.ReleaseHandler(this);
        Metrics = new OtpMetrics(this, Options.MeterFactory);
        if (Options.ControlSocket is { } socket)
        {
            try
            {
                _control = global::Otp.Net.Releases.ReleaseControlServer.Open(this, socket);
            }
            catch
            {
                Metrics.Dispose();
                throw;
            }
            global::Otp.Net.Releases.ReleaseLog.ControlSocketOpened(LoggerFactory.CreateLogger(global::Otp.Net.Releases.ReleaseLog.Category), _control.Path);
        }
        if (Options.HandOff) global::Otp.Net.Processes.ForeignLoadMonitor.Acquire();
    }

    /// <summary>The timeouts of the requests made by this node's processes (and by code outside any process, to its servers).</summary>
    internal GenServers.CallDeadlines CallDeadlines { get; }

    /// <summary>The node's settings.</summary>
    public NodeOptions Options { get; }

    /// <summary>The node's clock.</summary>
    public TimeProvider TimeProvider => Options.TimeProvider;

    /// <summary>
    /// The node's logger factory: the one in <see cref="NodeOptions.LoggerFactory"/>, guarded so that a provider that
    /// throws never breaks the runtime (the failure is reported once per category, EventId 5001).
    /// </summary>
    public ILoggerFactory LoggerFactory => _loggerFactory;

    /// <summary>Number of live processes.</summary>
    public int ProcessCount => _processes.Count;

    internal TimerService Timers { get; }

    internal OtpMetrics Metrics { get; }

    internal IEnumerable<LocalProcess> LiveProcesses => _processes.Values;

    /// <summary>The node's code server: versioned callback modules, hot upgrades and purges.</summary>
    public Code.CodeServer Code { get; }

    /// <summary>The node's application controller.</summary>
    public Applications.ApplicationController Applications { get; }

    /// <summary>The node's release handler: release packages, upgrades and downgrades, the permanent release.</summary>
    public Releases.ReleaseHandler Releases { get; }

    /// <summary>When the node was created, on its clock.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>The node's changes as they happen, for tools that watch it (see <see cref="NodeEvents"/>).</summary>
    public NodeEvents Events { get; }

    internal IProcessTracer? Tracer => Options.Tracer;

    /// <summary>The node's distribution, once one is attached (package <c>OtpDotNet.Distribution</c>).</summary>
    internal IDistribution? Distribution { get; set; }

    /// <summary>
    /// The node's name and creation: <see cref="NodeIdentity.Local"/> (<c>nonode@nohost</c>) until a distribution is
    /// attached, as an Erlang node is not alive until distribution starts.
    /// </summary>
    public NodeIdentity Identity => Distribution?.Self ?? NodeIdentity.Local;

    internal ILogger Logger => _logger ??= LoggerFactory.CreateLogger(NodeLog.Category);

    // ---------------------------------------------------------------- spawning

    /// <summary>
    /// Spawns a process running <paramref name="body"/>. When the body returns the process exits <c>normal</c>;
    /// when it throws, it exits with the exception as reason (an <see cref="OtpExitException"/> gives its reason exactly).
    /// With <see cref="SpawnOptions.Link"/>, called from inside a process, the new process is linked to the caller.
    /// </summary>
    public Pid Spawn(Func<ProcessContext, Task> body, SpawnOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        options ??= SpawnOptions.Default;
        var caller = ProcessContext.CurrentProcess;
        // Code left running after its process died cannot start processes.
        if (caller is { IsAlive: false }) throw new ProcessExitedException();
        var linkTo = options.Link ? caller : null;
        var parent = options.Parent ?? (linkTo is not null ? linkTo.Self : default);
        var process = new LocalProcess(this, Interlocked.Increment(ref _nextId), body, parent, options.TrapExit);
        process.Application = caller?.Application; // inherited, as a group leader is
        if (options.Name is { } name)
        {
            if (!_names.TryAdd(name, process)) throw new BadArgumentException($"the name '{name}' is already registered");
            process.RegisteredName = name;
        }
        _processes[process.Id] = process;
        if (linkTo is not null) LocalProcess.LinkPair(linkTo, process);
        if (Tracer is { } tracer)
        {
            try
            {
                tracer.OnSpawn(process.Self, parent);
            }
            catch (Exception ex)
            {
                NodeLog.TracerFailed(Logger, "spawn", process.Self.ToString(), ex);
            }
        }
        if (Events.IsObserved) Events.Publish(new NodeEvent(NodeEventKind.Spawned, Events.Now) { Pid = process.Self, Parent = parent });
        if (Volatile.Read(ref _disposed) != 0)
        {
            // Disposal raced this spawn (and may have missed it in the table): the new process dies before it runs.
            process.ReceiveExitSignal(default, ExitReason.Kill, viaLink: false);
            throw new ObjectDisposedException(nameof(Node));
        }
        if (!options.StartSuspended) process.Start();
        return process.Self;
    }

    /// <summary>Runs a process spawned with <see cref="SpawnOptions.StartSuspended"/>.</summary>
    public void StartSuspended(Pid pid) => pid.Process?.Start();

    // ---------------------------------------------------------------- messages and signals

    /// <summary>
    /// <c>Pid ! Message</c>: never fails; a message to a dead process is dropped (OTP P6.1). A message sent by code
    /// left running after its own process died is dropped too: nothing from a process arrives after its death.
    /// Sent inside a trace (see <see cref="Diagnostics.OtpDiagnostics"/>), it carries the trace to the receiver
    /// (<see cref="ProcessContext.ReceivedTraceContext"/>).
    /// </summary>
    public void Send(Pid to, object message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (to.Process is { } local) local.DeliverFromCaller(OtpTelemetry.WithTrace(message));
        else if (to.Remote is { } remote) SendRemote(remote, message);
    }

    private void SendRemote(RemotePid to, object message)
    {
        var caller = ProcessContext.CurrentProcess;
        // Code left running after its process died sends nothing (P6.2).
        if (caller is { IsAlive: false }) return;
        (Distribution ?? to.Node.Owner).Send(caller, to, message);
    }

    /// <summary>Sends to a registered name; throws <see cref="BadArgumentException"/> if it is not registered (OTP P6.1).</summary>
    public void Send(string name, object message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!_names.TryGetValue(name, out var p)) throw new BadArgumentException($"no process is registered as '{name}'");
        p.DeliverFromCaller(OtpTelemetry.WithTrace(message));
    }

    /// <summary>
    /// <c>exit(Pid, Reason)</c> from outside any process, or from the calling process when called inside one (OTP P1).
    /// </summary>
    public void Exit(Pid pid, ExitReason reason) => Exit(ProcessContext.CurrentProcess?.Self ?? default, pid, reason);

    internal void Exit(Pid from, Pid pid, ExitReason reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        // Code left running after its process died sends no exit signal.
        if (ProcessContext.CurrentProcess is { IsAlive: false }) return;
        if (pid.Remote is { } remote) (Distribution ?? remote.Node.Owner).ExitSignal(from, remote, reason, viaLink: false);
        else pid.Process?.ReceiveExitSignal(from, reason, viaLink: false);
    }

    // ---------------------------------------------------------------- names

    /// <summary><c>register/2</c>; throws <see cref="BadArgumentException"/> if the name is taken, the pid already has a name, or it is dead (OTP P7).</summary>
    public void Register(string name, Pid pid)
    {
        if (!TryRegister(name, pid)) throw new BadArgumentException($"cannot register '{name}' for {pid}: name taken, process already named, or not alive");
    }

    /// <summary>As <see cref="Register"/>, returning false instead of throwing.</summary>
    public bool TryRegister(string name, Pid pid)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var p = pid.Process;
        if (p is null) return false;
        lock (p)
        {
            if (!p.IsAlive || p.RegisteredName is not null) return false;
            if (!_names.TryAdd(name, p)) return false;
            p.RegisteredName = name;
            return true;
        }
    }

    /// <summary><c>unregister/1</c>; throws <see cref="BadArgumentException"/> if the name is not registered.</summary>
    public void Unregister(string name)
    {
        if (!_names.TryRemove(name, out var p)) throw new BadArgumentException($"no process is registered as '{name}'");
        lock (p) p.RegisteredName = null;
    }

    /// <summary><c>whereis/1</c>: the pid registered as <paramref name="name"/>, or null (<c>undefined</c>).</summary>
    public Pid? WhereIs(string name) => _names.TryGetValue(name, out var p) && p.IsAlive ? p.Self : null;

    /// <summary><c>registered/0</c>.</summary>
    public IReadOnlyList<string> RegisteredNames => _names.Keys.ToArray();

    // ---------------------------------------------------------------- inspection

    /// <summary>The live process whose <see cref="Pid.Id"/> is <paramref name="id"/> (printed <c>&lt;0.Id.0&gt;</c>), or null.</summary>
    public Pid? FindProcess(long id) => _processes.TryGetValue(id, out var p) && p.IsAlive ? p.Self : null;

    /// <summary><c>is_process_alive/1</c>.</summary>
    public bool IsAlive(Pid pid) => pid.Process is { IsAlive: true } p && p.Node == this;

    /// <summary><c>process_info/1</c>: a snapshot, or null if the process is not alive.</summary>
    public ProcessInfo? GetProcessInfo(Pid pid) => pid.Process?.GetInfo();

    /// <summary>The live processes.</summary>
    public IReadOnlyList<Pid> Processes => _processes.Values.Select(p => p.Self).ToArray();

    /// <summary>
    /// Completes with the process's exit reason when it ends: a monitor usable from code outside any process, e.g. a
    /// test or a host. Unlike a monitor (which reports <c>noproc</c>), a process that has already ended gives its
    /// actual exit reason. When it completes, the process's links have been signalled.
    /// </summary>
    public Task<ExitReason> WaitForExitAsync(Pid pid, CancellationToken cancellationToken = default) =>
        ExitWatch.Start(pid, cancellationToken).Task;

    /// <summary>An exit watch that the caller disposes when it no longer needs it (the monitor is removed).</summary>
    internal static ExitWatch WatchExit(Pid pid) => ExitWatch.Start(pid, CancellationToken.None);

    // ---------------------------------------------------------------- timers

    /// <summary><c>erlang:send_after(Ms, Pid, Msg)</c>: delivers <paramref name="message"/> after <paramref name="delay"/>; the timer dies with the process (T1, T4).</summary>
    public Ref SendAfter(TimeSpan delay, Pid to, object message) => Timers.Start(delay, to, null, message, wrap: false);

    /// <summary><c>erlang:send_after(Ms, Name, Msg)</c>: the name is resolved at expiry; if unregistered then, the message is dropped (T4).</summary>
    public Ref SendAfter(TimeSpan delay, string name, object message) => Timers.Start(delay, null, name, message, wrap: false);

    /// <summary><c>erlang:start_timer</c>: delivers a <see cref="TimeoutMessage"/> (<c>{timeout, TRef, Msg}</c>) after <paramref name="delay"/> (T1).</summary>
    public Ref StartTimer(TimeSpan delay, Pid to, object message) => Timers.Start(delay, to, null, message, wrap: true);

    /// <summary><c>erlang:start_timer</c> to a name, resolved at expiry.</summary>
    public Ref StartTimer(TimeSpan delay, string name, object message) => Timers.Start(delay, null, name, message, wrap: true);

    /// <summary><c>cancel_timer/1</c>: milliseconds left, or null (<c>false</c>) if it already fired or was cancelled (T2).</summary>
    public long? CancelTimer(Ref timerRef) => Timers.Cancel(timerRef);

    /// <summary>
    /// <c>cancel_timer(TRef, [{async, true}])</c>: cancels and sends the result to the calling process as a
    /// <see cref="CancelTimerResult"/> (T3). Must be called from inside a process.
    /// </summary>
    public void CancelTimerAsync(Ref timerRef)
    {
        var caller = ProcessContext.CurrentProcess ?? throw new InvalidOperationException("asynchronous cancel_timer needs a calling process");
        var left = Timers.Cancel(timerRef);
        caller.Deliver(new CancelTimerResult(timerRef, left));
    }

    /// <summary><c>read_timer/1</c>: milliseconds left, or null (<c>false</c>) (T2).</summary>
    public long? ReadTimer(Ref timerRef) => Timers.Read(timerRef);

    // ---------------------------------------------------------------- lifecycle hooks

    internal void OnProcessExiting(LocalProcess process, ExitReason reason)
    {
        // Gone from the process table before anyone is told of the exit, as in OTP: whoever gets the DOWN or
        // EXIT no longer finds the process listed.
        _processes.TryRemove(process.Id, out _);
        Metrics.ProcessExited(process.MessagesReceived);
        if (process.RegisteredName is { } name)
        {
            _names.TryRemove(new KeyValuePair<string, LocalProcess>(name, process));
        }
        if (Tracer is { } tracer)
        {
            try
            {
                tracer.OnExit(process.Self, reason);
            }
            catch (Exception ex)
            {
                NodeLog.TracerFailed(Logger, "exit", process.Self.ToString(), ex);
            }
        }
        if (Events.IsObserved)
        {
            Events.Publish(new NodeEvent(NodeEventKind.Exited, Events.Now) { Pid = process.Self, Module = process.ModuleName, Reason = reason.ToString() });
        }
    }

    /// <summary>Kills every process left (<c>kill</c>) and cancels every timer. Applications are not stopped: use <see cref="DisposeAsync"/> for a graceful end.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (Options.HandOff) global::Otp.Net.Processes.ForeignLoadMonitor.Release();
        _control?.Dispose();
        Timers.CancelAll();
        foreach (var p in _processes.Values) p.ReceiveExitSignal(default, ExitReason.Kill, viaLink: false);
        Metrics.Dispose();
    }

    /// <summary>
    /// Ends the node gracefully: stops the running applications in reverse start order (each supervision tree shuts
    /// down its children as its child specs say), within <see cref="NodeOptions.ShutdownTimeout"/>, then kills every
    /// process left and cancels every timer, as <see cref="Dispose"/> does.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _disposed) != 0) return;
        _control?.Dispose(); // no install starts while the applications stop
        try
        {
            await Applications.StopAllAsync().WaitAsync(Options.ShutdownTimeout, TimeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // What did not stop in time is killed below.
        }
        Dispose();
    }
}
