namespace Otp.Net.Releases;

/// <summary>Compiles high-level instructions into the steps the handler runs (R8, R9), and describes steps for journals.</summary>
internal static class ReleaseSteps
{
    public static string Describe(ReleaseStep step) => step switch
    {
        LoadObjectCodeStep s => $"load_object_code [{string.Join(", ", s.Modules)}]",
        PointOfNoReturnStep => "point_of_no_return",
        SuspendStep s => $"suspend [{string.Join(", ", s.Modules)}]",
        LoadStep s => $"load {s.Module}",
        CodeChangeStep s => $"code_change {s.Direction.ToString().ToLowerInvariant()} {s.Module}",
        RebindStep s => $"rebind {s.Module}",
        ResumeStep s => $"resume [{string.Join(", ", s.Modules)}]",
        SupervisorChildrenStep s => $"supervisor_children {s.Module}",
        RemoveStep s => $"remove {s.Module}",
        ApplyStep s => $"apply {s.Module}:{s.Action}",
        ApplicationStep s => $"{s.Action.ToString().ToLowerInvariant()}_application {s.Application}",
        ConfigChangeStep s => $"config_change {s.Application}",
        RollingUpdateStep s => $"rolling_update {s.Direction.ToString().ToLowerInvariant()} {s.Module} (batches of {s.BatchSize})",
        HealthProbeStep => "health_probe",
        _ => step.GetType().Name,
    };

