using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
using Otp.Net.Terms;

namespace Otp.Net.Processes;

/// <summary>
/// A process: its mailbox, links, monitors and exit path. Signal state (links, monitors, trap_exit, liveness)
/// is guarded by the process object's own lock; messages go through the lock-free mailbox.
/// </summary>
internal sealed class LocalProcess : ProcessContext, IThreadPoolWorkItem, IDownWatcher, IValueTaskSource<object>
{
    private readonly Node _node;
    private readonly Mailbox _mailbox;
    private Func<ProcessContext, Task>? _body;
    private volatile bool _dead;
    private bool _trapExit;
    private HashSet<LocalProcess>? _links;
    private Dictionary<Ref, IDownWatcher>? _monitoredBy;
    private ReplyWatchList? _replyWatches;
    private Dictionary<Ref, LocalProcess>? _monitoring;
    private HashSet<RemotePid>? _remoteLinks;
    private Dictionary<Ref, RemoteMonitor>? _remoteMonitoring;
    private HashSet<IProcessTimer>? _timers;
    private SaveQueue? _save;
    private CancellationTokenSource? _cts;
    private ExitReason? _exitReason;
    private ManualResetValueTaskSourceCore<object> _receive;
    private Func<object, bool>? _receiveMatch;
    private volatile bool _receivePending;
    private volatile bool _exitSignalled;
    private int _sending;

    public LocalProcess(Node node, long id, Func<ProcessContext, Task> body, Pid parent, bool trapExit)
    {
        _node = node;
        Id = id;
        _body = body;
        Parent = parent;
        _trapExit = trapExit;
        _mailbox = new Mailbox { Owner = this, HandOff = node.Options.HandOff };
    }

    public long Id { get; }

    public override Pid Self => new(this);

    public override Node Node => _node;

    public override Pid Parent { get; }

