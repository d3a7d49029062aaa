using Microsoft.Extensions.Logging;
using Otp.Net.Diagnostics;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;
using static Otp.Net.Supervision.SupervisorRequests;

namespace Otp.Net.Supervision;

/// <summary>
/// The supervisor engine: a GenServer callback module (as OTP's supervisor is a gen_server), so calls, the sys
/// protocol and the parent's shutdown come from the GenServer engine. It keeps children in start order, reports
/// them newest first, restarts by strategy and restart type, counts restarts against intensity, and stops
/// children one at a time in reverse start order (concurrently for a dynamic supervisor).
/// </summary>
internal sealed partial class SupervisorServer : GenServer<SupervisorServer.State>
{
    private readonly Supervisor? _module;
    private readonly DynamicSupervisorOptions? _dynamic;
    private readonly string? _name;

    /// <summary>The engine running <paramref name="module"/>; <paramref name="name"/> is its code-server module name, if loaded as one.</summary>
    public SupervisorServer(Supervisor module, string? name = null)
    {
        _module = module;
        _name = name;
    }

    public SupervisorServer(DynamicSupervisorOptions options) => _dynamic = options;

    public override string ModuleName => _name ?? _module?.ModuleName ?? "DynamicSupervisor";

    internal sealed class State
    {
        public required SupervisorFlags Flags { get; set; }

        public ChildList Children { get; } = new();

        /// <summary>Restart timestamps in whole seconds, oldest first (they only grow, so old ones leave from the front).</summary>
        public Queue<long> Restarts { get; } = new();

        public long NextKey { get; set; }

        public bool Dynamic { get; init; }

        /// <summary>simple_one_for_one: the template children are started from (U18).</summary>
        public ChildSpec? Template { get; init; }

        public bool Simple => Template is not null;

        /// <summary>Children addressed by pid and stopped all at once: dynamic and simple_one_for_one supervisors.</summary>
        public bool ByPid => Dynamic || Simple;

        public int? MaxChildren { get; init; }

        public string Name { get; set; } = "";

        /// <summary>The arguments the supervisor was started with: a code change re-runs init with them (R11).</summary>
        public object? Args { get; init; }

        /// <summary>What the last code change did to the children (R11), or null if none ran.</summary>
        public SupervisorChange? LastChange { get; init; }
    }

    private static ProcessContext Ctx => Self;

    private static ILogger Logger => Ctx.Node.LoggerFactory.CreateLogger(SupervisorLog.Category);

    public override async ValueTask<InitResult<State>> InitAsync(object? args, CancellationToken cancellationToken)
    {
        Ctx.TrapExit = true; // U11
        if (_dynamic is not null)
        {
            if (ChildSpecValidation.CheckOptions(_dynamic) is { } optionsError) return StopInit(SupervisorData(optionsError));
            if (_dynamic.OnInit is { } onInit) await onInit(cancellationToken).ConfigureAwait(false);
            return Ok(new State
            {
                Flags = new SupervisorFlags { Intensity = _dynamic.Intensity, PeriodSeconds = _dynamic.PeriodSeconds },
                Dynamic = true,
                MaxChildren = _dynamic.MaxChildren,
                Name = ((LocalProcess)Ctx).RegisteredName ?? Ctx.Self.ToString(),
                Args = args,
            });
        }
        var init = await _module!.InitAsync(args, cancellationToken).ConfigureAwait(false);
        if (init is null) return StopInit(ExitReason.Of(TermTuple.Of(Atom.Of("bad_return"), TermTuple.Of(Atom.Of(ModuleName), Atom.Of("init"), null))));
        if (init.IsIgnore) return Ignore();
        // As OTP's supervisor:init: the flags first ({supervisor_data, E}), then the child specs ({start_spec, E}).
        if (ChildSpecValidation.CheckFlags(init.Flags) is { } flagsError) return StopInit(SupervisorData(flagsError));
        if (init.Flags!.Strategy == Strategy.SimpleOneForOne && (init.Children.Count != 1 || init.Children[0] is not { StartWithArgs: not null }))
        {
            return StopInit(ExitReason.Of(TermTuple.Of(Atom.Of("bad_start_spec"), Atom.Of("simple_one_for_one needs exactly one template child spec"))));
        }
        if (ChildSpecValidation.Check(init.Children, init.Flags.AutoShutdown) is { } specError)
        {
            return StopInit(ExitReason.Of(TermTuple.Of(Atom.Of("start_spec"), specError)));
        }
        if (init.Flags.Strategy == Strategy.SimpleOneForOne)
        {
            return Ok(new State { Flags = init.Flags, Template = init.Children[0], Name = ((LocalProcess)Ctx).RegisteredName ?? Ctx.Self.ToString(), Args = args });
        }
        var state = new State { Flags = init.Flags!, Name = ((LocalProcess)Ctx).RegisteredName ?? Ctx.Self.ToString(), Args = args };
        foreach (var spec in init.Children)
        {
            var child = new Child(state.NextKey++, spec);
            var result = await StartChildProcessAsync(state, child).ConfigureAwait(false);
            if (result.Outcome == StartOutcome.Error)
            {
                await TerminateChildrenAsync(state).ConfigureAwait(false); // U4: started ones, reverse order
                return StopInit(ExitReason.ShutdownWith(TermTuple.Of(Atom.Of("failed_to_start_child"), spec.Id.ToTerm(), result.Error)));
            }
            if (result.Outcome == StartOutcome.Ignore && spec.Restart == RestartType.Temporary) continue; // U5
            state.Children.Add(child);
        }
        return Ok(state);
    }

