using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Otp.Net.Code;
using Otp.Net.Diagnostics;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.GenServers;

/// <summary>
/// The generic server engine (gen_server's loop): owns the mailbox loop, replies, idle timeouts, continue, the
/// sys protocol (suspend, resume, get/replace state, status, change_code, statistics, trace) and the exit path.
/// One instance per process; the callback module is swappable (<see cref="Module"/>).
/// </summary>
internal sealed class GenServerProcess
{
    private static readonly Atom TimeoutAtom = Atom.Of("timeout");
    private static readonly Atom OkAtom = Atom.Of("ok");
    private static readonly Atom ErrorAtom = Atom.Of("error");

    private readonly LocalProcess _process;
    private readonly string _behaviour;
    private readonly Func<object, bool> _suspendedFilter;
    private object? _state;
    private bool _suspended;
    private bool _trace;
    private ServerStatistics? _stats;
    private object? _lastMessage;
    private (object? State, GenServerBase Module, ModuleVersion? Binding)? _beforeChange;
    private bool _stopped;

    private GenServerProcess(LocalProcess process, GenServerBase module, string behaviour, ModuleVersion? binding)
    {
        _process = process;
        Module = module;
        Binding = binding;
        _behaviour = behaviour;
        _suspendedFilter = m => m is SystemRequest || (m is ExitMessage e && e.From == _process.Parent && !e.From.IsUndefined);
    }

    /// <summary>The callback module the process runs now.</summary>
    public GenServerBase Module { get; private set; }

    /// <summary>The registry version the process is bound to (null when started with a module instance).</summary>
    public ModuleVersion? Binding { get; private set; }

    /// <summary>The current state (read by the code server to tell whether a newer version accepts it).</summary>
    public object? State => _state;

    /// <summary>The process body: init, acknowledge the starter, then loop.</summary>
    public static async Task RunAsync(ProcessContext context, GenServerBase module, object? args, StartAck started, string behaviour, ModuleVersion? binding)
    {
        var process = (LocalProcess)context;
        var engine = new GenServerProcess(process, module, behaviour, binding);
        engine.AttachAtStart();
        engine.Label();
        ServerAction action;
        try
        {
            var init = await engine.Module.InitCore(args, process.CancellationToken).ConfigureAwait(false);
            switch (init?.Kind)
            {
                case InitResultKind.Ok:
                    engine._state = init.BoxedState;
                    action = init.Action;
                    started.Complete(StartResult.Ok(process.Self));
                    break;
                case InitResultKind.Ignore:
                    started.Record(StartResult.Ignore);
                    process.Terminate(ExitReason.Normal);
                    started.Complete(StartResult.Ignore);
                    return;
                case InitResultKind.Stop:
                    started.Record(StartResult.Failed(init.Reason!));
                    process.Terminate(init.Reason!);
                    started.Complete(StartResult.Failed(init.Reason!));
                    return;
                default:
                    var bad = BadReturn(init);
                    started.Record(StartResult.Failed(bad));
                    process.Terminate(bad);
                    started.Complete(StartResult.Failed(bad));
                    return;
            }
        }
        catch (Exception ex) when (process.IsAlive)
        {
            // A process killed during init (its token cancelled, G15) is not a crash: the exception unwinds the
            // abandoned code and the starter learns the real exit reason from the exit.
            var reason = ExitReason.FromException(ex);
            started.Record(StartResult.Failed(reason));
            process.Terminate(reason);
            started.Complete(StartResult.Failed(reason));
            return;
        }
        // The loop outlives this method's frame: drop the parameters it hoisted, or the first module version (and
        // its load context) would stay reachable for the process's whole life.
        module = null!;
        binding = null;
        args = null;
        await engine.LoopAsync(action).ConfigureAwait(false);
    }

    /// <summary>
    /// Binds a starting server to its version, or to the module's current version if a newer one was loaded since the
    /// start was asked (no state exists yet: init runs the current code, as a fully-qualified call would). The fence
    /// pairs with the code server's after a load: either this process sees the new version as current, or an upgrade
    /// in progress finds it in the old version's table and changes it with the others.
    /// </summary>
    private void AttachAtStart()
    {
        while (Binding is { } binding)
        {
            binding.Attach(_process, this);
            Interlocked.MemoryBarrier();
            if (binding.Entry.Current is not { } current || current == binding || current.Instance is not GenServerBase newer) return;
            binding.Detach(_process);
            Binding = current;
            Module = newer;
        }
    }

