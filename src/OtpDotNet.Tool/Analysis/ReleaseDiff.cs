using System.Reflection.Metadata;
using Otp.Net.Releases;

namespace Otp.Net.Tool.Analysis;

/// <summary>
/// Computes the upgrade and downgrade instructions between two releases from their assemblies, typed rather than
/// guessed: unchanged modules (same assembly, or the same normalized hash) get nothing; a changed GenServer gets a
/// soft update when its state keeps its shape and an advanced one when it changed (which needs a
/// <c>CodeChangeAsync</c> and a type of the old shape in the new version); a changed supervisor gets
/// <c>update_supervisor</c> (with the child ids added and removed); anything else changed gets <c>load_module</c>;
/// new and removed modules and applications get add / delete / remove instructions. A change of host (Otp.Net or
/// runtime major, a contract assembly's identity) fails the diff: it needs a restart.
/// </summary>
internal static class ReleaseDiff
{
    private enum Op
    {
        RemoveApplication,
        AddModule,
        Update,
        Load,
        UpdateSupervisor,
        DeleteModule,
        LoadApplication,
        AddApplication,
    }

    private sealed record Change(Op Op, string Subject, UpdateMode Mode = UpdateMode.Soft, IReadOnlyList<string>? UpDeps = null, IReadOnlyList<string>? DownDeps = null)
    {
        public Change Mirror() => this with
        {
            Op = Op switch
            {
                Op.AddApplication => Op.RemoveApplication,
                Op.RemoveApplication => Op.AddApplication,
                Op.AddModule => Op.DeleteModule,
                Op.DeleteModule => Op.AddModule,
                var same => same,
            },
            UpDeps = DownDeps,
            DownDeps = UpDeps,
        };
    }

    /// <summary>Compares <paramref name="old"/> with <paramref name="new"/>.</summary>
    /// <summary>
    /// Refuses a pair that is no upgrade: the same version twice, or a NEW that is older than OLD (when both versions
    /// read as dotted numbers, a <c>-suffix</c> or <c>+suffix</c> aside; other versions are not ordered).
    /// </summary>
    /// <exception cref="ToolException">The pair is not from an older to a newer release.</exception>
    public static void RequireOrder(ReleaseImage old, ReleaseImage @new)
    {
        var (from, to) = (old.Manifest.Version, @new.Manifest.Version);
        if (from == to)
            throw new ToolException($"{old.Source} and {@new.Source} are both version {from}: there is nothing to upgrade (give the older package first, then the newer)");
        if (Numeric(from) is { } a && Numeric(to) is { } b && b < a)
            throw new ToolException($"{@new.Source} ({to}) is older than {old.Source} ({from}): give the older package first, then the newer");
    }

    private static Version? Numeric(string version)
    {
        var end = version.IndexOfAny(['-', '+']);
        var core = end < 0 ? version : version[..end];
        if (!core.Contains('.', StringComparison.Ordinal)) core += ".0";
        return Version.TryParse(core, out var parsed) ? parsed : null;
    }