    private static IEnumerable<Child> ChildrenInOrder(State state) => state.ByPid ? state.Children : state.Children.NewestFirst();

    private static ChildInfo Info(State state, Child c) => new(state.ByPid ? default : c.Spec.Id, c.Pid, c.Restarting, c.Spec.Type, c.Spec.Modules, c.Spec.Restart);

    private static ExitReason SupervisorData(object error) => ExitReason.Of(TermTuple.Of(Atom.Of("supervisor_data"), error));

    /// <summary>Runs a child's start function (U3): anything but ok / ignore / error is an error.</summary>
    private static async Task<StartResult> StartChildProcessAsync(State state, Child child)
    {
        StartResult? result;
        try
        {
            result = await child.Spec.Start(Ctx.Node).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not ProcessExitedException)
        {
            result = StartResult.Failed(ExitReason.FromException(ex));
        }
        result ??= StartResult.Failed(ExitReason.Of(TermTuple.Of(Atom.Of("bad_start_result"), null)));
        switch (result.Outcome)
        {
            case StartOutcome.Ok:
                child.Pid = result.Pid;
                child.Restarting = false;
                if (Logger.IsEnabled(LogLevel.Debug)) SupervisorLog.ChildStarted(Logger, state.Name, child.Spec.IdText, result.Pid.ToString());
                break;
            case StartOutcome.Ignore:
                child.Pid = default;
                child.Restarting = false;
                break;
            default:
                if (Logger.IsEnabled(LogLevel.Error)) SupervisorLog.StartError(Logger, state.Name, child.Spec.IdText, result.Error!.ToString());
                break;
        }
        return result;
    }

    public override async ValueTask<ServerResult<State>> HandleCallAsync(object request, From from, State state, CancellationToken cancellationToken)
    {
        switch (request)
        {
            case WhichChildren:
                return Reply(ChildrenInOrder(state).Select(c => Info(state, c)).ToArray(), state);
            case StatusRequest:
                RestartsInPeriod(state);
                return Reply(new SupervisorStatus(state.Flags, state.Restarts.Count,
                    state.Children.Select(c => new ChildStatus(Info(state, c), c.RestartCount, c.LastExit)).ToArray()), state);
            case CountChildren:
                var counts = new ChildCounts(
                    state.Simple ? 1 : state.Children.Count,
                    state.Children.Count(c => c.IsRunning && Ctx.Node.IsAlive(c.Pid)),
                    state.Children.Count(c => c.Spec.Type == ChildType.Supervisor),
                    state.Children.Count(c => c.Spec.Type == ChildType.Worker));
                return Reply(counts, state);
            case StartChild start when state.Simple:
                return Reply(StartResult.Failed(ExitReason.Of(Atom.Of("simple_one_for_one"))), state);
            case StartChild start:
                return Reply(await StartNewChildAsync(state, start.Spec).ConfigureAwait(false), state);
            case StartChildWithArgs withArgs when state.Template is { } template:
                var spec = FromTemplate(template, template.Args.Concat(withArgs.ExtraArgs).ToArray());
                return Reply(await StartNewChildAsync(state, spec).ConfigureAwait(false), state);
            case StartChildWithArgs:
                return Reply(StartResult.Failed(ExitReason.Of(TermTuple.Of(Atom.Of("invalid_child_spec"), Atom.Of("extra arguments need a simple_one_for_one supervisor")))), state);
            case TerminateChild { Id: not null } when state.Simple:
                return Reply(SupervisorResult.Error("simple_one_for_one"), state);
            case RestartChild when state.Simple:
                return Reply(StartResult.Failed(ExitReason.Of(Atom.Of("simple_one_for_one"))), state);
            case DeleteChild when state.Simple:
                return Reply(SupervisorResult.Error("simple_one_for_one"), state);
            case TerminateChild term:
                return Reply(await TerminateOneAsync(state, term).ConfigureAwait(false), state);
            case RestartChild restart:
                return Reply(await RestartByIdAsync(state, restart.Id).ConfigureAwait(false), state);
            case DeleteChild delete:
                return Reply(DeleteById(state, delete.Id), state);
            case LastChangeRequest:
                return Reply(state.LastChange, state);
            case GetChildSpec get:
                return Reply(state.Simple ? (get.Id is null && state.Children.FindByPid(get.Pid) is not null ? state.Template : null)
                    : state.Dynamic || get.Id is not { } getId ? null : Find(state, getId)?.Spec, state);
            default:
                return Reply(TermTuple.Of(Atom.Of("error"), Atom.Of("unknown_request")), state);
        }
    }