    private static ExitReason BadReturn(object? value) =>
        ExitReason.Of(TermTuple.Of(Atom.Of("bad_return_value"), value));

    private CancellationToken Token => _process.CancellationToken;

    private ILogger Logger => _process.Node.LoggerFactory.CreateLogger(GenServerLog.Category);

    private async Task LoopAsync(ServerAction action)
    {
        while (!_stopped)
        {
            if (action.Kind == ServerActionKind.Continue && !_suspended)
            {
                var arg = action.ContinueArg!;
                action = await RunCallbackAsync(Callback.Continue, arg, null).ConfigureAwait(false);
                continue;
            }
            // A message already queued, and a callback that completes at once with a reply or no reply, cost no
            // asynchronous frame of their own: the steady state of a busy server (Dispatch). Only a wait with a
            // timeout needs a method of its own. The suspended filter is pure, so each saved message is tested
            // against it once however many system messages the server serves while suspended.
            object? message;
            while (!TryTakeNow(out message))
            {
                if (action.Kind == ServerActionKind.Timeout && !_suspended)
                {
                    message = await WaitWithTimeoutAsync(action.Timeout).ConfigureAwait(false);
                    break;
                }
                _process.SetWaiting(true);
                await _process.WaitAsync().ConfigureAwait(false);
                _process.SetWaiting(false);
            }
            var dispatched = Dispatch(message, action);
            action = dispatched.IsCompletedSuccessfully ? dispatched.Result : await dispatched.ConfigureAwait(false);
        }
    }

    /// <summary>Takes the next message the server would receive now, without waiting.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryTakeNow([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out object? message) => _process.TryTakeNext(_suspended ? _suspendedFilter : null, out message, resume: true);

