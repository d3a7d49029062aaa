using Otp.Net.Terms;

namespace Otp.Net.Processes;

/// <summary>
/// A running process as seen from its own code: <c>self()</c>, <c>receive</c>, links, monitors, <c>trap_exit</c>,
/// and spawning. A raw process body receives one; behaviours use it internally.
/// Only the process itself may call the receive operations.
/// </summary>
public abstract class ProcessContext : IRuntimeHandle
{
    private static readonly AsyncLocal<LocalProcess?> Ambient = new();

    private protected ProcessContext()
    {
    }

    /// <summary>The process the calling code runs in, or null outside any process.</summary>
    public static ProcessContext? Current => Ambient.Value;

    internal static LocalProcess? CurrentProcess
    {
        get => Ambient.Value;
        set => Ambient.Value = value;
    }

    /// <summary>This process's pid (<c>self()</c>).</summary>
    public abstract Pid Self { get; }

    /// <summary>The node this process runs on.</summary>
    public abstract Node Node { get; }

    /// <summary>The process that spawned this one with a link (its parent in OTP terms), or undefined.</summary>
    public abstract Pid Parent { get; }

    /// <summary>Cancelled when this process exits (also when killed while its code still runs).</summary>
    public abstract CancellationToken CancellationToken { get; }

    /// <summary>Whether exit signals arrive as <see cref="ExitMessage"/>s (<c>process_flag(trap_exit, _)</c>).</summary>
    public abstract bool TrapExit { get; set; }

    /// <summary>Sets <c>trap_exit</c> and returns the previous value (OTP P8).</summary>
    public bool SetTrapExit(bool value)
    {
        var previous = TrapExit;
        TrapExit = value;
        return previous;
    }

    /// <summary>Receives the oldest message. Messages that arrive while waiting are taken in order.</summary>
    /// <exception cref="ReceivePendingException">An earlier receive of this process is still waiting.</exception>
    public abstract ValueTask<object> ReceiveAsync();

    /// <summary>
    /// Selective receive: takes the oldest message matching <paramref name="match"/>; messages that do not match stay
    /// queued in their order. As in Erlang, <paramref name="match"/> should be a pure test: a receive tests each message
    /// at most once, even when it waits for more to arrive.
    /// </summary>
    /// <exception cref="ReceivePendingException">An earlier receive of this process is still waiting.</exception>
    public abstract ValueTask<object> ReceiveAsync(Func<object, bool> match);

    /// <summary>
    /// Receive with <c>after</c>: the oldest message matching <paramref name="match"/> (any when null), or null when
    /// none arrives within <paramref name="timeout"/> (<see cref="Timeout.InfiniteTimeSpan"/> waits forever;
    /// zero only looks at what is queued).
    /// </summary>
    /// <exception cref="ReceivePendingException">An earlier receive of this process is still waiting.</exception>
    public abstract ValueTask<object?> ReceiveAsync(Func<object, bool>? match, TimeSpan timeout);

    /// <summary>Selective receive of the oldest message of type <typeparamref name="T"/> (optionally also matching <paramref name="match"/>).</summary>
    public async ValueTask<T> ReceiveAsync<T>(Func<T, bool>? match = null)
        where T : notnull =>
        (T)await ReceiveAsync(m => m is T t && (match is null || match(t))).ConfigureAwait(false);

    /// <summary>
    /// The trace context the message last taken by a receive of this process was sent from: the sender's
    /// <see cref="System.Diagnostics.Activity.Current"/> when it called <c>Send</c>, if a listener was on
    /// <see cref="Diagnostics.OtpDiagnostics.ActivitySourceName"/> then; <c>default</c> otherwise. Start an activity with it
    /// as parent to continue the sender's trace (a GenServer does so for <c>HandleInfo</c> by itself). A selective
    /// receive's predicate sees the message unchanged.
    /// </summary>
    public abstract System.Diagnostics.ActivityContext ReceivedTraceContext { get; }

    /// <summary>Sends <paramref name="message"/> to <paramref name="to"/> (never fails; OTP P6.1).</summary>
    public void Send(Pid to, object message) => Node.Send(to, message);

    /// <summary>Sends to a registered name; throws <see cref="BadArgumentException"/> if the name is not registered.</summary>
    public void Send(string name, object message) => Node.Send(name, message);

    /// <summary>
    /// <c>link/1</c>: links this process and <paramref name="pid"/> (OTP P3). If <paramref name="pid"/> is dead, a
    /// trapping caller gets <c>{'EXIT', Pid, noproc}</c>, a non-trapping one a <see cref="NoProcException"/>.
    /// </summary>
    public abstract bool Link(Pid pid);

    /// <summary><c>unlink/1</c>: removes the link, if any. An <c>'EXIT'</c> already queued stays (OTP P3.3).</summary>
    public abstract bool Unlink(Pid pid);

    /// <summary><c>monitor(process, Pid)</c>: a <see cref="DownMessage"/> arrives when <paramref name="pid"/> ends (at once with <c>noproc</c> if it is dead).</summary>
    public abstract Ref Monitor(Pid pid);

    /// <summary><c>monitor(process, Name)</c>: monitors the process registered as <paramref name="name"/> (<c>noproc</c> if none).</summary>
    public abstract Ref Monitor(string name);

    /// <summary><c>demonitor(Ref[, [flush]])</c>: removes the monitor; with <paramref name="flush"/> also a queued <c>'DOWN'</c>. Returns true.</summary>
    public abstract bool Demonitor(Ref monitorRef, bool flush = false);

    /// <summary><c>exit(Reason)</c>: ends this process with <paramref name="reason"/> by throwing <see cref="OtpExitException"/>.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void Exit(ExitReason reason) => throw new OtpExitException(reason);

    /// <summary><c>exit(Pid, Reason)</c> sent by this process (OTP P1).</summary>
    public void Exit(Pid pid, ExitReason reason) => Node.Exit(Self, pid, reason);

    /// <summary>Spawns a process (not linked).</summary>
    public Pid Spawn(Func<ProcessContext, Task> body, SpawnOptions? options = null) => Node.Spawn(body, options);

    /// <summary><c>spawn_link</c>: spawns a process linked to this one; this process is its parent.</summary>
    public Pid SpawnLink(Func<ProcessContext, Task> body, SpawnOptions? options = null) =>
        Node.Spawn(body, (options ?? SpawnOptions.Default) with { Link = true });

    /// <summary><c>spawn_monitor</c>: spawns a process monitored by this one.</summary>
    public (Pid Pid, Ref Monitor) SpawnMonitor(Func<ProcessContext, Task> body, SpawnOptions? options = null)
    {
        var pid = Node.Spawn(body, (options ?? SpawnOptions.Default) with { StartSuspended = true });
        var monitor = Monitor(pid);
        Node.StartSuspended(pid);
        return (pid, monitor);
    }

    /// <summary><c>register(Name, self())</c>.</summary>
    public void Register(string name) => Node.Register(name, Self);
}