    private static Child? Find(State state, ChildId id) => state.Children.Find(c => c.Spec.Id == id);

    private async Task<StartResult> StartNewChildAsync(State state, ChildSpec spec)
    {
        if (ChildSpecValidation.Check([spec], state.Flags.AutoShutdown, dynamic: state.Dynamic) is { } specError) return StartResult.Failed(ExitReason.Of(specError));
        if (state.ByPid)
        {
            if (state.MaxChildren is { } max && state.Children.Count >= max) return StartResult.Failed(ExitReason.Of(Atom.Of("max_children")));
            var dyn = new Child(state.NextKey++, spec);
            var r = await StartChildProcessAsync(state, dyn).ConfigureAwait(false);
            if (r.Outcome == StartOutcome.Ok) state.Children.Add(dyn);
            return r; // D1: ignore is not stored; an error discards the spec
        }
        if (Find(state, spec.Id) is { } existing)
        {
            return existing.IsRunning
                ? StartResult.Failed(ExitReason.Of(TermTuple.Of(Atom.Of("already_started"), existing.Pid)))
                : StartResult.Failed(ExitReason.Of(Atom.Of("already_present")));
        }
        var child = new Child(state.NextKey++, spec);
        var result = await StartChildProcessAsync(state, child).ConfigureAwait(false);
        switch (result.Outcome)
        {
            case StartOutcome.Ok:
                state.Children.Add(child);
                return result;
            case StartOutcome.Ignore:
                if (spec.Restart != RestartType.Temporary) state.Children.Add(child);
                return StartResult.Ok(default); // {ok, undefined}
            default:
                return StartResult.Failed(ExitReason.Of(TermTuple.Of(result.Error, spec))); // U17: the spec is not stored
        }
    }

    private async Task<SupervisorResult> TerminateOneAsync(State state, TerminateChild request)
    {
        if (state.ByPid)
        {
            var byPid = state.Children.FindByPid(request.Pid);
            if (byPid is null) return SupervisorResult.Error("not_found");
            await ShutdownChildAsync(state, byPid).ConfigureAwait(false);
            state.Children.Remove(byPid);
            return SupervisorResult.Ok;
        }
        var child = request.Id is { } id ? Find(state, id) : null;
        if (child is null) return SupervisorResult.Error("not_found"); // U14: a pid given to a static supervisor too
        child.Restarting = false;
        if (child.IsRunning) await ShutdownChildAsync(state, child).ConfigureAwait(false);
        if (child.Spec.Restart == RestartType.Temporary) state.Children.Remove(child);
        return SupervisorResult.Ok;
    }

    private async Task<StartResult> RestartByIdAsync(State state, ChildId id)
    {
        var child = Find(state, id);
        if (child is null) return StartResult.Failed(ExitReason.Of(Atom.Of("not_found")));
        if (child.Restarting) return StartResult.Failed(ExitReason.Of(Atom.Of("restarting")));
        if (child.IsRunning) return StartResult.Failed(ExitReason.Of(Atom.Of("running")));
        var result = await StartChildProcessAsync(state, child).ConfigureAwait(false);
        return result.Outcome == StartOutcome.Ignore ? StartResult.Ok(default) : result;
    }

