using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Otp.Net.Applications;
using Otp.Net.Code;
using Otp.Net.Diagnostics;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Sys;
using Otp.Net.Terms;

namespace Otp.Net.Releases;

/// <summary>
/// One install run: executes the steps in order, recording for each the way to undo it; on any failure (including the
/// health probe) it undoes what was done, in reverse, and reports the journal. The caller holds the release handler and
/// the code server for the whole run.
/// </summary>
internal sealed class ReleaseInstall
{
    private readonly Node _node;
    private readonly ReleaseStore _store;
    private readonly ReleaseManifest _from;
    private readonly ReleaseManifest _to;
    private readonly ChangeDirection _direction;
    private readonly InstallOptions _options;
    private readonly Action<JournalEntry> _publish;
    private readonly Dictionary<string, ModuleVersion> _staged = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ModuleVersion> _fromVersion = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<LocalProcess>> _suspended = new(StringComparer.Ordinal);
    private readonly HashSet<LocalProcess> _resumed = [];
    private readonly Stack<(int Index, ReleaseStep Step, Func<Task<string>> Undo)> _undo = new();
    private readonly List<JournalEntry> _journal = [];
    private readonly List<string> _purgeOnCommit = [];
    private readonly List<(LocalProcess Supervisor, string Module)> _reconcile = [];

    public ReleaseInstall(Node node, ReleaseStore store, ReleaseManifest from, ReleaseManifest to, ChangeDirection direction, InstallOptions options, Action<JournalEntry> publish)
    {
        _node = node;
        _store = store;
        _from = from;
        _to = to;
        _direction = direction;
        _options = options;
        _publish = publish;
    }

    private CodeServer Code => _node.Code;

    private ILogger Logger => _node.LoggerFactory.CreateLogger(ReleaseLog.Category);

    public IReadOnlyList<JournalEntry> Journal => _journal;

