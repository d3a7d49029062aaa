using Otp.Net.Code;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Releases;

/// <summary>
/// <see cref="ReleaseHandler.CheckInstallAsync"/>'s run: everything an install checks before it changes anything live,
/// plus each affected process's code change tried on a copy of its state. The caller holds the code server.
/// </summary>
internal sealed class ReleaseRehearsal(Node node, ReleaseStore store, ReleaseManifest from, ReleaseManifest to, ChangeDirection direction, InstallOptions options)
{
    private readonly Dictionary<string, ModuleVersion> _staged = new(StringComparer.Ordinal);
    private readonly List<string> _problems = [];
    private readonly List<string> _warnings = [];
    private readonly List<ProcessRehearsal> _processes = [];
    private readonly List<SupervisorRehearsal> _supervisors = [];

    private CodeServer Code => node.Code;

    public async Task<RehearsalReport> RunAsync(IReadOnlyList<ReleaseStep> steps)
    {
        try
        {
            var beforeReturn = true;
            foreach (var step in steps)
            {
                switch (step)
                {
                    case LoadObjectCodeStep s:
                        await StageAsync(s).ConfigureAwait(false);
                        break;
                    case PointOfNoReturnStep:
                        beforeReturn = false;
                        break;
                    case ApplyStep s:
                        await ApplyAsync(s, run: beforeReturn).ConfigureAwait(false);
                        break;
                    case LoadStep s:
                        CheckStaged(s.Module);
                        CheckPrePurge(s.Module);
                        break;
                    case CodeChangeStep s:
                        await RehearseAsync(s.Module, s.Direction, shape: false, s.Extra).ConfigureAwait(false);
                        break;
                    case RebindStep s:
                        await RehearseAsync(s.Module, direction, shape: true, null).ConfigureAwait(false);
                        break;
                    case RollingUpdateStep s:
                        CheckStaged(s.Module);
                        CheckPrePurge(s.Module);
                        await RehearseAsync(s.Module, s.Direction, s.Mode == UpdateMode.Soft, s.Extra).ConfigureAwait(false);
                        break;
                    case RemoveStep s:
                        if (!Code.IsLoaded(s.Module)) _problems.Add($"remove {s.Module}: the module is not loaded");
                        else Warn(s.Module, "is removed; its processes are killed when the install succeeds");
                        break;
                    case ApplicationStep { Action: ApplicationAction.Stop } s:
                        if (node.Applications.RunningType(s.Application) is null) _problems.Add($"stop {s.Application}: the application does not run");
                        else _warnings.Add($"application {s.Application} is stopped: the state of its processes is lost");
                        break;
                    case ApplicationStep { Action: ApplicationAction.Load } s:
                        if (node.Applications.Loaded(s.Application) is not null) _problems.Add($"load {s.Application}: already loaded");
                        break;
                    case ConfigChangeStep s:
                        if (node.Applications.Loaded(s.Application) is null) _warnings.Add($"config_change {s.Application}: the application is not loaded");
                        break;
                }
            }
        }
        finally
        {
            foreach (var version in _staged.Values) await Code.DiscardAsync(version).ConfigureAwait(false);
        }
        return new RehearsalReport(from.Version, to.Version, direction, steps)
        {
            Processes = _processes,
            Supervisors = _supervisors,
            Problems = _problems,
            Warnings = _warnings,
        };
    }

    private async Task StageAsync(LoadObjectCodeStep step)
    {
        var descriptors = to.Applications.SelectMany(a => a.Modules).ToDictionary(m => m.Name, StringComparer.Ordinal);
        foreach (var module in step.Modules)
        {
            var descriptor = descriptors[module];
            try
            {
                var path = store.PathOf(to.Version, descriptor.File);
                var image = await File.ReadAllBytesAsync(path).ConfigureAwait(false);
                var version = await Code.StageAsync(image, Path.GetDirectoryName(path), module).ConfigureAwait(false);
                _staged[module] = version;
                if (version.Vsn != descriptor.Version) _problems.Add($"{descriptor.File} holds {module} {version.Vsn}, the release says {descriptor.Version}");
            }
            catch (Exception ex) when (ex is CodeLoadException or IOException or ReleaseException)
            {
                _problems.Add($"load_object_code {module}: {ex.Message}");
            }
        }
    }