    private static SupervisorResult DeleteById(State state, ChildId id)
    {
        var child = Find(state, id);
        if (child is null) return SupervisorResult.Error("not_found");
        if (child.Restarting) return SupervisorResult.Error("restarting");
        if (child.IsRunning) return SupervisorResult.Error("running");
        state.Children.Remove(child);
        return SupervisorResult.Ok;
    }

    public override async ValueTask<ServerResult<State>> HandleInfoAsync(object message, State state, CancellationToken cancellationToken)
    {
        switch (message)
        {
            case ExitMessage exit:
                var child = state.Children.FindByPid(exit.From);
                if (child is null) return NoReply(state);
                return await ChildExitedAsync(state, child, exit.Reason).ConfigureAwait(false);
            case RetryRestart retry:
                var pending = state.Children.FindByKey(retry.ChildKey);
                if (pending is not { Restarting: true }) return NoReply(state);
                return await RestartAsync(state, pending, pending.Spec.Id).ConfigureAwait(false);
            default:
                // As OTP: a message to a supervisor is logged and dropped.
                if (Logger.IsEnabled(LogLevel.Warning)) SupervisorLog.UnexpectedMessage(Logger, state.Name, TermFormatter.Format(message));
                return NoReply(state);
        }
    }

    /// <summary>U6: what happens after a child exits, by restart type and reason.</summary>
    private async Task<ServerResult<State>> ChildExitedAsync(State state, Child child, ExitReason reason)
    {
        var pid = child.Pid;
        child.Pid = default;
        child.LastExit = reason;
        var restart = child.Spec.Restart;
        var expected = reason.IsNormalOrShutdown;
        if (!expected && Logger.IsEnabled(LogLevel.Error)) SupervisorLog.ChildTerminated(Logger, state.Name, child.Spec.IdText, pid.ToString(), reason.ToString());
        if (restart == RestartType.Temporary || (restart == RestartType.Transient && expected))
        {
            if (restart == RestartType.Temporary || state.ByPid) state.Children.Remove(child);
            if (child.Spec.Significant && ShouldAutoShutdown(state))
            {
                await TerminateChildrenAsync(state).ConfigureAwait(false);
                return Stop(ExitReason.Shutdown, state);
            }
            return NoReply(state);
        }
        return await RestartAsync(state, child, reason).ConfigureAwait(false);
    }

    private static bool ShouldAutoShutdown(State state) => state.Flags.AutoShutdown switch
    {
        AutoShutdown.AnySignificant => true,
        AutoShutdown.AllSignificant => !state.Children.Any(c => c.Spec.Significant && c.IsRunning),
        _ => false,
    };