    /// <summary>
    /// Waits for the next message for at most <paramref name="timeout"/> (G12), after <see cref="TryTakeNow"/> found
    /// none; the <c>timeout</c> message when it passes first. Not used while the server is suspended.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<object> WaitWithTimeoutAsync(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero) return TimeoutAtom;
        var flag = new LocalProcess.WakeFlag(_process.Mailbox);
        using var timer = _process.Node.TimeProvider.CreateTimer(static s => ((LocalProcess.WakeFlag)s!).Fire(), flag, timeout, Timeout.InfiniteTimeSpan);
        while (true)
        {
            _process.SetWaiting(true);
            await _process.WaitAsync().ConfigureAwait(false);
            _process.SetWaiting(false);
            if (_process.TryTakeNext(null, out var message, resume: true)) return message;
            if (flag.Fired) return TimeoutAtom;
        }
    }

    /// <summary>Tells the process what it runs now: the label of process info, and the module that tags its spans and metrics.</summary>
    private void Label()
    {
        _process.CurrentModule = ModuleLabel;
        _process.ModuleName = Binding?.Entry.Name ?? Module.ModuleName;
        _process.ModuleVersion = Binding?.Vsn;
        _process.Behaviour = _behaviour;
        _process.StatusExposed = ExposeStatusAttribute.IsOn((Module is IWrappedModule wrapped ? wrapped.Callback : Module).GetType());
    }

    private void Publish(NodeEventKind kind)
    {
        var events = _process.Node.Events;
        if (events.IsObserved) events.Publish(new NodeEvent(kind, events.Now) { Pid = _process.Self, Module = _process.ModuleName, Version = Binding?.Vsn });
    }

    private string ModuleLabel => Binding is { } b ? $"{b.Entry.Name} {b.Vsn}" : Module.ModuleName;

    /// <summary>S8: between callbacks, a process bound to an old version moves to the current one if it accepts the state.</summary>
    private void MaybeRebind()
    {
        if (Binding is { } b && b.Entry.Current is { } current && current != b && current.Accepts(_state, b) && current.Instance is GenServerBase module)
        {
            BindTo(current, module);
        }
    }

    private void BindTo(ModuleVersion version, GenServerBase module)
    {
        Binding?.Detach(_process);
        Binding = version;
        Module = module;
        version.Attach(_process, this);
        Label();
    }

    /// <summary>
    /// Handles one message: a call, cast or info message whose callback completes at once with a reply or no reply is
    /// handled here, synchronously and fully optimized from the first message (tiered compilation would otherwise run
    /// a busy server's path as unoptimized code for its first second); everything else, and a callback still running,
    /// goes through <see cref="DispatchAsync"/> and <see cref="RunCallbackAsync(Callback, CallReply?, ValueTask{IServerResult?})"/>,
    /// with the same effects in the same order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ValueTask<ServerAction> Dispatch(object message, ServerAction action)
    {
        if (_trace || OtpTelemetry.Tracing || message is SystemRequest || (message is ExitMessage exit && exit.From == _process.Parent))
        {
            return DispatchAsync(message, action);
        }
        if (Binding is not null) MaybeRebind();
        _lastMessage = message;
        if (_stats is { } st) _stats = st with { MessagesIn = st.MessagesIn + 1 };
        var (callback, payload, caller) = Classify(message);
        if (!TryStart(callback, payload, caller, out var pending, out var crashed)) return crashed;
        if (pending.IsCompletedSuccessfully)
        {
            var result = pending.Result;
            if (_process.IsAlive && result is { Kind: ServerResultKind.Reply or ServerResultKind.NoReply } done
                && (done.Kind == ServerResultKind.NoReply || callback == Callback.Call))
            {
                _state = done.StateAfter(_state);
                if (done.Kind == ServerResultKind.Reply) Reply(caller!, done.ReplyValue);
                _lastMessage = null;
                return new ValueTask<ServerAction>(done.Action);
            }
            pending = new ValueTask<IServerResult?>(result);
        }
        return FinishAsync(callback, caller, pending);
    }

    /// <summary>Which callback handles <paramref name="message"/>, with what, and who waits for a reply.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (Callback Callback, object Payload, CallReply? Caller) Classify(object message) => message switch
    {
        CallRequest call => (Callback.Call, call.Request, call.Sink),
        CastRequest cast => (Callback.Cast, cast.Request, null),
        _ => (Callback.Info, message, null),
    };

    /// <summary>The end of <see cref="Dispatch"/> for a callback still running, or a result other than a reply or no reply.</summary>
    private async ValueTask<ServerAction> FinishAsync(Callback callback, CallReply? caller, ValueTask<IServerResult?> pending)
    {
        var next = await RunCallbackAsync(callback, caller, pending).ConfigureAwait(false);
        _lastMessage = null;
        return next;
    }

    /// <summary>A callback threw before returning its task: the server crashes, as it does when the task fails.</summary>
    private async ValueTask<ServerAction> CrashedAsync(Exception ex)
    {
        await FailAsync(ex).ConfigureAwait(false);
        _lastMessage = null;
        return default;
    }

    private async ValueTask<ServerAction> DispatchAsync(object message, ServerAction action)
    {
        if (Binding is not null && message is not SystemRequest) MaybeRebind();
        switch (message)
        {
            case SystemRequest system:
                await HandleSystemAsync(system).ConfigureAwait(false);
                return action;
            case ExitMessage exit when exit.From == _process.Parent && !exit.From.IsUndefined:
                // G15.3: a trapping server stops when its parent sends any exit signal, normal included.
                _lastMessage = exit;
                await StopAsync(exit.Reason).ConfigureAwait(false);
                return default;
        }
        _lastMessage = message;
        if (_stats is { } st) _stats = st with { MessagesIn = st.MessagesIn + 1 };
        if (_trace) TraceEvent("got", message);
        // The callback runs with its span as the current activity (child of the sender's), so its own calls join the trace.
        using var span = OtpTelemetry.Tracing ? StartSpan(message) : null;
        var (callback, payload, caller) = Classify(message);
        var next = await RunCallbackAsync(callback, payload, caller).ConfigureAwait(false);
        // The last message is kept only for a crash report of its own callback: an idle server holds none (it could be
        // an object of a version that is being unloaded).
        _lastMessage = null;
        return next;
    }

    private Activity? StartSpan(object message) => message switch
    {
        CallRequest call => OtpTelemetry.StartHandler("handle_call", ActivityKind.Server, call.Trace, _process, _process.ModuleName ?? Module.ModuleName),
        CastRequest cast => OtpTelemetry.StartHandler("handle_cast", ActivityKind.Consumer, cast.Trace, _process, _process.ModuleName ?? Module.ModuleName),
        _ => OtpTelemetry.StartHandler("handle_info", ActivityKind.Consumer, _process.TakeReceivedTrace(), _process, _process.ModuleName ?? Module.ModuleName),
    };

    private enum Callback
    {
        Call,
        Cast,
        Info,
        Continue,
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ValueTask<IServerResult?> Invoke(Callback callback, object payload, CallReply? caller)
    {
        switch (callback)
        {
            case Callback.Call:
                return Module.HandleCallCore(payload, new From(caller!), _state, Token);
            case Callback.Cast:
                return Module.HandleCastCore(payload, _state, Token);
            case Callback.Info:
                return Module.HandleInfoCore(payload, _state, Token);
            default:
                return Module.HandleContinueCore(payload, _state, Token);
        }
    }

    /// <summary>Runs one callback and applies its result (G9, G10, G15.1–2). No allocation of its own per message.</summary>
    private ValueTask<ServerAction> RunCallbackAsync(Callback callback, object payload, CallReply? caller) =>
        TryStart(callback, payload, caller, out var pending, out var crashed) ? RunCallbackAsync(callback, caller, pending) : crashed;

    /// <summary>
    /// Calls the callback: true with its pending result, or false with the crash's handling when it threw before
    /// returning one (caught here, so the crash report shows the exception as thrown). What the callback changed in
    /// the execution context (async-local values, the current culture, the current activity) and the synchronization
    /// context ends with it, as at the end of an async method: the next callback starts from the loop's, and an idle
    /// server keeps nothing a callback put there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryStart(Callback callback, object payload, CallReply? caller, out ValueTask<IServerResult?> pending, out ValueTask<ServerAction> crashed)
    {
        var executionContext = ExecutionContext.Capture();
        var synchronizationContext = SynchronizationContext.Current;
        try
        {
            pending = Invoke(callback, payload, caller);
            crashed = default;
            return true;
        }
        catch (Exception ex) when (_process.IsAlive)
        {
            pending = default;
            crashed = CrashedAsync(ex);
            return false;
        }
        finally
        {
            // Null only while the flow is suppressed, which the loop never is.
            if (executionContext is not null) ExecutionContext.Restore(executionContext);
            if (SynchronizationContext.Current != synchronizationContext) SynchronizationContext.SetSynchronizationContext(synchronizationContext);
        }
    }

    /// <summary>Waits for a callback's result and applies it (G9, G10, G15.1–2).</summary>
    private async ValueTask<ServerAction> RunCallbackAsync(Callback callback, CallReply? caller, ValueTask<IServerResult?> pending)
    {
        var allowReply = callback == Callback.Call;
        IServerResult? result;
        try
        {
            result = await pending.ConfigureAwait(false);
        }
        catch (Exception ex) when (_process.IsAlive)
        {
            await FailAsync(ex).ConfigureAwait(false);
            return default;
        }
        // Killed or ended by an exit signal while the callback ran (G15): whatever it returned is discarded, it
        // replies to no one and terminate does not run. An exception thrown after the death (the token's
        // cancellation) is not a crash either: it leaves the filter above and ends the abandoned loop.
        if (!_process.IsAlive) throw new ProcessExitedException();
        switch (result?.Kind)
        {
            case ServerResultKind.Reply when allowReply:
                _state = result.StateAfter(_state);
                Reply(caller!, result.ReplyValue);
                return result.Action;
            case ServerResultKind.NoReply:
                _state = result.StateAfter(_state);
                return result.Action;
            case ServerResultKind.Stop:
                _state = result.StateAfter(_state);
                await StopAsync(result.Reason!).ConfigureAwait(false);
                return default;
            case ServerResultKind.StopReply when allowReply:
                _state = result.StateAfter(_state);
                Reply(caller!, result.ReplyValue);
                await StopAsync(result.Reason!).ConfigureAwait(false);
                return default;
            default:
                await StopAsync(BadReturn(result)).ConfigureAwait(false);
                return default;
        }
    }

    /// <summary>A callback failed (threw, or its task faulted): the span records it and the server stops with the exception.</summary>
    private ValueTask FailAsync(Exception ex)
    {
        if (Activity.Current is { } span && span.Source == OtpTelemetry.Source) OtpTelemetry.Fail(span, RequestTelemetry.ErrorType(ex), ex.Message);
        return StopAsync(ExitReason.FromException(ex));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Reply(CallReply sink, object? value)
    {
        sink.TryAnswer(value);
        if (_stats is { } st) _stats = st with { MessagesOut = st.MessagesOut + 1 };
        if (_trace) TraceEvent("sent", value);
    }

    /// <summary>Runs <c>terminate</c>, reports a crash if the reason is abnormal, and ends the process.</summary>
    private async ValueTask StopAsync(ExitReason reason)
    {
        _stopped = true;
        // G15: terminate never runs for a process that is already dead (killed, or a non-trapping server ended by
        // an exit signal), and no crash report is written for it.
        if (!_process.IsAlive) throw new ProcessExitedException();
        try
        {
            await Module.TerminateCore(reason, _state, Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (_process.IsAlive)
        {
            reason = ExitReason.FromException(ex);
        }
        if (!_process.IsAlive) throw new ProcessExitedException();
        var logger = Logger;
        if (!reason.IsNormalOrShutdown && logger.IsEnabled(LogLevel.Error))
        {
            GenServerLog.CrashReport(logger, _process.RegisteredName ?? _process.Self.ToString(), Module.ModuleName,
                TermFormatter.Format(_lastMessage), SafeFormatState(), reason.ToString());
        }
        _process.Terminate(reason);
    }

    private void TraceEvent(string direction, object? value)
    {
        var logger = Logger;
        if (logger.IsEnabled(LogLevel.Information))
        {
            GenServerLog.Trace(logger, _process.Self.ToString(), direction, TermFormatter.Format(value));
        }
    }

    private string SafeFormatState()
    {
        try
        {
            return TermFormatter.Format(Module.FormatStatusCore(_state));
        }
        catch (Exception ex)
        {
            return $"<format_status failed: {ex.Message}>";
        }
    }

    // ---------------------------------------------------------------- sys

    private async ValueTask HandleSystemAsync(SystemRequest request)
    {
        var sink = request.Sink;
        switch (request.Op)
        {
            case SystemOp.GetState:
                sink.TryReply(_state);
                break;
            case SystemOp.ReplaceState:
                try
                {
                    var fn = (Func<object?, object?>)request.Arg!;
                    _state = fn(_state);
                    sink.TryReply(_state);
                }
                catch (Exception ex)
                {
                    sink.TryReply(new SysCallbackFailure(ExceptionInfo.From(ex)));
                }
                break;
            case SystemOp.Suspend:
                _suspended = true;
                _process.Suspended = true;
                Publish(NodeEventKind.Suspended);
                sink.TryReply(OkAtom);
                break;
            case SystemOp.Resume:
                _beforeChange = null; // a change of code is final once the process runs again
                _suspended = false;
                _process.Suspended = false;
                Publish(NodeEventKind.Resumed);
                sink.TryReply(OkAtom);
                break;
            case SystemOp.FormatStatus:
                sink.TryReply(SafeFormatState());
                break;
            case SystemOp.GetStatus:
                var debug = new List<string>();
                if (_trace) debug.Add("trace");
                if (_stats is not null) debug.Add("statistics");
                sink.TryReply(new GenServerStatus(_process.Self, _behaviour, Module.ModuleName, _suspended, _process.Parent, debug, SafeFormat()));
                break;
            case SystemOp.ChangeCode:
                sink.TryReply(await ChangeCodeAsync(request).ConfigureAwait(false));
                break;
            case SystemOp.Statistics:
                var flag = (string)request.Arg!;
                if (flag == "true") _stats = new ServerStatistics(_process.Node.TimeProvider.GetUtcNow(), 0, 0);
                else if (flag == "false") _stats = null;
                sink.TryReply(flag == "get" ? _stats : OkAtom);
                break;
            case SystemOp.Trace:
                _trace = (bool)request.Arg!;
                sink.TryReply(OkAtom);
                break;
            case SystemOp.Rebind:
                MaybeRebind();
                sink.TryReply(Binding is null || Binding == Binding.Entry.Current);
                break;
            case SystemOp.RevertCode:
                // An upgrade rolls back: the state and code from before this suspension's change_code come back. They
                // were kept here, not sent to the code server, so that no reply carries a module's state.
                if (_beforeChange is { } before)
                {
                    _state = before.State;
                    if (before.Binding is { Instance: GenServerBase restored } version) BindTo(version, restored);
                    else Module = before.Module;
                    Label();
                    _beforeChange = null;
                }
                sink.TryReply(OkAtom);
                break;
            case SystemOp.RehearseChange:
                sink.TryReply(await RehearseAsync(request).ConfigureAwait(false));
                break;
            case SystemOp.Terminate:
                _lastMessage = request;
                await StopAsync((ExitReason)request.Arg!).ConfigureAwait(false);
                break;
        }
    }

    private object? SafeFormat()
    {
        try
        {
            return Module.FormatStatusCore(_state);
        }
        catch (Exception ex)
        {
            return $"<format_status failed: {ex.Message}>";
        }
    }

    /// <summary>
    /// S4, S5: only while suspended; on any failure the process keeps its old state and module. A process bound to a
    /// registry version runs the newest version's <c>CodeChange</c> (S4: gen_server calls its module fully qualified) and
    /// is rebound to it; its old state reaches the new code as a <see cref="StateTerm"/> when its type belongs to the old
    /// version. With <c>{down, Vsn}</c> (S6) the current (newer) code converts the state and the process binds back to Vsn
    /// (a module that <see cref="GenServerBase.MigratesStateItself"/>, a supervisor, runs the restored version's change).
    /// </summary>
    private async ValueTask<object> ChangeCodeAsync(SystemRequest request)
    {
        var explicitModule = request.Arg as GenServerBase;
        var oldVersion = request.Arg2;
        var extra = request.Arg3;
        var previous = _state;
        if (!_suspended)
        {
            return Outcome(TermTuple.Of(ErrorAtom, TermTuple.Of(Atom.Of("unknown_system_msg"),
                TermTuple.Of(Atom.Of("change_code"), Atom.Of((explicitModule ?? Module).ModuleName), oldVersion, extra))));
        }
        GenServerBase codeModule;
        ModuleVersion? bindAfter = null;
        var target = request.Arg as ShapeChange;
        var shape = target is { Shape: true } ? target : null;
        if (shape is not null)
        {
            if (Binding is not { } bound) return Outcome(TermTuple.Of(ErrorAtom, Atom.Of("not_bound_to_a_module")));
            bindAfter = shape.ToVsn is { } vsn ? bound.Entry.Find(vsn) : bound.Entry.Current;
            if (bindAfter is null || bindAfter.Instance is not GenServerBase shapeTarget) return Outcome(TermTuple.Of(ErrorAtom, TermTuple.Of(Atom.Of("no_such_version"), shape.ToVsn)));
            codeModule = shapeTarget;
        }
        else if (explicitModule is not null)
        {
            codeModule = explicitModule;
        }
        else if (Binding is { } binding)
        {
            if (DownTarget(oldVersion) is { } down)
            {
                bindAfter = binding.Entry.Find(TermFormatter.Format(down).Trim('"'));
                if (bindAfter is null) return Outcome(TermTuple.Of(ErrorAtom, TermTuple.Of(Atom.Of("no_such_version"), down)));
                // The newer code converts the state (S6); a static module's restored version re-reads its own (R8.4).
                codeModule = Module.MigratesStateItself && bindAfter.Instance is GenServerBase restored ? restored : Module;
            }
            else
            {
                bindAfter = target?.ToVsn is { } to ? binding.Entry.Find(to) : binding.Entry.Current ?? binding;
                if (bindAfter is null) return Outcome(TermTuple.Of(ErrorAtom, TermTuple.Of(Atom.Of("no_such_version"), target!.ToVsn)));
                codeModule = bindAfter.Instance as GenServerBase ?? Module;
            }
        }
        else
        {
            codeModule = Module;
        }
        var leaving = Binding;
        var crossing = bindAfter is not null && bindAfter != Binding && codeModule != Module;
        var migration = await MigrateAsync(codeModule, bindAfter, leaving, crossing, _state, oldVersion, extra, shape is not null).ConfigureAwait(false);
        if (!migration.Ok) return Outcome(migration.Value!);
        _beforeChange ??= (previous, Module, Binding);
        _state = migration.Value;
        if (migration.Stay)
        {
            // A static module kept its state, which still holds the version it runs: it stays on that version.
        }
        else if (bindAfter is not null)
        {
            if (bindAfter.Instance is GenServerBase next) BindTo(bindAfter, next);
        }
        else
        {
            Module = codeModule;
            Label();
        }
        return Outcome(OkAtom);
    }

    /// <summary>The target version of a downgrade's <c>{down, Vsn}</c> (S6), or null.</summary>
    private static object? DownTarget(object? oldVersion) =>
        oldVersion is TermTuple { Length: 2 } down && down[0] is Atom { Name: "down" } ? down[1] : null;

    /// <summary>The outcome of a code change run by <see cref="MigrateAsync"/>: the new state, or the failure term.</summary>
    private readonly record struct Migration(bool Ok, object? Value, bool Stay = false);

    /// <summary>
    /// Runs <paramref name="codeModule"/>'s <c>CodeChange</c> on <paramref name="state"/> and checks the new state as
    /// <paramref name="bindAfter"/> would take it from <paramref name="leaving"/>: the state (converted where needed) or
    /// the <c>{error, ...}</c> term <c>change_code</c> returns (S5). Commits nothing: the caller does, or (a rehearsal) not.
    /// </summary>
    private async ValueTask<Migration> MigrateAsync(GenServerBase codeModule, ModuleVersion? bindAfter, ModuleVersion? leaving, bool crossing, object? state, object? oldVersion, object? extra, bool shape = false)
    {
        var leavingContext = crossing ? leaving?.Context : null;
        var stateIn = state;
        if (leavingContext is { } oldContext && !codeModule.MigratesStateItself && state is not null && ObjectGraph.Reaches(state, oldContext, out _) != ObjectGraph.Found.None)
        {
            // The state holds objects of the version it leaves (whatever its declared type): the new code gets them as
            // neutral terms. A cycle, or an object that cannot be copied, fails the change with a typed reason. (A static
            // module's state is the engine's own: it gets it as it is and leaves the old version behind itself.)
            try
            {
                stateIn = StateTerms.Neutralize(state, oldContext);
            }
            catch (StateMigrationException ex)
            {
                return new(false, TermTuple.Of(ErrorAtom, ex.ToTerm()));
            }
        }
        ICodeChangeResult? result;
        try
        {
            // A shape change (a release's soft update) calls no CodeChange: the state moves as it is, converted by shape below.
            result = shape
                ? CodeChangeResult<object?>.Ok(stateIn)
                : await codeModule.CodeChangeCore(oldVersion, stateIn, extra, leavingContext, Token).ConfigureAwait(false);
        }
        catch (StateMigrationException ex)
        {
            return new(false, TermTuple.Of(ErrorAtom, ex.ToTerm()));
        }
        catch (Exception ex) when (_process.IsAlive)
        {
            return new(false, TermTuple.Of(ErrorAtom, TermTuple.Of(Atom.Of("EXIT"), ExitReason.FromException(ex))));
        }
        stateIn = null;
        if (result is null) return new(false, TermTuple.Of(ErrorAtom, null));
        if (!result.IsOk) return new(false, TermTuple.Of(ErrorAtom, TermTuple.Of(ErrorAtom, result.Error)));
        var newState = result.BoxedState;
        if (bindAfter is null || bindAfter.Accepts(newState, leaving)) return new(true, newState);
        if (codeModule.MigratesStateItself)
        {
            if (ReferenceEquals(newState, state)) return new(true, newState, Stay: true);
            string? what = null;
            if (leaving?.Context is { } held) ObjectGraph.Reaches(newState, held, out what);
            return new(false, TermTuple.Of(ErrorAtom, new StateMigrationException(StateMigrationError.OldVersionObject, "",
                $"the new state still holds {what ?? "objects"} of {leaving}").ToTerm()));
        }
        try
        {
            var neutral = leaving?.Context is { } leavingContextForResult ? StateTerms.Neutralize(newState, leavingContextForResult) : newState;
            newState = StateTerms.ConvertTo(neutral, bindAfter.StateType!, StateMapping.Strict, "", 0);
        }
        catch (StateMigrationException ex)
        {
            return new(false, TermTuple.Of(ErrorAtom, ex.ToTerm()));
        }
        catch (Exception ex) when (ex is InvalidCastException or FormatException or ArgumentException or MissingMethodException or System.Reflection.TargetInvocationException)
        {
            return new(false, TermTuple.Of(ErrorAtom, TermTuple.Of(Atom.Of("bad_state"), ex.Message)));
        }
        if (!bindAfter.Accepts(newState, leaving))
        {
            string? what = null;
            var found = leaving?.Context is { } held ? ObjectGraph.Reaches(newState, held, out what) : ObjectGraph.Found.None;
            return new(false, TermTuple.Of(ErrorAtom, new StateMigrationException(StateMigrationError.OldVersionObject, "",
                found == ObjectGraph.Found.Unknown ? $"the new state is too large to check for objects of {leaving}" : $"the new state still holds {what ?? "objects"} of {leaving}").ToTerm()));
        }
        return new(true, newState);
    }

    /// <summary>
    /// <see cref="SystemOp.RehearseChange"/>: what a change to the version in the request (loaded, current or staged) would
    /// do, suspended or not, on a copy: the state, module, binding and children stay as they are whatever happens. A
    /// module that <see cref="GenServerBase.MigratesStateItself"/> rehearses itself (a supervisor dry-runs its new init);
    /// any other gets a deep copy of the state (<see cref="StateCopy"/>) through the same change and checks as
    /// <c>change_code</c>, and the result is dropped. Side effects of the new <c>CodeChange</c> itself (messages, timers)
    /// are not undone: a <c>CodeChange</c> should have none.
    /// </summary>
    private async ValueTask<RehearsalOutcome> RehearseAsync(SystemRequest request)
    {
        var target = request.Arg as ModuleVersion;
        var oldVersion = request.Arg2;
        var shape = request.Arg3 is ShapeChange;
        var extra = shape ? null : request.Arg3;
        if (target?.Instance is not GenServerBase newCode)
        {
            return RehearsalOutcome.Failed(TermTuple.Of(ErrorAtom, TermTuple.Of(Atom.Of("not_loaded"), target?.ToString())));
        }
        var codeModule = DownTarget(oldVersion) is not null && !newCode.MigratesStateItself && !shape ? Module : newCode;
        var leaving = Binding;
        var crossing = target != leaving && codeModule != Module;
        try
        {
            if (codeModule.MigratesStateItself
                && await codeModule.RehearseCore(oldVersion, _state, extra, crossing ? leaving?.Context : null, Token).ConfigureAwait(false) is { } own)
            {
                return own;
            }
        }
        catch (Exception ex) when (_process.IsAlive)
        {
            return RehearsalOutcome.Failed(TermTuple.Of(ErrorAtom, TermTuple.Of(Atom.Of("EXIT"), ExitReason.FromException(ex))));
        }
        object? copy;
        try
        {
            copy = StateCopy.Copy(_state);
        }
        catch (StateMigrationException ex)
        {
            return RehearsalOutcome.NotRehearsed(ex.ToTerm());
        }
        var migration = await MigrateAsync(codeModule, target, leaving, crossing, copy, oldVersion, extra, shape).ConfigureAwait(false);
        return migration.Ok ? RehearsalOutcome.Ok : RehearsalOutcome.Failed(migration.Value);
    }

    // The result may carry terms of either version (a CodeChange's error term): it is neutralized, so that whoever keeps
    // it (a caller, an UpgradeFailedException) does not keep a version loaded.
    private static object Outcome(object term) => StateTerms.NeutralizeForReport(term)!;
}