    public bool IsAlive
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        get => !_dead;
    }

    public ExitReason? ExitReason => _exitReason;

    /// <summary>True once the exit path has signalled every link and monitor.</summary>
    public bool ExitSignalled => _exitSignalled;

    public string? RegisteredName { get; set; }

    /// <summary>Set by behaviours: what the process runs (for process info and code tracking).</summary>
    public string? CurrentModule { get; set; }

    /// <summary>Set with <see cref="CurrentModule"/>: the module alone, without its version (tags of spans and metrics).</summary>
    public string? ModuleName { get; set; }

    /// <summary>Set with <see cref="CurrentModule"/>: the code server version the process is bound to, if any.</summary>
    public string? ModuleVersion { get; set; }

    /// <summary>Set with <see cref="CurrentModule"/>: the behaviour the process runs (<c>gen_server</c>, <c>supervisor</c>).</summary>
    public string? Behaviour { get; set; }

    /// <summary>Set with <see cref="CurrentModule"/>: whether the callback module is marked <see cref="Diagnostics.ExposeStatusAttribute"/>.</summary>
    public bool StatusExposed { get; set; }

    /// <summary>The application the process belongs to: set on an application master, inherited at spawn (a group leader's role).</summary>
    public string? Application { get; set; }

    /// <summary>The sender's trace of the message last taken by a receive, or null (see <see cref="TracedMessage"/>).</summary>
    public System.Diagnostics.Activity? ReceivedTrace { get; private set; }

    public override System.Diagnostics.ActivityContext ReceivedTraceContext => ReceivedTrace?.Context ?? default;

    /// <summary>Takes <see cref="ReceivedTrace"/>: a behaviour that has used it lets the sender's span go while it idles.</summary>
    public System.Diagnostics.Activity? TakeReceivedTrace()
    {
        var trace = ReceivedTrace;
        ReceivedTrace = null;
        return trace;
    }

    /// <summary>Set by behaviours while suspended by sys.</summary>
    public bool Suspended { get; set; }

    public ProcessStatus Status { get; private set; } = ProcessStatus.Running;

    /// <summary>Messages this process has taken from its mailbox (written by the process only).</summary>
    public long MessagesReceived { get; private set; }

    public Mailbox Mailbox => _mailbox;

    public override CancellationToken CancellationToken
    {
        get
        {
            var existing = Volatile.Read(ref _cts);
            if (existing is null)
            {
                var cts = new CancellationTokenSource();
                existing = Interlocked.CompareExchange(ref _cts, cts, null);
                if (existing is not null) cts.Dispose();
                else
                {
                    existing = cts;
                    // The exchange is a full fence: either the exit path sees this source, or this sees the death.
                    if (_dead) cts.Cancel();
                }
            }
            return existing.Token;
        }
    }

    public override bool TrapExit
    {
        get => Volatile.Read(ref _trapExit);
        set
        {
            lock (this) _trapExit = value;
        }
    }

    // ---------------------------------------------------------------- running

    /// <summary>Runs the body on the thread pool.</summary>
    public void Start() => ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void IThreadPoolWorkItem.Execute() => Scheduler.RunTurn(RunBodyStep, this);

    private static readonly Action<object?> RunBodyStep = RunBodyOf;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunBodyOf(object? process) => ((LocalProcess)process!).RunBody();

    private void RunBody()
    {
        var body = _body!;
        _body = null;
        var previous = CurrentProcess;
        CurrentProcess = this;
        Task task;
        try
        {
            task = _dead ? Task.CompletedTask : body(this);
        }
        catch (Exception ex)
        {
            task = Task.FromException(ex);
        }
        finally
        {
            CurrentProcess = previous;
        }
        if (task.IsCompleted) OnBodyCompleted(task);
        else task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(() => OnBodyCompleted(task));
    }

    private void OnBodyCompleted(Task task)
    {
        ExitReason reason;
        if (task.IsCompletedSuccessfully) reason = ExitReason.Normal;
        else if (task.IsCanceled && _dead) reason = ExitReason.Killed;
        else if (task.Exception?.InnerException is { } ex) reason = ex is ProcessExitedException ? ExitReason.Killed : ExitReason.FromException(ex);
        else reason = ExitReason.FromException(new TaskCanceledException());
        Terminate(reason);
        // The body will not read again: drop what is left so the messages can be collected.
        _mailbox.Drain(null);
        _save = null;
        // The last receive's source still points at the body's state machine (its continuation): let it go, or a
        // held Pid would keep the code that ran the body loaded.
        _receive.Reset();
    }

    // ---------------------------------------------------------------- messages

    /// <summary>Delivers a message (dropped if the process has exited).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Deliver(object message)
    {
        if (_dead) return;
        Scheduler.Flush();
        _mailbox.Enqueue(message);
    }

    /// <summary>
    /// Delivers a message sent by the calling code. When that code belongs to a process that has exited (code left
    /// running after a kill), the message is dropped: nothing from a process arrives after its death is signalled
    /// (P6.2). The exit path waits for sends already under way before it signals links and monitors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void DeliverFromCaller(object message) => DeliverFrom(CurrentProcess, message);

    /// <summary>
    /// Delivers a message sent by <paramref name="sender"/>'s code (null: code outside any process); false, and nothing
    /// delivered, when the sender has exited.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool DeliverFrom(LocalProcess? sender, object message)
    {
        if (sender is null)
        {
            Deliver(message);
            return true;
        }
        // The count is what the exit path waits on; the increment is a full fence, mirrored by the exit path's.
        Interlocked.Increment(ref sender._sending);
        try
        {
            if (sender._dead) return false;
            Deliver(message);
            return true;
        }
        finally
        {
            Interlocked.Decrement(ref sender._sending);
        }
    }

    public override ValueTask<object> ReceiveAsync()
    {
        ThrowIfReceivePending();
        if (TryTakeNext(null, out var m)) return new ValueTask<object>(m);
        return ReceiveSlow(null);
    }

    public override ValueTask<object> ReceiveAsync(Func<object, bool> match)
    {
        ArgumentNullException.ThrowIfNull(match);
        ThrowIfReceivePending();
        if (TryTakeNext(match, out var m)) return new ValueTask<object>(m);
        return ReceiveSlow(match);
    }

    /// <summary>
    /// A receive that has to wait. The process itself is the awaited source: the mailbox's wake-up runs
    /// <see cref="OnMailboxReady"/>, which takes the message and resumes the receiver on the same thread, with no
    /// async method or task in between.
    /// </summary>
    private ValueTask<object> ReceiveSlow(Func<object, bool>? match)
    {
        while (true)
        {
            if (TryTakeNext(match, out var m, resume: true)) return new ValueTask<object>(m);
            Status = ProcessStatus.Waiting;
            if (_mailbox.Park())
            {
                _receivePending = true;
                _receiveMatch = match;
                _receive.Reset();
                // A selective receive's predicate is the user's code: it runs in the process's context.
                _mailbox.OnReady(static s => ((LocalProcess)s!).OnMailboxReady(), this, flowContext: match is not null);
                return new ValueTask<object>(this, _receive.Version);
            }
            Status = ProcessStatus.Running;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void OnMailboxReady()
    {
        while (true)
        {
            Status = ProcessStatus.Running;
            if (_dead)
            {
                _receiveMatch = null;
                _receivePending = false;
                _receive.SetException(new ProcessExitedException());
                return;
            }
            object? m;
            try
            {
                if (!TryTakeNext(_receiveMatch, out m, resume: true)) m = null;
            }
            catch (Exception ex)
            {
                // Killed from another thread since the check above, or the selective receive's predicate threw: the
                // receive ends with it, as it would have in the process's own code. This runs on a pool thread as the
                // scheduler's step, where an escaping exception would end the program.
                _receiveMatch = null;
                _receivePending = false;
                _receive.SetException(ex);
                return;
            }
            if (m is not null)
            {
                _receiveMatch = null;
                _receivePending = false;
                _receive.SetResult(m);
                return;
            }
            // Woken without a matching message: wait again.
            Status = ProcessStatus.Waiting;
            if (_mailbox.Park())
            {
                _mailbox.OnReady(static s => ((LocalProcess)s!).OnMailboxReady(), this, flowContext: _receiveMatch is not null);
                return;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    object IValueTaskSource<object>.GetResult(short token)
    {
        if (token != _receive.Version) return _receive.GetResult(token); // throws: a stale or reused receive
        try
        {
            return _receive.GetResult(token);
        }
        finally
        {
            // The receive is consumed: its continuation, execution context and message are dropped at once, so a
            // dead process (reachable through any Pid) keeps neither its body's state nor its last message.
            _receive.Reset();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    ValueTaskSourceStatus IValueTaskSource<object>.GetStatus(short token) => _receive.GetStatus(token);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void IValueTaskSource<object>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _receive.OnCompleted(continuation, state, token, flags);

    public override ValueTask<object?> ReceiveAsync(Func<object, bool>? match, TimeSpan timeout) => ReceiveAsync(match, timeout, resume: false);

    /// <summary>
    /// Receive with <c>after</c>. With <paramref name="resume"/>, <paramref name="match"/> is a predicate the caller
    /// reuses across receives and that never accepts a message it once rejected (for example a test against a set that
    /// only shrinks): saved messages it already rejected are skipped, so a loop of such receives is linear overall.
    /// </summary>
    internal async ValueTask<object?> ReceiveAsync(Func<object, bool>? match, TimeSpan timeout, bool resume)
    {
        ThrowIfReceivePending();
        if (TryTakeNext(match, out var first, resume)) return first;
        if (timeout == TimeSpan.Zero) return null;
        if (timeout == Timeout.InfiniteTimeSpan) return await ReceiveSlow(match).ConfigureAwait(false);
        if (timeout < TimeSpan.Zero) throw new BadArgumentException("receive timeout must not be negative");
        var flag = new WakeFlag(_mailbox);
        using var timer = _node.TimeProvider.CreateTimer(static s => ((WakeFlag)s!).Fire(), flag, timeout, Timeout.InfiniteTimeSpan);
        _receivePending = true;
        try
        {
            while (true)
            {
                if (TryTakeNext(match, out var m, resume: true)) return m;
                if (flag.Fired) return null;
                Status = ProcessStatus.Waiting;
                await _mailbox.WaitAsync().ConfigureAwait(false);
                Status = ProcessStatus.Running;
            }
        }
        finally
        {
            _receivePending = false;
        }
    }

    /// <summary>A receive is still waiting: a second one would take its messages or leave it waiting forever.</summary>
    private void ThrowIfReceivePending()
    {
        if (_receivePending) throw new ReceivePendingException(Self);
    }

    /// <summary>Parks until a message arrives or <see cref="WakeFlag.Fire"/> is called (behaviour loops).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal ValueTask<bool> WaitAsync()
    {
        ThrowIfExited();
        return _mailbox.WaitAsync();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void SetWaiting(bool waiting) => Status = waiting ? ProcessStatus.Waiting : ProcessStatus.Running;

    /// <summary>
    /// Takes the oldest message (matching <paramref name="match"/> when given); unmatched ones go to the save queue.
    /// Throws <see cref="ProcessExitedException"/> once the process has exited.
    /// </summary>
    /// <param name="match">The receive's predicate; null takes any message.</param>
    /// <param name="message">The message taken.</param>
    /// <param name="resume">
    /// The same receive looks again after a wait (or <paramref name="match"/> is a pure predicate the caller reuses):
    /// the saved messages it already rejected are not tested again, as with BEAM's save pointer.
    /// </param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal bool TryTakeNext(Func<object, bool>? match, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out object? message, bool resume = false)
    {
        // A process killed while its code ran stops at its next receive: it takes no message that is still queued.
        ThrowIfExited();
        var save = _save;
        if (save is { Count: > 0 } && save.TryTake(match, resume, out message))
        {
            MessagesReceived++;
            message = Opened(message);
            return true;
        }
        while (_mailbox.TryDequeue(out var m))
        {
            // A message sent from inside a trace is wrapped with the sender's span: the predicate sees the message itself.
            if (match is null || match(TracedMessage.Unwrap(m)))
            {
                // Every saved message was tested first, and every one added since was rejected.
                save?.MarkAllRejected(match);
                message = Opened(m);
                MessagesReceived++;
                return true;
            }
            (save ??= _save = new SaveQueue()).Add(m);
        }
        save?.MarkAllRejected(match);
        message = null;
        return false;
    }

    /// <summary>The message a receive takes, its trace (if it came with one) kept for the receiver.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private object Opened(object taken)
    {
        if (taken is TracedMessage traced)
        {
            ReceivedTrace = traced.Trace;
            return traced.Message;
        }
        ReceivedTrace = null;
        return taken;
    }

    /// <summary>
    /// Removes the oldest queued message matching <paramref name="match"/> (reader only): for a flush that can find
    /// at most one message, such as the <c>DOWN</c> of a monitor already removed.
    /// </summary>
    internal void RemoveFirstQueued(Func<object, bool> match)
    {
        if (_save is { Count: > 0 } save && save.RemoveFirst(match)) return;
        while (_mailbox.TryDequeue(out var m))
        {
            if (match(TracedMessage.Unwrap(m))) return;
            (_save ??= new SaveQueue()).Add(m);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ThrowIfExited()
    {
        if (_dead) throw new ProcessExitedException();
    }

    // ---------------------------------------------------------------- links

    public override bool Link(Pid pid)
    {
        ThrowIfExited();
        var other = pid.Process;
        if (other == this) return true;
        if (pid.Remote is { } remote)
        {
            LinkRemote(remote);
            return true;
        }
        if (other is null || !LinkPair(this, other))
        {
            if (TrapExit)
            {
                Deliver(new ExitMessage(pid, ExitReason.NoProc));
                return true;
            }
            throw new NoProcException(pid);
        }
        return true;
    }

    /// <summary>Links two processes atomically; false if <paramref name="b"/> is dead.</summary>
    internal static bool LinkPair(LocalProcess a, LocalProcess b)
    {
        var (first, second) = a.Id < b.Id ? (a, b) : (b, a);
        lock (first)
        {
            lock (second)
            {
                if (b._dead) return false;
                if (a._dead) return true; // a's exit path already ran; nothing to link
                (a._links ??= []).Add(b);
                (b._links ??= []).Add(a);
                return true;
            }
        }
    }

    public override bool Unlink(Pid pid)
    {
        if (pid.Remote is { } remote)
        {
            if (RemoveRemoteLink(remote)) Distribution(remote).Unlink(this, remote);
            return true;
        }
        var other = pid.Process;
        if (other is null || other == this) return true;
        var (first, second) = Id < other.Id ? (this, other) : (other, this);
        lock (first)
        {
            lock (second)
            {
                _links?.Remove(other);
                other._links?.Remove(this);
            }
        }
        return true;
    }

    private void RemoveLink(LocalProcess other)
    {
        lock (this) _links?.Remove(other);
    }

    // ---------------------------------------------------------------- remote links and monitors

    /// <summary>The distribution that carries signals toward <paramref name="remote"/>: this node's.</summary>
    private IDistribution Distribution(RemotePid remote) => _node.Distribution ?? remote.Node.Owner;

    private void LinkRemote(RemotePid remote)
    {
        lock (this)
        {
            if (_dead) throw new ProcessExitedException();
            if (!(_remoteLinks ??= []).Add(remote)) return; // already linked: no second signal
        }
        Distribution(remote).Link(this, remote);
    }

    /// <summary>Records this side of a link asked for by a remote process; false if this process has exited.</summary>
    internal bool AddRemoteLink(RemotePid other)
    {
        lock (this)
        {
            if (_dead) return false;
            (_remoteLinks ??= []).Add(other);
            return true;
        }
    }

    /// <summary>Removes this side of a link to a remote process; true if there was one.</summary>
    internal bool RemoveRemoteLink(RemotePid other)
    {
        lock (this) return _remoteLinks?.Remove(other) ?? false;
    }

    /// <summary>
    /// An exit signal from a remote link partner (its exit, or the loss of its node): takes effect only while the link
    /// is there, as with the link protocol of OTP 23 and later.
    /// </summary>
    internal void OnRemoteLinkExit(RemotePid from, ExitReason reason)
    {
        if (RemoveRemoteLink(from)) ReceiveExitSignal(new Pid(from), reason, viaLink: true);
    }

    /// <summary>Monitors a process of another node, by pid or by <c>{Name, Node}</c>.</summary>
    internal Ref MonitorRemote(RemoteMonitor monitor, IDistribution distribution)
    {
        lock (this)
        {
            if (_dead) throw new ProcessExitedException();
            (_remoteMonitoring ??= [])[monitor.Ref] = monitor;
        }
        distribution.Monitor(this, monitor.Ref, monitor);
        return monitor.Ref;
    }

    /// <summary>The <c>DOWN</c> of a remote monitor: delivered once, unless the monitor was removed first.</summary>
    internal void OnRemoteDown(Ref monitorRef, ExitReason reason)
    {
        RemoteMonitor? monitor = null;
        lock (this)
        {
            if (_remoteMonitoring is null || !_remoteMonitoring.Remove(monitorRef, out monitor)) return;
        }
        Deliver(DownOf(monitor, reason));
    }

    private static DownMessage DownOf(RemoteMonitor monitor, ExitReason reason) =>
        new(monitor.Ref, monitor.Pid is { } pid ? new Pid(pid) : default, reason, monitor.Name) { NodeName = monitor.NodeName };

    /// <summary>
    /// <paramref name="node"/> went down: every link to a process there delivers <c>noconnection</c> (X1), every
    /// monitor of one a <c>DOWN</c> with <c>noconnection</c> (X2), and monitors held from there are forgotten.
    /// </summary>
    internal void OnNodeDown(RemoteNode node)
    {
        // Most processes hold nothing remote. Read without the lock: whatever is added after the node went down is
        // refused by the distribution itself (it no longer routes to that node), and remote watchers are added on the
        // thread that reports the down.
        if (_remoteLinks is null && _remoteMonitoring is null && _monitoredBy is null) return;
        List<RemotePid>? links = null;
        List<RemoteMonitor>? downs = null;
        lock (this)
        {
            if (_dead) return;
            if (_remoteLinks is { Count: > 0 })
            {
                foreach (var l in _remoteLinks)
                {
                    if (l.Node.Identity == node.Identity) (links ??= []).Add(l);
                }
                if (links is not null)
                {
                    foreach (var l in links) _remoteLinks.Remove(l);
                }
            }
            if (_remoteMonitoring is { Count: > 0 })
            {
                foreach (var m in _remoteMonitoring.Values)
                {
                    if (m.Pid is { } p ? p.Node.Identity == node.Identity : m.NodeName == node.Identity.Name) (downs ??= []).Add(m);
                }
                if (downs is not null)
                {
                    foreach (var m in downs) _remoteMonitoring.Remove(m.Ref);
                }
            }
            if (_monitoredBy is { Count: > 0 })
            {
                List<Ref>? gone = null;
                foreach (var (r, w) in _monitoredBy)
                {
                    if (w is IRemoteWatcher rw && rw.Node.Identity == node.Identity) (gone ??= []).Add(r);
                }
                if (gone is not null)
                {
                    foreach (var r in gone) _monitoredBy.Remove(r);
                }
            }
        }
        if (downs is not null)
        {
            foreach (var m in downs) Deliver(DownOf(m, ExitReason.NoConnection));
        }
        if (links is not null)
        {
            foreach (var l in links) ReceiveExitSignal(new Pid(l), ExitReason.NoConnection, viaLink: true);
        }
    }

    // ---------------------------------------------------------------- monitors

    public override Ref Monitor(Pid pid) => MonitorWithRef(pid, new Ref());

    /// <summary>Monitors <paramref name="pid"/> under a reference chosen by the caller (tasks tag replies with it).</summary>
    internal Ref MonitorWithRef(Pid pid, Ref r)
    {
        ThrowIfExited();
        if (pid.Process is { } target) return MonitorCore(target, r, this, pid, null);
        if (pid.Remote is { } remote) return MonitorRemote(new RemoteMonitor(r, remote.Node.Identity.Name, remote, null), Distribution(remote));
        Deliver(new DownMessage(r, pid, ExitReason.NoProc));
        return r;
    }

    public override Ref Monitor(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ThrowIfExited();
        var r = new Ref();
        // P4.2: a monitor taken by name reports the name ({Name, Node}) in its DOWN, whatever the reason.
        if (_node.WhereIs(name) is { Process: { } target } pid) return MonitorCore(target, r, new NamedDownWatcher(this, name), pid, name);
        Deliver(new DownMessage(r, default, ExitReason.NoProc, name));
        return r;
    }

    /// <summary>
    /// Registers a monitor of <paramref name="target"/> held by this process. The entry goes in first: a DOWN that
    /// races the registration then finds and removes it, so no entry for a dead target is left behind. No lock is held
    /// while the target's lock is taken (links lock in id order).
    /// </summary>
    private Ref MonitorCore(LocalProcess target, Ref r, IDownWatcher watcher, Pid pid, string? name)
    {
        lock (this)
        {
            if (_dead) throw new ProcessExitedException();
            (_monitoring ??= [])[r] = target;
        }
        if (!target.AddMonitor(r, watcher))
        {
            lock (this) _monitoring?.Remove(r);
            Deliver(new DownMessage(r, name is null ? pid : default, ExitReason.NoProc, name));
        }
        return r;
    }

    /// <summary>Delivers the DOWN of a monitor taken by name, carrying the name instead of the pid.</summary>
    private sealed class NamedDownWatcher(LocalProcess owner, string name) : IDownWatcher
    {
        public void OnDown(Ref monitorRef, Pid pid, ExitReason reason)
        {
            lock (owner) owner._monitoring?.Remove(monitorRef);
            owner.Deliver(new DownMessage(monitorRef, pid, reason, name));
        }
    }

    public override bool Demonitor(Ref monitorRef, bool flush = false)
    {
        ArgumentNullException.ThrowIfNull(monitorRef);
        LocalProcess? target = null;
        RemoteMonitor? remote = null;
        lock (this)
        {
            if (_monitoring is not null && _monitoring.Remove(monitorRef, out var t)) target = t;
            else _remoteMonitoring?.Remove(monitorRef, out remote);
        }
        target?.RemoveMonitor(monitorRef);
        if (remote is not null) _node.Distribution?.Demonitor(Self, monitorRef, remote);
        // Once the monitor is gone no DOWN can follow, so there is at most one to remove.
        if (flush && CurrentProcess == this) RemoveFirstQueued(m => m is DownMessage d && d.Ref == monitorRef);
        return true;
    }

    /// <summary>Adds a monitor held by <paramref name="watcher"/>; false if this process has exited.</summary>
    internal bool AddMonitor(Ref monitorRef, IDownWatcher watcher)
    {
        lock (this)
        {
            if (_dead) return false;
            (_monitoredBy ??= [])[monitorRef] = watcher;
            return true;
        }
    }

    /// <summary>
    /// Watches this process for a caller waiting on a reply (call or sys request): told if this process dies first.
    /// Takes no lock; false if this process has exited.
    /// </summary>
    internal bool AddReplyWatch(ReplyWatch watch)
    {
        var list = Volatile.Read(ref _replyWatches);
        if (list is null)
        {
            var created = new ReplyWatchList();
            list = Interlocked.CompareExchange(ref _replyWatches, created, null) ?? created;
        }
        return list.TryAdd(watch, this);
    }

    internal void RemoveMonitor(Ref monitorRef)
    {
        lock (this) _monitoredBy?.Remove(monitorRef);
    }

    void IDownWatcher.OnDown(Ref monitorRef, Pid pid, ExitReason reason)
    {
        lock (this) _monitoring?.Remove(monitorRef);
        Deliver(new DownMessage(monitorRef, pid, reason));
    }

    // ---------------------------------------------------------------- timers

    internal bool AddTimer(IProcessTimer entry)
    {
        lock (this)
        {
            if (_dead) return false;
            (_timers ??= []).Add(entry);
            return true;
        }
    }

    internal void RemoveTimer(IProcessTimer entry)
    {
        lock (this) _timers?.Remove(entry);
    }

    // ---------------------------------------------------------------- exit signals

    /// <summary>
    /// An exit signal arrives (OTP P1). Takes effect at once: a non-trapping process dies now, even with messages
    /// queued; a trapping one gets an <see cref="ExitMessage"/> behind earlier messages.
    /// </summary>
    /// <param name="from">The sender.</param>
    /// <param name="reason">The reason.</param>
    /// <param name="viaLink">True when the signal comes from a dying link partner (then <c>kill</c> is trappable, P2.2).</param>
    internal void ReceiveExitSignal(Pid from, ExitReason reason, bool viaLink)
    {
        ExitReason? dieWith = null;
        lock (this)
        {
            if (_dead) return;
            if (!viaLink && reason.Kind == ExitReasonKind.Kill) dieWith = ExitReason.Killed;
            else if (_trapExit) _mailbox.Enqueue(new ExitMessage(from, reason));
            else if (reason.IsNormal)
            {
                if (from.Process == this) dieWith = ExitReason.Normal;
            }
            else dieWith = reason;
        }
        if (dieWith is not null) Terminate(dieWith);
    }

    /// <summary>
    /// The exit path: marks the process dead, waits for sends its code already has under way, frees its name,
    /// cancels its timers, tells the tracer, signals links, monitors and waiting callers, and only then cancels the
    /// process's token. Runs once; later calls are no-ops. Whatever the process's code does afterwards is discarded.
    /// </summary>
    /// <remarks>
    /// The token is cancelled last, and never on another process's thread: code registered on it (the victim's own
    /// continuations) runs on a pool thread when the exit comes from outside, so a kill returns at once and nothing
    /// of the victim runs before its death is signalled.
    /// </remarks>
    internal void Terminate(ExitReason reason)
    {
        HashSet<LocalProcess>? links;
        Dictionary<Ref, IDownWatcher>? monitoredBy;
        Dictionary<Ref, LocalProcess>? monitoring;
        HashSet<IProcessTimer>? timers;
        HashSet<RemotePid>? remoteLinks;
        Dictionary<Ref, RemoteMonitor>? remoteMonitoring;
        lock (this)
        {
            if (_dead) return;
            _dead = true;
            _exitReason = reason;
            Status = ProcessStatus.Exited;
            links = _links;
            monitoredBy = _monitoredBy;
            monitoring = _monitoring;
            timers = _timers;
            remoteLinks = _remoteLinks;
            remoteMonitoring = _remoteMonitoring;
            _remoteLinks = null;
            _remoteMonitoring = null;
            _links = null;
            _monitoredBy = null;
            _monitoring = null;
            _timers = null;
        }
        // A full fence between the death and the look at sends under way (DeliverFrom does the mirror image): a send
        // either sees the death and drops its message, or is waited for here, so it lands before any DOWN or EXIT.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _sending) != 0) WaitForSends();
        _node.OnProcessExiting(this, reason);
        if (timers is not null)
        {
            foreach (var t in timers) t.CancelAtExit();
        }
        if (monitoring is not null)
        {
            foreach (var (r, target) in monitoring) target.RemoveMonitor(r);
        }
        var self = Self;
        if (links is not null)
        {
            foreach (var l in links)
            {
                l.RemoveLink(this);
                SignalDispatcher.PostLinkExit(l, self, reason);
            }
        }
        if (monitoredBy is not null)
        {
            foreach (var (r, watcher) in monitoredBy) SignalDispatcher.PostDown(watcher, r, self, reason);
        }
        if (remoteLinks is not null || remoteMonitoring is not null) SignalRemote(self, reason, remoteLinks, remoteMonitoring);
        Interlocked.CompareExchange(ref _replyWatches, ReplyWatchList.ClosedList, null)?.Close(reason);
        _exitSignalled = true;
        // The queue is emptied by the body's own thread once the body has finished (OnBodyCompleted): the mailbox
        // has one reader, and a process killed from outside may still be running.
        _mailbox.Close();
        CancelToken();
    }

    private void SignalRemote(Pid self, ExitReason reason, HashSet<RemotePid>? links, Dictionary<Ref, RemoteMonitor>? monitoring)
    {
        if (links is not null)
        {
            foreach (var l in links) Distribution(l).ExitSignal(self, l, reason, viaLink: true);
        }
        if (monitoring is not null && _node.Distribution is { } distribution)
        {
            foreach (var m in monitoring.Values) distribution.Demonitor(self, m.Ref, m);
        }
    }

    private void WaitForSends()
    {
        var spin = new SpinWait();
        while (Volatile.Read(ref _sending) != 0) spin.SpinOnce();
    }

    private void CancelToken()
    {
        if (Volatile.Read(ref _cts) is not { } cts) return;
        if (CurrentProcess == this)
        {
            // The process ends itself: its own continuations may run here, after its death was signalled.
            Cancel(cts);
            return;
        }
        ThreadPool.UnsafeQueueUserWorkItem(static c => Cancel(c), cts, preferLocal: false);
    }

    private static void Cancel(CancellationTokenSource cts)
    {
        try
        {
            cts.Cancel();
        }
        catch (AggregateException)
        {
            // Code registered on the token threw; the process is gone regardless.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    // ---------------------------------------------------------------- info

    public ProcessInfo? GetInfo()
    {
        lock (this)
        {
            if (_dead) return null;
            return new ProcessInfo(
                Self,
                Suspended ? ProcessStatus.Suspended : Status,
                _mailbox.CountApprox() + (_save?.Count ?? 0),
                [.. _links?.Select(l => l.Self) ?? [], .. _remoteLinks?.Select(l => new Pid(l)) ?? []],
                [.. _monitoring?.Select(kv => (kv.Key, kv.Value.Self)) ?? [], .. _remoteMonitoring?.Values.Select(m => (m.Ref, m.Pid is { } p ? new Pid(p) : default)) ?? []],
                (_monitoredBy?.Count ?? 0) + (Volatile.Read(ref _replyWatches)?.CountPending() ?? 0),
                RegisteredName,
                _trapExit,
                CurrentModule,
                Parent)
            {
                MessagesReceived = MessagesReceived,
                Module = ModuleName,
                ModuleVersion = ModuleVersion,
                Application = Application,
                StatusExposed = StatusExposed,
                Behaviour = Behaviour,
            };
        }
    }

    public override string ToString() => Self.ToString();

    /// <summary>A flag a timer sets before waking the mailbox's reader (receive ... after).</summary>
    internal sealed class WakeFlag(Mailbox mailbox)
    {
        private volatile bool _fired;

        public bool Fired => _fired;

        public void Fire()
        {
            _fired = true;
            mailbox.Wake();
        }
    }
}