    public static DiffResult Compute(ReleaseImage old, ReleaseImage @new, bool allowDelegates = false)
    {
        var result = new DiffResult(old.Manifest.Version, @new.Manifest.Version);
        if (old.Manifest.Name != @new.Manifest.Name)
            result.Warnings.Add($"the releases have different names ({old.Manifest.Name}, {@new.Manifest.Name})");

        var oldModules = old.Modules();
        var newModules = @new.Modules();
        foreach (var image in oldModules.Concat(newModules).Select(m => m.Image).Distinct())
        {
            if (!image.IsDeterministic)
                result.Errors.Add($"{Path.GetFileName(image.Path)} ({image.Name} {image.Version}) was not built deterministically (no Reproducible debug directory entry): rebuild it with {AssemblyImage.DeterministicSettings}");
        }
        if (result.Failed) return result;

        CheckHost(old.Manifest.Host, @new.Manifest.Host, result);

        var changes = new List<Change>();
        var oldApps = old.Manifest.Applications.ToDictionary(a => a.Name, StringComparer.Ordinal);
        var newApps = @new.Manifest.Applications.ToDictionary(a => a.Name, StringComparer.Ordinal);
        foreach (var app in newApps.Values.Where(a => !oldApps.ContainsKey(a.Name)))
        {
            changes.Add(new Change(Op.AddApplication, app.Name));
            result.Decisions.Add(Line("add_application", app.Name, $"new application {app.Version} ({app.Modules.Count} module(s))"));
        }
        foreach (var app in oldApps.Values.Where(a => !newApps.ContainsKey(a.Name)))
        {
            changes.Add(new Change(Op.RemoveApplication, app.Name));
            result.Decisions.Add(Line("remove_application", app.Name, $"application {app.Version} is gone"));
        }
        foreach (var app in newApps.Values.Where(a => oldApps.ContainsKey(a.Name)))
        {
            var before = oldApps[app.Name];
            if (before.Version != app.Version) result.Decisions.Add(Line("application", app.Name, $"{before.Version} -> {app.Version} (its env changes reach ConfigChange after the instructions)"));
            foreach (var file in app.Files)
            {
                var was = before.Files.FirstOrDefault(f => Path.GetFileName(f) == Path.GetFileName(file));
                if (was is not null && FileHash(old, was) != FileHash(@new, file))
                    result.Warnings.Add($"application {app.Name}: {Path.GetFileName(file)} changed, but it is no module: no instruction loads it again; change and reload the modules that use it");
            }
        }
        var firstModuleDecision = result.Decisions.Count;

        // Modules of applications in both releases, by name (a module may move between them).
        var oldCommon = oldModules.Where(m => newApps.ContainsKey(m.Application.Name)).ToDictionary(m => m.Name, StringComparer.Ordinal);
        var newCommon = newModules.Where(m => oldApps.ContainsKey(m.Application.Name)).ToDictionary(m => m.Name, StringComparer.Ordinal);
        foreach (var module in newModules) result.Hashes[module.Name] = module.Hash.Hash;

        var changed = new List<(ReleaseModule Old, ReleaseModule New)>();
        foreach (var name in newCommon.Keys.Union(oldCommon.Keys).Order(StringComparer.Ordinal))
        {
            oldCommon.TryGetValue(name, out var before);
            newCommon.TryGetValue(name, out var after);
            if (before is null)
            {
                changes.Add(new Change(Op.AddModule, name));
                result.Decisions.Add(Line("add_module", name, $"new module {after!.Info.Vsn} ({after.Info.Kind})"));
            }
            else if (after is null)
            {
                changes.Add(new Change(Op.DeleteModule, name));
                result.Decisions.Add(Line("delete_module", name, $"module {before.Info.Vsn} is gone"));
            }
            else
            {
                CheckContracts(before, after, old.Manifest.Host, @new.Manifest.Host, result);
                if (before.Image.Sha256 == after.Image.Sha256 || before.Image.Mvid == after.Image.Mvid)
                    result.Decisions.Add(Line("nothing", name, "same assembly"));
                else if (before.Hash.Hash == after.Hash.Hash)
                    result.Decisions.Add(Line("nothing", name, $"same code (normalized hash {after.Hash.Hash[..12]})"));
                else
                    changed.Add((before, after));
            }
        }

        var changedNames = changed.Select(c => c.New.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (before, after) in changed)
        {
            var up = Dependencies(after, newModules, changedNames);
            var down = Dependencies(before, oldModules, changedNames);
            if (before.Info.Kind != after.Info.Kind && ModuleKind.Process is var bare && (before.Info.Kind == bare || after.Info.Kind == bare))
            {
                // A bare process cannot be suspended or changed in place: load the new code; processes already running
                // keep the old version until they end or the purge at make_permanent (R7), new ones start on the new kind.
                changes.Add(new Change(Op.Load, after.Name, UpDeps: up, DownDeps: down));
                result.Decisions.Add(Line("load_module", after.Name, $"kind changed ({before.Info.Kind} -> {after.Info.Kind}, {before.Info.Vsn} -> {after.Info.Vsn}): running processes keep the old version until they end or are purged; new ones start as {after.Info.Kind}{Deps(up)}"));
                continue;
            }
            if (before.Info.Kind != after.Info.Kind)
            {
                result.Errors.Add($"module {after.Name}: its kind changed from {before.Info.Kind} to {after.Info.Kind}; no in-place upgrade: remove it and add a module of another name, or restart its application");
                result.Decisions.Add(Line("FAIL", after.Name, $"kind changed ({before.Info.Kind} -> {after.Info.Kind})"));
                continue;
            }
            var vsns = $"{before.Info.Vsn} -> {after.Info.Vsn}";
            if (before.Info.Vsn == after.Info.Vsn)
                result.Warnings.Add($"module {after.Name}: its code changed but its version is still {after.Info.Vsn}; the code server refuses to load a version that is current (bump Vsn)");
            switch (after.Info.Kind)
            {
                case ModuleKind.GenServer:
                    GenServer(before, after, up, down, vsns, allowDelegates, changes, result);
                    break;
                case ModuleKind.Supervisor:
                    changes.Add(new Change(Op.UpdateSupervisor, after.Name));
                    result.Decisions.Add(Line("update_supervisor", after.Name, $"code changed ({vsns}); {Children(before, after)}"));
                    break;
                case ModuleKind.Application:
                    changes.Add(new Change(Op.LoadApplication, after.Name, UpDeps: up, DownDeps: down));
                    result.Decisions.Add(Line("load_module", after.Name, $"application callback changed ({vsns}); its next PrepStop/Stop/ConfigChange runs the new version"));
                    break;
                default:
                    changes.Add(new Change(Op.Load, after.Name, UpDeps: up, DownDeps: down));
                    var what = after.Info.Kind == ModuleKind.Process ? "bare process module changed; running processes keep the old version until purged" : "code changed";
                    result.Decisions.Add(Line("load_module", after.Name, $"{what} ({vsns}){Deps(up)}"));
                    break;
            }
        }

        // One line per module, by name, after the applications' lines.
        var moduleDecisions = result.Decisions.Skip(firstModuleDecision).OrderBy(Subject, StringComparer.Ordinal).ToList();
        result.Decisions.RemoveRange(firstModuleDecision, moduleDecisions.Count);
        result.Decisions.AddRange(moduleDecisions);
        if (result.Failed) return result;
        result.Upgrade.AddRange(Instructions(changes, @new));
        result.Downgrade.AddRange(Instructions([.. changes.Select(c => c.Mirror())], old));
        return result;
    }