    /// <summary>Runs <paramref name="steps"/>, then the probe; rolls back and throws <see cref="ReleaseInstallException"/> on failure.</summary>
    public async Task RunAsync(IReadOnlyList<ReleaseStep> steps, CancellationToken cancellationToken)
    {
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            using var span = OtpTelemetry.Tracing ? OtpTelemetry.StartInternal("release " + ReleaseSteps.Describe(step)) : null;
            var clock = Stopwatch.StartNew();
            string detail;
            try
            {
                detail = await ExecuteAsync(i, step).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                var (reason, pid) = ex is StepFailedException f ? (f.Message, f.Process) : (ex.Message, (Pid?)null);
                OtpTelemetry.Fail(span, "release_step_failed", reason);
                Record(i, step, StepOutcome.Failed, reason, clock.Elapsed);
                await RollBackAsync().ConfigureAwait(false);
                throw new ReleaseInstallException(_to.Version, step, reason, pid, _journal.ToArray(), ex is StepFailedException ? null : ex);
            }
            Record(i, step, StepOutcome.Done, detail, clock.Elapsed);
        }
        if (_options.HealthProbe is { } probe)
        {
            var clock = Stopwatch.StartNew();
            var step = new HealthProbeStep();
            var failure = await ProbeAsync(probe, cancellationToken).ConfigureAwait(false);
            if (failure is not null)
            {
                Record(-1, step, StepOutcome.Failed, failure, clock.Elapsed);
                await RollBackAsync().ConfigureAwait(false);
                throw new ReleaseInstallException(_to.Version, step, failure, null, _journal.ToArray());
            }
            Record(-1, step, StepOutcome.Done, $"healthy for {_options.ProbeWindow.TotalMilliseconds:0} ms", clock.Elapsed);
        }
    }

    /// <summary>After success: old code nobody runs is removed (R7), removed modules are purged, staged leftovers dropped.</summary>
    public async Task CommitAsync()
    {
        foreach (var module in _staged.Keys)
        {
            if (Code.OldCodeUsers(module).Count == 0) await Code.SoftPurgeHeldAsync(module).ConfigureAwait(false);
        }
        foreach (var module in _purgeOnCommit) await Code.PurgeHeldAsync(module).ConfigureAwait(false);
        foreach (var version in _staged.Values) await Code.DiscardAsync(version).ConfigureAwait(false); // only those that never became current
    }

    private async Task<string?> ProbeAsync(Func<CancellationToken, Task<bool>> probe, CancellationToken cancellationToken)
    {
        var clock = _node.TimeProvider;
        var started = clock.GetTimestamp();
        while (true)
        {
            try
            {
                if (!await probe(cancellationToken).ConfigureAwait(false)) return "the health probe reported the release unhealthy";
            }
            catch (Exception ex)
            {
                return $"the health probe failed: {ex.GetType().Name}: {ex.Message}";
            }
            if (clock.GetElapsedTime(started) >= _options.ProbeWindow) return null;
            await Task.Delay(_options.ProbeInterval, clock, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Record(int index, ReleaseStep step, StepOutcome outcome, string detail, TimeSpan elapsed)
    {
        var entry = new JournalEntry(_to.Version, index, step, outcome, detail, elapsed);
        _journal.Add(entry);
        ReleaseLog.Step(Logger, _to.Version, index, ReleaseSteps.Describe(step), outcome.ToString(), detail);
        _publish(entry);
    }

    private void OnUndo(int index, ReleaseStep step, Func<Task<string>> undo) => _undo.Push((index, step, undo));

    private async Task RollBackAsync()
    {
        while (_undo.TryPop(out var u))
        {
            var clock = Stopwatch.StartNew();
            try
            {
                var detail = await u.Undo().ConfigureAwait(false);
                Record(u.Index, u.Step, StepOutcome.Undone, detail, clock.Elapsed);
            }
            catch (Exception ex)
            {
                Record(u.Index, u.Step, StepOutcome.UndoFailed, $"{ex.GetType().Name}: {ex.Message}", clock.Elapsed);
            }
        }
        foreach (var (supervisor, module) in _reconcile)
        {
            var clock = Stopwatch.StartNew();
            var step = new SupervisorChildrenStep(module);
            try
            {
                Record(-1, step, StepOutcome.Undone, await ReconcileAsync(supervisor).ConfigureAwait(false), clock.Elapsed);
            }
            catch (Exception ex)
            {
                Record(-1, step, StepOutcome.UndoFailed, $"{ex.GetType().Name}: {ex.Message}", clock.Elapsed);
            }
        }
        foreach (var version in _staged.Values) await Code.DiscardAsync(version).ConfigureAwait(false);
        ReleaseLog.RolledBack(Logger, _to.Version, _from.Version);
    }

    // ------------------------------------------------------------------ steps

    private Task<string> ExecuteAsync(int index, ReleaseStep step) => step switch
    {
        LoadObjectCodeStep s => StageAsync(index, s),
        PointOfNoReturnStep => Task.FromResult(""),
        SuspendStep s => SuspendAsync(index, s),
        LoadStep s => LoadAsync(index, s),
        CodeChangeStep s => ChangeAsync(index, s, s.Module, s.Direction, shape: false, s.Extra),
        RebindStep s => ChangeAsync(index, s, s.Module, _direction, shape: true, null),
        ResumeStep s => ResumeAsync(index, s),
        SupervisorChildrenStep s => SupervisorChildrenAsync(index, s),
        RemoveStep s => RemoveAsync(index, s),
        ApplyStep s => ApplyAsync(index, s),
        ApplicationStep s => ApplicationAsync(index, s),
        ConfigChangeStep s => ConfigChangeAsync(index, s),
        RollingUpdateStep s => RollingAsync(index, s),
        _ => throw new StepFailedException($"unknown step {step.GetType().Name}"),
    };

    private async Task<string> StageAsync(int index, LoadObjectCodeStep step)
    {
        var descriptors = _to.Applications.SelectMany(a => a.Modules).ToDictionary(m => m.Name, StringComparer.Ordinal);
        foreach (var module in step.Modules)
        {
            var descriptor = descriptors[module];
            var path = _store.PathOf(_to.Version, descriptor.File);
            var image = await File.ReadAllBytesAsync(path).ConfigureAwait(false);
            var version = await Code.StageAsync(image, Path.GetDirectoryName(path), module).ConfigureAwait(false);
            _staged[module] = version;
            if (version.Vsn != descriptor.Version)
            {
                throw new StepFailedException($"{descriptor.File} holds {module} {version.Vsn}, the release says {descriptor.Version}");
            }
        }
        OnUndo(index, step, () => Task.FromResult("staged code dropped")); // the staged versions are discarded at the end of a rollback
        return $"{step.Modules.Count} module versions staged";
    }

    private ModuleVersion Staged(string module) =>
        _staged.TryGetValue(module, out var v) ? v : throw new StepFailedException($"{module} was not staged");

    private async Task<string> SuspendAsync(int index, SuspendStep step)
    {
        var all = new List<LocalProcess>();
        foreach (var module in step.Modules)
        {
            var list = new List<LocalProcess>();
            _suspended[module] = list;
            if (Code.CurrentVersion(module) is not { } current) continue;
            _fromVersion[module] = current;
            OnUndo(index, step, () => ResumeListAsync(list));
            await SuspendIntoAsync(CodeServer.ServersBoundTo(current), list).ConfigureAwait(false);
            all.AddRange(list);
        }
        return $"{all.Count} processes suspended";
    }

    /// <summary>Suspends <paramref name="processes"/> at once, adding those that answered to <paramref name="into"/>; a timeout fails the step.</summary>
    private async Task SuspendIntoAsync(IReadOnlyList<LocalProcess> processes, List<LocalProcess> into)
    {
        var replies = await CodeServer.SystemCallAllAsync(_node, processes, SystemOp.Suspend, _options.SuspendTimeout).ConfigureAwait(false);
        LocalProcess? late = null;
        for (var i = 0; i < replies.Length; i++)
        {
            if (ReferenceEquals(replies[i], CallReply.Down)) continue; // a process that exits meanwhile has nothing to change
            // A process that answers after the timeout may be suspended later: it goes in the list too, so the undo resumes it.
            into.Add(processes[i]);
            if (ReferenceEquals(replies[i], CallReply.TimedOut)) late ??= processes[i];
        }
        if (late is not null)
        {
            throw new StepFailedException($"{{suspend_timeout, {late.Self}}}: the process did not answer within {_options.SuspendTimeout.TotalMilliseconds:0} ms", late.Self);
        }
    }

    private async Task<string> ResumeListAsync(IReadOnlyList<LocalProcess> processes)
    {
        // A process that does not answer in time gets its resume later, after what it is busy with (its mailbox is in order).
        await CodeServer.SystemCallAllAsync(_node, processes.Reverse().ToArray(), SystemOp.Resume, _options.SuspendTimeout).ConfigureAwait(false);
        foreach (var p in processes) _resumed.Remove(p);
        return $"{processes.Count} processes resumed";
    }

    private async Task<string> LoadAsync(int index, LoadStep step)
    {
        var staged = Staged(step.Module);
        var killed = await PrePurgeAsync(step.Module, _direction == ChangeDirection.Up ? PrePurgeOf(step.Module) : PurgeMode.BrutalPurge).ConfigureAwait(false);
        var before = Code.MakeCurrent(staged);
        OnUndo(index, step, () =>
        {
            Code.UndoMakeCurrent(staged, before);
            return Task.FromResult($"{step.Module} {before.Current?.Vsn ?? "(none)"} is current again");
        });
        // Servers that bound themselves to the previous version after the suspend (started meanwhile) are changed too.
        if (_suspended.TryGetValue(step.Module, out var list) && before.Current is { } previous)
        {
            var seen = list.ToHashSet();
            await SuspendIntoAsync(CodeServer.ServersBoundTo(previous).Where(p => !seen.Contains(p)).ToArray(), list).ConfigureAwait(false);
        }
        return $"{step.Module} {staged.Vsn} loaded{(killed > 0 ? $"; {killed} processes on older code killed (PrePurge)" : "")}";
    }

    private PurgeMode PrePurgeOf(string module) => Instructions().Select(i => i switch
    {
        UpdateInstruction u when u.Module == module => u.PrePurge,
        LoadModuleInstruction l when l.Module == module => l.PrePurge,
        _ => (PurgeMode?)null,
    }).FirstOrDefault(p => p is not null) ?? PurgeMode.BrutalPurge;

    private IEnumerable<AppupInstruction> Instructions() =>
        (_direction == ChangeDirection.Up ? _to.Upgrades.FirstOrDefault(e => e.Version == _from.Version) : _from.Downgrades.FirstOrDefault(e => e.Version == _to.Version))?.Instructions ?? [];

    /// <summary>R7's PrePurge: old code still in use before a load is purged (brutal) or fails the install (soft).</summary>
    private async Task<int> PrePurgeAsync(string module, PurgeMode mode)
    {
        var users = Code.OldCodeUsers(module);
        if (users.Count > 0 && mode == PurgeMode.SoftPurge)
        {
            throw new StepFailedException($"{{old_processes, {module}}}: {users.Count} processes still run old code ({string.Join(",", users.Take(5))})", users[0]);
        }
        if (Code.Slots(module).Old is null) return 0;
        if (users.Count == 0) await Code.SoftPurgeHeldAsync(module).ConfigureAwait(false);
        else await Code.PurgeHeldAsync(module).ConfigureAwait(false);
        return users.Count;
    }

    private async Task<string> ChangeAsync(int index, ReleaseStep step, string module, ChangeDirection direction, bool shape, object? extra)
    {
        var processes = _suspended.TryGetValue(module, out var list) ? list.Where(p => p.IsAlive).ToArray() : [];
        var from = _fromVersion.TryGetValue(module, out var f) ? f : null;
        if (from is null) return "no process to change";
        var to = Staged(module);
        var changed = new List<LocalProcess>();
        OnUndo(index, step, () => UndoChangesAsync(changed, from, to, direction, shape, module));
        var failure = await ChangeAllAsync(processes, changed, module, from, to, direction, shape, extra).ConfigureAwait(false);
        if (failure is not null) throw failure;
        return $"{changed.Count} processes changed";
    }

    /// <summary>
    /// Changes the code of every process at once (one request each, one deadline), adding those changed to
    /// <paramref name="changed"/>; returns the first failure in process order, or null.
    /// </summary>
    private async Task<StepFailedException?> ChangeAllAsync(IReadOnlyList<LocalProcess> processes, List<LocalProcess> changed, string module, ModuleVersion from, ModuleVersion to, ChangeDirection direction, bool shape, object? extra)
    {
        var replies = shape
            ? await CodeServer.SystemCallAllAsync(_node, processes, SystemOp.ChangeCode, _options.CodeChangeTimeout, new ShapeChange(direction == ChangeDirection.Up ? null : to.Vsn)).ConfigureAwait(false)
            : await CodeServer.SystemCallAllAsync(_node, processes, SystemOp.ChangeCode, _options.CodeChangeTimeout, null, OldVsnTerm(from, to, direction), extra).ConfigureAwait(false);
        StepFailedException? failure = null;
        for (var i = 0; i < replies.Length; i++)
        {
            var reply = replies[i];
            if (ReferenceEquals(reply, CallReply.Down)) continue; // died meanwhile: nothing to migrate
            var why = ReferenceEquals(reply, CallReply.TimedOut) ? "code_change_timeout"
                : new SysResult(reply!) is { IsOk: false } bad ? TermFormatter.Format(bad.Term)
                : null;
            if (why is null) changed.Add(processes[i]);
            else failure ??= new StepFailedException($"{{code_change_failed, {processes[i].Self}, {module}, {from.Vsn}, {why}}}", processes[i].Self);
        }
        return failure;
    }

    private static object OldVsnTerm(ModuleVersion from, ModuleVersion to, ChangeDirection direction) =>
        direction == ChangeDirection.Up ? from.Vsn : TermTuple.Of(Atom.Of("down"), to.Vsn);

    /// <summary>
    /// Puts changed processes back: one still suspended since its change gets its kept state and code back exactly; one
    /// that has resumed (and was suspended again by the resume's undo) goes back through a change in the other direction.
    /// </summary>
    private async Task<string> UndoChangesAsync(List<LocalProcess> changed, ModuleVersion from, ModuleVersion to, ChangeDirection direction, bool shape, string module)
    {
        var exact = changed.Where(p => !_resumed.Contains(p)).ToArray();
        var reverted = await CodeServer.SystemCallAllAsync(_node, exact, SystemOp.RevertCode, _options.CodeChangeTimeout).ConfigureAwait(false);
        var failures = await ChangeBackAllAsync(changed.Where(_resumed.Contains).ToArray(), from, to, direction, shape).ConfigureAwait(false);
        failures.AddRange(exact.Where((_, i) => ReferenceEquals(reverted[i], CallReply.TimedOut)).Select(p => $"{p.Self}: timeout"));
        if (failures.Count > 0) throw new InvalidOperationException($"{failures.Count} processes of {module} could not go back to {from.Vsn}: {string.Join("; ", failures.Take(5))}");
        return $"{changed.Count} processes back on {module} {from.Vsn}";
    }

    /// <summary>
    /// Changes suspended processes that had resumed on <paramref name="to"/> back to <paramref name="from"/>: an upgrade
    /// through the newer version's down <c>CodeChange</c>, a downgrade through its up <c>CodeChange</c> again, a shape
    /// change by shape. Returns the failures (a process that ended meanwhile is not one).
    /// </summary>
    private async Task<List<string>> ChangeBackAllAsync(IReadOnlyList<LocalProcess> processes, ModuleVersion from, ModuleVersion to, ChangeDirection direction, bool shape)
    {
        var timeout = _options.CodeChangeTimeout;
        var replies = shape ? await CodeServer.SystemCallAllAsync(_node, processes, SystemOp.ChangeCode, timeout, new ShapeChange(from.Vsn)).ConfigureAwait(false)
            : direction == ChangeDirection.Up ? await CodeServer.SystemCallAllAsync(_node, processes, SystemOp.ChangeCode, timeout, null, TermTuple.Of(Atom.Of("down"), from.Vsn)).ConfigureAwait(false)
            : await CodeServer.SystemCallAllAsync(_node, processes, SystemOp.ChangeCode, timeout, new ShapeChange(from.Vsn, Shape: false), to.Vsn).ConfigureAwait(false);
        var failures = new List<string>();
        for (var i = 0; i < replies.Length; i++)
        {
            if (ReferenceEquals(replies[i], CallReply.Down)) continue;
            if (ReferenceEquals(replies[i], CallReply.TimedOut)) failures.Add($"{processes[i].Self}: timeout");
            else if (new SysResult(replies[i]!) is { IsOk: false } bad) failures.Add($"{processes[i].Self}: {TermFormatter.Format(bad.Term)}");
        }
        return failures;
    }

    private async Task<string> ResumeAsync(int index, ResumeStep step)
    {
        var processes = step.Modules.SelectMany(m => _suspended.TryGetValue(m, out var l) ? l : []).ToArray();
        OnUndo(index, step, async () =>
        {
            var again = new List<LocalProcess>();
            await SuspendIntoAsync(processes.Where(p => p.IsAlive).ToArray(), again).ConfigureAwait(false);
            return $"{again.Count} processes suspended again";
        });
        await ResumeListAsync(processes).ConfigureAwait(false);
        foreach (var p in processes) _resumed.Add(p);
        return $"{processes.Length} processes resumed";
    }

    private async Task<string> SupervisorChildrenAsync(int index, SupervisorChildrenStep step)
    {
        var supervisors = (_suspended.TryGetValue(step.Module, out var l) ? l : []).Where(p => p.IsAlive).ToArray();
        foreach (var s in supervisors) _reconcile.Add((s, step.Module)); // after a rollback, the old specs' diff is applied the same way
        OnUndo(index, step, () => Task.FromResult("children are reconciled with the old specs at the end of the rollback"));
        var details = new List<string>();
        foreach (var s in supervisors) details.Add(await ReconcileAsync(s).ConfigureAwait(false));
        return string.Join("; ", details);
    }

    /// <summary>Starts the ids the supervisor's last change added and stops and deletes those it dropped (R11.3–4).</summary>
    private async Task<string> ReconcileAsync(LocalProcess supervisor)
    {
        var removed = await Supervision.Supervisor.RemoveDroppedChildrenAsync(supervisor.Self, _options.CodeChangeTimeout).ConfigureAwait(false);
        var started = await Supervision.Supervisor.StartAddedChildrenAsync(supervisor.Self, _options.CodeChangeTimeout).ConfigureAwait(false);
        if (removed.FirstOrDefault(r => !r.Result.IsOk) is { Result: not null } notRemoved)
        {
            throw new StepFailedException($"{{remove_child_failed, {supervisor.Self}, {notRemoved.Id}, {notRemoved.Result}}}", supervisor.Self);
        }
        if (started.FirstOrDefault(r => !r.Result.IsOk && r.Result.Outcome != StartOutcome.Ignore) is { Result: not null } failed)
        {
            throw new StepFailedException($"{{start_child_failed, {supervisor.Self}, {failed.Id}, {failed.Result}}}", supervisor.Self);
        }
        return $"{supervisor.Self}: started [{string.Join(", ", started.Select(s => s.Id))}], removed [{string.Join(", ", removed.Select(r => r.Id))}]";
    }

    private Task<string> RemoveAsync(int index, RemoveStep step)
    {
        var before = Code.Remove(step.Module);
        _purgeOnCommit.Add(step.Module);
        OnUndo(index, step, () =>
        {
            Code.UndoRemove(step.Module, before);
            _purgeOnCommit.Remove(step.Module);
            return Task.FromResult($"{step.Module} is current again");
        });
        return Task.FromResult($"{step.Module} {before.Current?.Vsn} is old code, purged when the install succeeds");
    }

    private async Task<string> ApplyAsync(int index, ApplyStep step)
    {
        var actions = ActionsOf(step.Module);
        if (step.UndoAction is { } undo)
        {
            OnUndo(index, step, async () =>
            {
                await ActionsOf(step.Module).ApplyAsync(_node, undo, step.Args, CancellationToken.None).ConfigureAwait(false);
                return $"{step.Module}:{undo} applied";
            });
        }
        await actions.ApplyAsync(_node, step.Action, step.Args, CancellationToken.None).ConfigureAwait(false);
        return "";
    }

    internal IReleaseActions ActionsOf(string module)
    {
        var version = _staged.TryGetValue(module, out var staged) ? staged : Code.CurrentVersion(module);
        return ReleaseActions.Of(version?.Instance) ?? throw new StepFailedException($"module {module} {(version is null ? "is not loaded" : "has no release actions (IReleaseActions)")}");
    }

    private async Task<string> ApplicationAsync(int index, ApplicationStep step)
    {
        var controller = _node.Applications;
        var name = step.Application;
        switch (step.Action)
        {
            case ApplicationAction.Load:
            {
                var descriptor = _to.Applications.First(a => a.Name == name);
                var result = controller.Load(ReleaseApplications.ToSpec(_node, descriptor));
                if (!result.IsOk) throw new StepFailedException($"load {name}: {result}");
                OnUndo(index, step, () => Task.FromResult(controller.Unload(name) ? $"{name} unloaded" : $"{name} still runs"));
                return $"{name} {descriptor.Version} loaded";
            }
            case ApplicationAction.Start:
            {
                OnUndo(index, step, async () => $"{name} stopped: {await controller.StopAsync(name).ConfigureAwait(false)}");
                var result = await controller.StartAsync(name, step.Type).ConfigureAwait(false);
                if (!result.IsOk) throw new StepFailedException($"start {name}: {result}");
                return $"{name} started";
            }
            case ApplicationAction.Stop:
            {
                var type = controller.RunningType(name) ?? ApplicationType.Temporary;
                var result = await controller.StopAsync(name).ConfigureAwait(false);
                if (!result.IsOk) throw new StepFailedException($"stop {name}: {result}");
                OnUndo(index, step, async () =>
                {
                    var started = await controller.StartAsync(name, type).ConfigureAwait(false);
                    if (!started.IsOk) throw new InvalidOperationException($"restart {name}: {started}");
                    return $"{name} started again (its processes' state was lost)";
                });
                return $"{name} stopped";
            }
            case ApplicationAction.Unload:
            {
                var loaded = controller.Loaded(name) ?? throw new StepFailedException($"{name} is not loaded");
                if (!controller.Unload(name)) throw new StepFailedException($"{name} still runs");
                OnUndo(index, step, () =>
                {
                    controller.Load(loaded.Spec);
                    controller.ReplaceEnv(name, loaded.Env);
                    return Task.FromResult($"{name} loaded again");
                });
                return $"{name} unloaded";
            }
            default:
                throw new StepFailedException($"unknown application action {step.Action}");
        }
    }

    private async Task<string> ConfigChangeAsync(int index, ConfigChangeStep step)
    {
        var controller = _node.Applications;
        var name = step.Application;
        var descriptor = _to.Applications.First(a => a.Name == name);
        if (controller.Loaded(name) is not { } loaded) return $"{name} is not loaded";
        var previousSpec = controller.ReplaceSpec(ReleaseApplications.ToSpec(_node, descriptor));
        OnUndo(index, step, async () =>
        {
            controller.ReplaceSpec(previousSpec);
            await controller.ChangeConfigAsync(name, loaded.Env).ConfigureAwait(false);
            return $"{name}'s environment restored";
        });
        await controller.ChangeConfigAsync(name, descriptor.Env).ConfigureAwait(false);
        return $"{name} {descriptor.Version}: environment set, config_change called";
    }

    private async Task<string> RollingAsync(int index, RollingUpdateStep step)
    {
        var module = step.Module;
        if (Code.CurrentVersion(module) is not { } from) return "no current version";
        var to = Staged(module);
        var shape = step.Mode == UpdateMode.Soft;
        await PrePurgeAsync(module, _direction == ChangeDirection.Up ? PrePurgeOf(module) : PurgeMode.BrutalPurge).ConfigureAwait(false);
        var before = Code.MakeCurrent(to);
        var inFlight = new List<LocalProcess>();
        var done = new List<LocalProcess>();
        OnUndo(index, step, async () =>
        {
            // The batch under way still holds its state from before: it gets it back exactly.
            await CodeServer.SystemCallAllAsync(_node, inFlight, SystemOp.RevertCode, _options.CodeChangeTimeout).ConfigureAwait(false);
            await ResumeListAsync(inFlight).ConfigureAwait(false);
            Code.UndoMakeCurrent(to, before);
            // Batches already resumed go back through a change in the other direction, batch by batch.
            var failures = 0;
            foreach (var batch in done.Chunk(step.BatchSize))
            {
                var again = new List<LocalProcess>();
                await SuspendIntoAsync(batch.Where(p => p.IsAlive).ToArray(), again).ConfigureAwait(false);
                failures += (await ChangeBackAllAsync(again, from, to, step.Direction, shape).ConfigureAwait(false)).Count;
                await ResumeListAsync(again).ConfigureAwait(false);
            }
            if (failures > 0) throw new InvalidOperationException($"{failures} processes of {module} could not go back to {from.Vsn}");
            return $"{done.Count + inFlight.Count} processes back on {module} {from.Vsn}";
        });
        var batches = 0;
        while (true)
        {
            var seen = done.ToHashSet();
            var pending = CodeServer.ServersBoundTo(from).Where(p => !seen.Contains(p)).ToArray();
            if (pending.Length == 0) break;
            foreach (var batch in pending.Chunk(step.BatchSize))
            {
                inFlight.Clear();
                await SuspendIntoAsync(batch, inFlight).ConfigureAwait(false);
                var changed = new List<LocalProcess>();
                var failure = await ChangeAllAsync(inFlight, changed, module, from, to, step.Direction, shape, step.Extra).ConfigureAwait(false);
                if (failure is not null) throw failure;
                await ResumeListAsync(inFlight).ConfigureAwait(false);
                done.AddRange(inFlight);
                inFlight.Clear();
                batches++;
            }
        }
        return $"{done.Count} processes changed in {batches} batches";
    }

    /// <summary>A step's failure, with the process that caused it.</summary>
    internal sealed class StepFailedException(string message, Pid? process = null) : Exception(message)
    {
        public Pid? Process { get; } = process;
    }
}