    /// <summary>
    /// The steps for <paramref name="instructions"/> going from <paramref name="from"/> to <paramref name="to"/>. Throws a
    /// <see cref="ReleaseException"/> (BadInstructions) for an instruction that names something neither release has, or
    /// an instruction other than <c>apply</c> before a <c>point_of_no_return</c> (R8.6).
    /// </summary>
    public static List<ReleaseStep> Compile(IReadOnlyList<AppupInstruction> instructions, ReleaseManifest from, ReleaseManifest to, ChangeDirection direction, InstallOptions options)
    {
        var steps = new List<ReleaseStep>();
        var stage = new List<string>();
        var body = new List<ReleaseStep>();
        var early = new List<ReleaseStep>();
        var explicitReturn = instructions.Any(i => i is PointOfNoReturnInstruction);
        var beforeReturn = explicitReturn;
        foreach (var instruction in instructions)
        {
            if (beforeReturn)
            {
                switch (instruction)
                {
                    case PointOfNoReturnInstruction:
                        beforeReturn = false;
                        continue;
                    case ApplyInstruction a:
                        early.Add(new ApplyStep(a.Module, a.Action) { Args = a.Args, UndoAction = a.UndoAction });
                        continue;
                    default:
                        throw Bad($"only apply may precede point_of_no_return (R8.6), not {instruction.GetType().Name}");
                }
            }
            switch (instruction)
            {
                case PointOfNoReturnInstruction:
                    throw Bad("point_of_no_return appears twice");
                case LoadModuleInstruction l:
                    Stage(l.Module);
                    body.Add(new LoadStep(l.Module));
                    break;
                case AddModuleInstruction a:
                    Stage(a.Module);
                    body.Add(new LoadStep(a.Module));
                    break;
                case DeleteModuleInstruction d:
                    body.Add(new RemoveStep(d.Module));
                    break;
                case UpdateInstruction u:
                    Stage(u.Module);
                    if (options.Mode == InstallMode.Rolling && u.DepMods.Count == 0)
                    {
                        body.Add(new RollingUpdateStep(u.Module, direction, options.BatchSize) { Mode = u.Mode, Extra = u.Extra });
                        break;
                    }
                    var group = u.DepMods.Concat([u.Module]).Distinct(StringComparer.Ordinal).ToArray();
                    body.Add(new SuspendStep(group));
                    if (u.Mode == UpdateMode.Soft)
                    {
                        body.Add(new LoadStep(u.Module));
                        body.Add(new RebindStep(u.Module));
                    }
                    else if (direction == ChangeDirection.Down)
                    {
                        // R8.4: a dynamic module's newer code converts the state before the older code loads.
                        body.Add(new CodeChangeStep(u.Module, ChangeDirection.Down) { Extra = u.Extra });
                        body.Add(new LoadStep(u.Module));
                    }
                    else
                    {
                        body.Add(new LoadStep(u.Module));
                        body.Add(new CodeChangeStep(u.Module, ChangeDirection.Up) { Extra = u.Extra });
                    }
                    body.Add(new ResumeStep(group.Reverse().ToArray()));
                    break;
                case UpdateSupervisorInstruction s:
                    // R8.4, R11: static modules load first in both directions; the loaded code's Init gives the specs.
                    Stage(s.Module);
                    body.Add(new SuspendStep([s.Module]));
                    body.Add(new LoadStep(s.Module));
                    body.Add(new CodeChangeStep(s.Module, direction));
                    body.Add(new ResumeStep([s.Module]));
                    if (options.SupervisorChildren == SupervisorChildrenMode.Reconcile) body.Add(new SupervisorChildrenStep(s.Module));
                    break;
                case AddApplicationInstruction a:
                {
                    var app = Application(to, a.Application);
                    foreach (var m in app.Modules) Stage(m.Name);
                    body.AddRange(app.Modules.Select(m => (ReleaseStep)new LoadStep(m.Name)));
                    body.Add(new ApplicationStep(app.Name, ApplicationAction.Load));
                    if (a.Type is { } type) body.Add(new ApplicationStep(app.Name, ApplicationAction.Start) { Type = type });
                    break;
                }
                case RemoveApplicationInstruction r:
                {
                    var app = Application(from, r.Application);
                    body.Add(new ApplicationStep(app.Name, ApplicationAction.Stop));
                    body.AddRange(app.Modules.Select(m => (ReleaseStep)new RemoveStep(m.Name)));
                    body.Add(new ApplicationStep(app.Name, ApplicationAction.Unload));
                    break;
                }
                case RestartApplicationInstruction r:
                {
                    var before = Application(from, r.Application);
                    var after = Application(to, r.Application);
                    body.Add(new ApplicationStep(before.Name, ApplicationAction.Stop));
                    body.Add(new ApplicationStep(before.Name, ApplicationAction.Unload));
                    var kept = after.Modules.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
                    body.AddRange(before.Modules.Where(m => !kept.Contains(m.Name)).Select(m => (ReleaseStep)new RemoveStep(m.Name)));
                    foreach (var m in after.Modules)
                    {
                        var old = before.Modules.FirstOrDefault(o => o.Name == m.Name);
                        if (old is not null && old.Version == m.Version) continue;
                        Stage(m.Name);
                        body.Add(new LoadStep(m.Name));
                    }
                    body.Add(new ApplicationStep(after.Name, ApplicationAction.Load));
                    body.Add(new ApplicationStep(after.Name, ApplicationAction.Start) { Type = after.Type });
                    break;
                }
                case ApplyInstruction a:
                    body.Add(new ApplyStep(a.Module, a.Action) { Args = a.Args, UndoAction = a.UndoAction });
                    break;
                default:
                    throw Bad($"unknown instruction {instruction.GetType().Name}");
            }
        }
        // R4: the new environment and config_change come after the script, for the applications both releases have.
        var touched = instructions.Select(i => i switch
        {
            AddApplicationInstruction a => a.Application,
            RemoveApplicationInstruction r => r.Application,
            RestartApplicationInstruction r => r.Application,
            _ => null,
        }).Where(n => n is not null).ToHashSet(StringComparer.Ordinal);
        foreach (var app in to.Applications)
        {
            if (touched.Contains(app.Name) || from.Applications.FirstOrDefault(a => a.Name == app.Name) is not { } before) continue;
            if (!EnvEquals(before.Env, app.Env) || before.Version != app.Version) body.Add(new ConfigChangeStep(app.Name));
        }
        if (stage.Count > 0) steps.Add(new LoadObjectCodeStep(stage));
        steps.AddRange(early);
        steps.Add(new PointOfNoReturnStep());
        steps.AddRange(body);
        return steps;

        void Stage(string module)
        {
            if (to.Applications.SelectMany(a => a.Modules).All(m => m.Name != module)) throw Bad($"module {module} is not in release {to.Version}");
            if (!stage.Contains(module)) stage.Add(module);
        }
    }

    private static ApplicationDescriptor Application(ReleaseManifest release, string name) =>
        release.Applications.FirstOrDefault(a => a.Name == name) ?? throw Bad($"application {name} is not in release {release.Version}");

    internal static bool EnvEquals(IReadOnlyDictionary<string, object?> a, IReadOnlyDictionary<string, object?> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && ValueEquals(kv.Value, v));

    private static bool ValueEquals(object? a, object? b) => (a, b) switch
    {
        (IReadOnlyList<object?> x, IReadOnlyList<object?> y) => x.Count == y.Count && x.Zip(y).All(p => ValueEquals(p.First, p.Second)),
        (IReadOnlyDictionary<string, object?> x, IReadOnlyDictionary<string, object?> y) => EnvEquals(x, y),
        _ => Equals(a, b),
    };

    private static ReleaseException Bad(string message) => new(ReleaseErrorKind.BadInstructions, message);
}