    private static string Line(string action, string subject, string reason) => $"{action,-20} {subject}: {reason}";

    private static string Subject(string line) => line[21..line.IndexOf(':', 21)];

    private static string FileHash(ReleaseImage release, string file) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(release.Directory, file))));

    private static string Deps(IReadOnlyList<string> deps) => deps.Count == 0 ? "" : $"; depends on {string.Join(", ", deps)}";

    private static void GenServer(ReleaseModule before, ReleaseModule after, IReadOnlyList<string> up, IReadOnlyList<string> down, string vsns, bool allowDelegates, List<Change> changes, DiffResult result)
    {
        if (before.Info.StateType is null || after.Info.StateType is null)
        {
            changes.Add(new Change(Op.Load, after.Name, UpDeps: up, DownDeps: down));
            result.Decisions.Add(Line("load_module", after.Name, $"code changed ({vsns}); state type unknown{Deps(up)}"));
            return;
        }
        var oldShape = StateShape.Of(before.Image, before.Info.StateType);
        var newShape = StateShape.Of(after.Image, after.Info.StateType);
        var delegates = oldShape.Delegates.Select(d => "old " + d).Concat(newShape.Delegates.Select(d => "new " + d)).ToList();
        if (delegates.Count > 0)
        {
            var message = $"module {after.Name}: delegate in state ({string.Join(", ", delegates)}): the old code stays pinned by the delegate's target, and calling it after the purge fails (badfun)";
            if (allowDelegates) result.Warnings.Add(message + " (allowed by --allow-delegates)");
            else result.Errors.Add(message + "; pass --allow-delegates to accept it");
        }
        if (oldShape.SameAs(newShape))
        {
            changes.Add(new Change(Op.Update, after.Name, UpdateMode.Soft, up, down));
            var why = newShape.IsShared ? $"state type {after.Info.StateType} is shared" : $"state {Short(after.Info.StateType)} keeps its shape";
            var note = after.Info.OverridesCodeChange ? " (its CodeChangeAsync is not called by a soft update: edit the mode to advanced if it must run)" : "";
            result.Decisions.Add(Line("update soft", after.Name, $"code changed ({vsns}); {why}{note}{Deps(up)}"));
            return;
        }

        var fieldDiff = newShape.DiffFrom(oldShape);
        var diffText = string.Join("; ", fieldDiff);
        string? reader = null;
        if (after.Info.OverridesCodeChange)
        {
            reader = oldShape.IsShared ? $"receives the old {before.Info.StateType} as it is" : OldShapeType(after.Image, oldShape) is { } type ? $"reads the old state as {type}" : null;
        }
        if (reader is not null)
        {
            changes.Add(new Change(Op.Update, after.Name, UpdateMode.Advanced, up, down));
            result.Decisions.Add(Line("update advanced", after.Name, $"state shape changed ({diffText}); CodeChangeAsync {reader}{Deps(up)}"));
            return;
        }
        var missing = !after.Info.OverridesCodeChange
            ? "the new version does not override CodeChangeAsync"
            : "the new version declares no type of the old state's shape for StateTerm.As<T>()";
        result.Errors.Add($"module {after.Name}: the state's shape changed and {missing}:{Environment.NewLine}    {string.Join(Environment.NewLine + "    ", fieldDiff)}");
        result.Decisions.Add(Line("FAIL", after.Name, $"state shape changed without a CodeChange ({diffText})"));
        if (!oldShape.IsShared)
        {
            var (file, text) = Scaffold.For(before, after);
            result.Scaffolds[file] = text;
        }
    }

    /// <summary>A type of the new assembly (not a module, not compiler-generated) whose shape is <paramref name="old"/>.</summary>
    private static string? OldShapeType(AssemblyImage image, StateShape old)
    {
        var modules = image.Modules.Select(m => m.Type).ToHashSet();
        foreach (var handle in image.Reader.TypeDefinitions)
        {
            if (modules.Contains(handle)) continue;
            var name = image.Sigs.FullName(handle);
            if (name.Contains('<', StringComparison.Ordinal) || image.IsDelegate(handle)) continue;
            if (StateShape.Of(image, new NamedSig(name, null, handle)).SameAs(old)) return name;
        }
        return null;
    }

    private static string Short(TypeSig type) => type is NamedSig named ? named.FullName[(named.FullName.LastIndexOf('.') + 1)..] : type.ToString();

    private static string Children(ReleaseModule before, ReleaseModule after)
    {
        var old = SupervisorChildren.Of(before.Image, before.Info);
        var now = SupervisorChildren.Of(after.Image, after.Info);
        if (!old.Complete || !now.Complete)
            return "children: not determined statically (an id is not a literal); the install's rehearsal shows them and the runtime reconciles the children";
        var added = now.Ids.Except(old.Ids).Order(StringComparer.Ordinal).Select(i => "+" + i);
        var removed = old.Ids.Except(now.Ids).Order(StringComparer.Ordinal).Select(i => "\u2212" + i);
        var all = added.Concat(removed).ToList();
        return all.Count == 0 ? "children: unchanged" : "children: " + string.Join(" ", all);
    }

    /// <summary>The other changed modules whose types <paramref name="module"/>'s code names (R8.5).</summary>
    private static IReadOnlyList<string> Dependencies(ReleaseModule module, IReadOnlyList<ReleaseModule> all, HashSet<string> changed)
    {
        var hash = module.Hash;
        return
        [
            .. all.Where(other => other.Name != module.Name && changed.Contains(other.Name))
                .Where(other => other.Image == module.Image ? hash.ModuleTypes.Contains(other.Info.Type) : hash.Assemblies.Contains(other.Image.Name))
                .Select(other => other.Name)
                .Order(StringComparer.Ordinal),
        ];
    }

    private static void CheckHost(HostRequirements old, HostRequirements now, DiffResult result)
    {
        if (Major(old.OtpNetVersion) != Major(now.OtpNetVersion))
            result.Errors.Add($"restart required: Otp.Net {old.OtpNetVersion} -> {now.OtpNetVersion} is another major version");
        if (Major(old.Runtime) != Major(now.Runtime))
            result.Errors.Add($"restart required: .NET {old.Runtime} -> {now.Runtime} is another major version");
        foreach (var contract in now.Contracts)
        {
            var before = old.Contracts.FirstOrDefault(c => c.Name == contract.Name);
            if (before is null)
                result.Warnings.Add($"contract assembly {contract.Name} {contract.Version} is new: the host must already provide it");
            else if (before != contract)
                result.Errors.Add($"restart required: contract assembly {contract.Name} changed ({before.Version} {before.PublicKeyToken ?? "unsigned"} -> {contract.Version} {contract.PublicKeyToken ?? "unsigned"}); shared assemblies load once per process");
        }
    }

    private static void CheckContracts(ReleaseModule before, ReleaseModule after, HostRequirements oldHost, HostRequirements newHost, DiffResult result)
    {
        foreach (var name in oldHost.Contracts.Concat(newHost.Contracts).Select(c => c.Name).Distinct(StringComparer.Ordinal))
        {
            before.Image.References.TryGetValue(name, out var was);
            after.Image.References.TryGetValue(name, out var now);
            if (was is null || now is null || was == now) continue;
            var message = $"restart required: module {after.Name} was compiled against {name} {was.Version} and now against {now.Version}";
            if (!result.Errors.Contains(message)) result.Errors.Add(message);
        }
    }

    private static int Major(string version) =>
        int.TryParse(version.Split('.')[0], System.Globalization.CultureInfo.InvariantCulture, out var major) ? major : -1;

    /// <summary>The instructions of <paramref name="changes"/> in install order (R8): applications removed first,
    /// new modules loaded before the code that uses them, supervisors after their children's modules, deleted modules
    /// after the supervisors stopped their children, application callbacks, then new applications.</summary>
    private static IEnumerable<AppupInstruction> Instructions(IReadOnlyList<Change> changes, ReleaseImage target)
    {
        foreach (var change in changes.OrderBy(c => c.Op).ThenBy(c => c.Subject, StringComparer.Ordinal))
        {
            yield return change.Op switch
            {
                Op.RemoveApplication => new RemoveApplicationInstruction(change.Subject),
                Op.AddApplication => new AddApplicationInstruction(change.Subject)
                {
                    Type = target.Manifest.Applications.First(a => a.Name == change.Subject).Type,
                },
                Op.AddModule => new AddModuleInstruction(change.Subject),
                Op.DeleteModule => new DeleteModuleInstruction(change.Subject),
                Op.Update => new UpdateInstruction(change.Subject) { Mode = change.Mode, DepMods = change.UpDeps ?? [] },
                Op.UpdateSupervisor => new UpdateSupervisorInstruction(change.Subject),
                _ => new LoadModuleInstruction(change.Subject) { DepMods = change.UpDeps ?? [] },
            };
        }
    }
}