    /// <summary>U7: count the restart; U9: restart by strategy; U8: a failed start is retried asynchronously.</summary>
    private async Task<ServerResult<State>> RestartAsync(State state, Child child, object reasonForReport)
    {
        if (!AddRestart(state))
        {
            if (Logger.IsEnabled(LogLevel.Error)) SupervisorLog.ReachedMaxRestartIntensity(Logger, state.Name, child.Spec.IdText, TermFormatter.Format(reasonForReport));
            child.Restarting = false;
            await TerminateChildrenAsync(state).ConfigureAwait(false);
            return Stop(ExitReason.Shutdown, state);
        }
        var process = (LocalProcess)Ctx;
        var metrics = Ctx.Node.Metrics;
        metrics.Restarted(ModuleName, process.Application);
        using var span = OtpTelemetry.Tracing ? OtpTelemetry.StartInternal("restart " + child.Spec.IdText) : null;
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag(OtpTelemetry.SupervisorTag, state.Name);
            span.SetTag(OtpTelemetry.ChildIdTag, child.Spec.IdText);
            span.SetTag(OtpDiagnostics.ModuleTag, ModuleName);
            if (process.Application is { } application) span.SetTag(OtpDiagnostics.ApplicationTag, application);
            if (reasonForReport is ExitReason exitReason) span.SetTag(OtpTelemetry.ExitReasonTag, OtpTelemetry.ErrorType(exitReason));
        }
        var clock = Ctx.Node.TimeProvider;
        var measure = metrics.RestartDuration.Enabled;
        var started = measure ? clock.GetTimestamp() : 0;
        child.RestartCount++;
        var failed = !await RestartGroupAsync(state, child).ConfigureAwait(false);
        var events = Ctx.Node.Events;
        if (events.IsObserved)
        {
            events.Publish(new NodeEvent(NodeEventKind.Restarted, events.Now)
            {
                Parent = Ctx.Self,
                Pid = child.Pid,
                ChildId = state.ByPid ? null : child.Spec.IdText,
                Module = child.Spec.Modules.Count > 0 ? child.Spec.Modules[0] : null,
                Reason = TermFormatter.Format(reasonForReport),
                Restarts = state.Restarts.Count,
                Intensity = state.Flags.Intensity,
            });
        }
        if (failed) OtpTelemetry.Fail(span, "start_failed");
        if (measure) OtpMetrics.Record(metrics.RestartDuration, clock.GetElapsedTime(started).TotalSeconds, ModuleName, process.Application, failed ? "start_failed" : null);
        return NoReply(state);
    }

    /// <summary>U9: stops and restarts the group <paramref name="child"/>'s exit calls for; false if a start failed (to be retried).</summary>
    private async Task<bool> RestartGroupAsync(State state, Child child)
    {
        List<Child> group;
        switch (state.Flags.Strategy)
        {
            case Strategy.OneForAll when !state.ByPid:
                group = [.. state.Children];
                break;
            case Strategy.RestForOne when !state.ByPid:
                group = state.Children.From(child).ToList();
                break;
            default:
                group = [child];
                break;
        }
        // Stop the running siblings in the group, newest first; temporary ones are dropped (U9).
        for (var i = group.Count - 1; i >= 0; i--)
        {
            var sibling = group[i];
            if (sibling == child || !sibling.IsRunning) continue;
            await ShutdownChildAsync(state, sibling).ConfigureAwait(false);
            if (sibling.Spec.Restart == RestartType.Temporary)
            {
                state.Children.Remove(sibling);
                group.RemoveAt(i);
            }
        }
        foreach (var member in group)
        {
            if (member.IsRunning) continue;
            var result = await StartChildProcessAsync(state, member).ConfigureAwait(false);
            if (result.Outcome == StartOutcome.Error)
            {
                member.Restarting = true;
                Ctx.Send(Ctx.Self, new RetryRestart(member.Key));
                return false;
            }
            if (state.ByPid && result.Outcome == StartOutcome.Ok)
            {
                state.Children.MoveToEnd(member); // dynamic children are listed by the start of their current incarnation
            }
            if (state.ByPid && result.Outcome == StartOutcome.Ignore) state.Children.Remove(member);
        }
        return true;
    }

    private static bool AddRestart(State state)
    {
        state.Restarts.Enqueue(RestartsInPeriod(state));
        return state.Restarts.Count <= state.Flags.Intensity;
    }

    /// <summary>Drops the restarts older than the period (U7); returns now, in whole seconds.</summary>
    private static long RestartsInPeriod(State state)
    {
        var clock = Ctx.Node.TimeProvider;
        var now = clock.GetTimestamp() / clock.TimestampFrequency;
        while (state.Restarts.TryPeek(out var oldest) && oldest < now - state.Flags.PeriodSeconds) state.Restarts.Dequeue();
        return now;
    }

    public override async ValueTask TerminateAsync(ExitReason reason, State state, CancellationToken cancellationToken) =>
        await TerminateChildrenAsync(state).ConfigureAwait(false);

    /// <summary>U11: stop children one at a time in reverse start order (a dynamic supervisor: all at once, D1).</summary>
    private static async Task TerminateChildrenAsync(State state)
    {
        if (state.ByPid)
        {
            await ShutdownChildrenAsync(state, state.Children.Where(c => c.IsRunning).ToArray()).ConfigureAwait(false);
            state.Children.Clear();
            return;
        }
        foreach (var child in state.Children.NewestFirst().ToArray())
        {
            child.Restarting = false;
            if (child.IsRunning) await ShutdownChildAsync(state, child).ConfigureAwait(false);
            if (child.Spec.Restart == RestartType.Temporary) state.Children.Remove(child);
        }
    }

    private static Task ShutdownChildAsync(State state, Child child) => ShutdownChildrenAsync(state, [child]);

    /// <summary>
    /// U10: brutal_kill → kill; timeout T → shutdown, then kill after T; infinity → shutdown and wait. As OTP's
    /// <c>monitor_child</c>, every child is monitored and unlinked first, and an exit already queued from it is taken as
    /// its reason (it died before the unlink, so its DOWN may only say <c>noproc</c>); then the others are signalled and
    /// their DOWNs collected in one receive loop. A dynamic supervisor passes all its children at once (D1, stopped
    /// concurrently), a static one calls this one child at a time (U11). Each queued message is examined a bounded
    /// number of times, so stopping n children is linear in n.
    /// </summary>
    private static async Task ShutdownChildrenAsync(State state, IReadOnlyList<Child> children)
    {
        var ctx = (LocalProcess)Ctx;
        var clock = ctx.Node.TimeProvider;
        var pending = new Dictionary<Ref, Stopping>(children.Count);
        var monitors = new Dictionary<Pid, Ref>(children.Count);
        foreach (var child in children)
        {
            var pid = child.Pid;
            child.Pid = default;
            var monitor = ctx.Monitor(pid);
            ctx.Unlink(pid);
            pending[monitor] = new Stopping(child, pid);
            monitors[pid] = monitor;
        }
        // One link gives at most one EXIT, and none can arrive after the unlink: the predicate is pure, and one
        // sweep over the queue finds every early exit.
        Func<object, bool> earlyExit = m => m is ExitMessage e && monitors.ContainsKey(e.From);
        while (ctx.TryTakeNext(earlyExit, out var queued, resume: true))
        {
            var exit = (ExitMessage)queued;
            pending[monitors[exit.From]].Early = exit.Reason;
        }
        var deadlines = new PriorityQueue<Ref, long>();
        foreach (var (monitor, stopping) in pending)
        {
            if (stopping.Early is not null) continue;
            var shutdown = stopping.Child.Spec.EffectiveShutdown;
            ctx.Exit(stopping.Pid, shutdown.IsBrutalKill ? ExitReason.Kill : ExitReason.Shutdown);
            if (!shutdown.IsBrutalKill && !shutdown.IsInfinity)
            {
                deadlines.Enqueue(monitor, clock.GetTimestamp() + (long)(shutdown.Milliseconds / 1000.0 * clock.TimestampFrequency));
            }
        }
        var reasons = new List<(Child Child, Pid Pid, ExitReason Reason)>(children.Count);
        // pending only shrinks: a DOWN this rejected once stays rejected, so the loop's receives resume their scan.
        Func<object, bool> isDown = m => m is DownMessage d && pending.ContainsKey(d.Ref);
        while (pending.Count > 0)
        {
            while (deadlines.TryPeek(out var r, out _) && !pending.ContainsKey(r)) deadlines.Dequeue();
            var wait = deadlines.TryPeek(out _, out var next)
                ? TimeSpan.FromSeconds(Math.Max(0, next - clock.GetTimestamp()) / (double)clock.TimestampFrequency)
                : Timeout.InfiniteTimeSpan;
            var message = await ctx.ReceiveAsync(isDown, wait, resume: true).ConfigureAwait(false);
            if (message is DownMessage down)
            {
                var stopping = pending[down.Ref];
                pending.Remove(down.Ref);
                reasons.Add((stopping.Child, stopping.Pid, stopping.Early ?? down.Reason));
                continue;
            }
            var now = clock.GetTimestamp();
            while (deadlines.TryPeek(out var r, out var deadline) && deadline <= now)
            {
                deadlines.Dequeue();
                if (pending.TryGetValue(r, out var slow)) ctx.Exit(slow.Pid, ExitReason.Kill); // too slow: kill it (reason becomes killed)
            }
        }
        foreach (var (child, pid, reason) in reasons)
        {
            var expected = reason == ExitReason.Shutdown
                || (reason == ExitReason.Killed && child.Spec.EffectiveShutdown.IsBrutalKill)
                || (child.Spec.Restart != RestartType.Permanent && reason.IsNormalOrShutdown);
            if (!expected && Logger.IsEnabled(LogLevel.Error)) SupervisorLog.ShutdownError(Logger, state.Name, child.Spec.IdText, pid.ToString(), reason.ToString());
        }
    }

    /// <summary>A child being stopped: its record, the pid it had, and the reason of an exit queued before the unlink.</summary>
    private sealed class Stopping(Child child, Pid pid)
    {
        public Child Child { get; } = child;

        public Pid Pid { get; } = pid;

        public ExitReason? Early { get; set; }
    }

    public override object? FormatStatus(State state) =>
        TermTuple.Of(Atom.Of("state"), Atom.Of(state.Flags.Strategy.ToString()), state.Children.Count);
}