    private void CheckStaged(string module)
    {
        if (!_staged.ContainsKey(module) && _problems.All(p => !p.StartsWith($"load_object_code {module}:", StringComparison.Ordinal)))
        {
            _problems.Add($"{module} was not staged");
        }
    }

    /// <summary>R2, R7: a soft PrePurge with processes on old code fails the install; a brutal one kills them (a warning).</summary>
    private void CheckPrePurge(string module)
    {
        var users = Code.OldCodeUsers(module);
        if (users.Count == 0) return;
        var soft = direction == ChangeDirection.Up && (to.Upgrades.FirstOrDefault(e => e.Version == from.Version)?.Instructions ?? [])
            .OfType<UpdateInstruction>().Any(u => u.Module == module && u.PrePurge == PurgeMode.SoftPurge);
        if (soft) _problems.Add($"{{old_processes, {module}}}: {users.Count} processes still run old code");
        else Warn(module, $"old code is purged before the load: {users.Count} processes on it are killed");
    }

    private void Warn(string module, string what) => _warnings.Add($"{module} {what}");

    private async Task ApplyAsync(ApplyStep step, bool run)
    {
        var version = _staged.TryGetValue(step.Module, out var staged) ? staged : Code.CurrentVersion(step.Module);
        if (ReleaseActions.Of(version?.Instance) is not { } actions)
        {
            _problems.Add($"apply {step.Module}:{step.Action}: module {step.Module} {(version is null ? "is not loaded" : "has no release actions (IReleaseActions)")}");
            return;
        }
        if (!run) return;
        try
        {
            await actions.ApplyAsync(node, step.Action, step.Args, CancellationToken.None).ConfigureAwait(false); // R2: executed in the check too
        }
        catch (Exception ex)
        {
            _problems.Add($"apply {step.Module}:{step.Action}: {{'EXIT', {ex.GetType().Name}: {ex.Message}}}");
        }
    }

    /// <summary>Tries the change of every process bound to the module's current version on a copy of its state.</summary>
    private async Task RehearseAsync(string module, ChangeDirection stepDirection, bool shape, object? extra)
    {
        CheckStaged(module);
        if (!_staged.TryGetValue(module, out var target) || Code.CurrentVersion(module) is not { } current) return;
        var bare = CodeServer.BareProcessesOn(current);
        if (bare.Length > 0) Warn(module, $"runs in {bare.Length} processes that are not GenServers: they stay on the old code and are killed when it is purged");
        var servers = CodeServer.ServersBoundTo(current);
        var oldVsn = stepDirection == ChangeDirection.Up ? (object)current.Vsn : TermTuple.Of(Atom.Of("down"), target.Vsn);
        var outcomes = await Task.WhenAll(servers.Select(async p =>
        {
            try
            {
                return (p, Outcome: await CodeServer.RehearseAsync(p, target, shape ? null : oldVsn, shape ? new ShapeChange(null) : extra, options.CodeChangeTimeout).ConfigureAwait(false), Error: (string?)null);
            }
            catch (CallTimeoutException)
            {
                return (p, Outcome: (RehearsalOutcome?)null, Error: (string?)$"did not answer within {options.CodeChangeTimeout.TotalMilliseconds:0} ms");
            }
            catch (Exception ex) when (ex is ICallFailure)
            {
                return (p, Outcome: null, Error: null); // died meanwhile
            }
        })).ConfigureAwait(false);
        foreach (var (p, outcome, error) in outcomes)
        {
            if (outcome is null && error is null) continue;
            if (outcome?.Detail is Supervision.SupervisorChange diff)
            {
                _supervisors.Add(new SupervisorRehearsal(module, p.Self, diff.Added.Select(i => i.ToString()).ToArray(), diff.Removed.Select(i => i.ToString()).ToArray(),
                    diff.Kept.Select(i => i.ToString()).ToArray(), diff.FlagsChanged));
            }
            var ok = outcome is { IsOk: true };
            var why = error ?? (ok ? null : TermFormatter.Format(outcome!.Error));
            _processes.Add(new ProcessRehearsal(module, p.Self, ok, why));
            if (!ok) _problems.Add($"{{code_change_failed, {p.Self}, {module}, {current.Vsn}, {why}}}");
        }
    }
}
