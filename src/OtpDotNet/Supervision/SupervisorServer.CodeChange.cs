using System.Runtime.Loader;
using Otp.Net.Code;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Supervision;

/// <summary>The supervisor engine's code change (R11): re-run the module's init with the original arguments and merge.</summary>
internal sealed partial class SupervisorServer
{
    private static readonly Atom ErrorAtom = Atom.Of("error");

    /// <summary>How the code server loads a <see cref="Supervisor"/> module: inside this engine, named as the module.</summary>
    internal static readonly ModuleBehaviour ModuleBehaviour =
        new(typeof(Supervisor), "supervisor", static (module, name) => new SupervisorServer((Supervisor)module, name));

    /// <summary>A supervisor's state is the engine's own; its change leaves the old version's specs behind itself.</summary>
    internal override bool MigratesStateItself => true;

    public override async ValueTask<CodeChangeResult<State>> CodeChangeAsync(object? oldVersion, object? oldState, object? extra, CancellationToken cancellationToken) =>
        ToResult(await PlanChangeAsync(oldState, null, cancellationToken).ConfigureAwait(false));

    internal override async ValueTask<ICodeChangeResult?> CodeChangeCore(object? oldVersion, object? state, object? extra, AssemblyLoadContext? leaving, CancellationToken ct) =>
        ToResult(await PlanChangeAsync(state, leaving, ct).ConfigureAwait(false));

    /// <summary>A dry run of the change: the child diff, or the term <c>change_code</c> would return.</summary>
    internal override async ValueTask<RehearsalOutcome?> RehearseCore(object? oldVersion, object? state, object? extra, AssemblyLoadContext? leaving, CancellationToken ct)
    {
        var plan = await PlanChangeAsync(state, leaving, ct).ConfigureAwait(false);
        return plan.Error is { } error
            ? RehearsalOutcome.Failed(TermTuple.Of(ErrorAtom, TermTuple.Of(ErrorAtom, error)))
            : RehearsalOutcome.Succeeded(plan.Change);
    }

    private static CodeChangeResult<State> ToResult(ChangePlan plan) =>
        plan.Error is { } error ? CodeChangeResult<State>.Fail(error) : CodeChangeResult<State>.Ok(plan.NewState!);

    /// <summary>The new state and its diff, or the error (<see cref="Error"/>): the old state is never touched.</summary>
    private sealed record ChangePlan(State? NewState, SupervisorChange? Change, object? Error);

    private static ChangePlan Failed(object error) => new(null, null, error);

    /// <summary>
    /// R11: runs this (new) module's init with the arguments the supervisor was started with and builds a NEW state from
    /// <paramref name="state"/> and the result, copying child records, so that the engine can still put the old state
    /// back (a rollback before resume). Flags are replaced (R11.1); an id in both spec lists takes the new spec and its
    /// child is not restarted (R11.2); a new id is added with no pid (R11.3); an id missing from the new specs keeps its
    /// child running under the old spec (R11.4); <c>simple_one_for_one</c> takes the new template, its children keep their
    /// arguments (R11.5). Ignore keeps the state as it is; invalid flags or specs give the error term (R11.5).
    /// An old spec kept for a running child whose start function belongs to <paramref name="leaving"/> (the version the
    /// supervisor leaves) cannot stay as it is, or it would keep that version loaded: it becomes temporary, with a start
    /// function that fails — the child runs on until it is removed, and is dropped rather than restarted if it exits. A
    /// stopped child of such a spec is dropped at once.
    /// </summary>
    private async ValueTask<ChangePlan> PlanChangeAsync(object? state, AssemblyLoadContext? leaving, CancellationToken ct)
    {
        if (state is not State old) return Failed(TermTuple.Of(Atom.Of("incompatible_state"), state?.GetType().FullName));
        if (old.Dynamic || _module is null) return new(old, null, null); // a dynamic supervisor has no init to re-run
        var init = await _module.InitAsync(old.Args, ct).ConfigureAwait(false);
        if (init is null) return Failed(TermTuple.Of(Atom.Of("bad_return"), TermTuple.Of(Atom.Of(ModuleName), Atom.Of("init"), null)));
        if (init.IsIgnore) return new(old, SupervisorChange.Ignore(old.Flags), null);
        if (ChildSpecValidation.CheckFlags(init.Flags) is { } flagsError) return Failed(flagsError);
        var flags = init.Flags!;
        if ((flags.Strategy == Strategy.SimpleOneForOne) != old.Simple)
        {
            return Failed(TermTuple.Of(Atom.Of("bad_strategy_change"), Atom.Of(old.Flags.Strategy.ToString()), Atom.Of(flags.Strategy.ToString())));
        }
        if (old.Simple && (init.Children.Count != 1 || init.Children[0] is not { StartWithArgs: not null }))
        {
            return Failed(TermTuple.Of(Atom.Of("bad_start_spec"), Atom.Of("simple_one_for_one needs exactly one template child spec")));
        }
        if (ChildSpecValidation.Check(init.Children, flags.AutoShutdown) is { } specError) return Failed(specError);
        var children = new List<Child>(old.Children.Count + init.Children.Count);
        if (old.Simple)
        {
            var template = init.Children[0];
            foreach (var was in old.Children) children.Add(Copy(was, FromTemplate(template, was.Spec.Args)));
            var replaced = new SupervisorChange(old.Flags, flags, [], [], [], TemplateReplaced: true);
            return new(NewState(old, flags, template, children, old.NextKey, replaced), replaced, null);
        }
        var oldById = new Dictionary<ChildId, Child>();
        foreach (var was in old.Children) oldById[was.Spec.Id] = was;
        var nextKey = old.NextKey;
        var added = new List<ChildId>();
        var kept = new List<ChildId>();
        var removed = new List<ChildId>();
        var newIds = new HashSet<ChildId>();
        foreach (var spec in init.Children)
        {
            newIds.Add(spec.Id);
            if (oldById.TryGetValue(spec.Id, out var was))
            {
                children.Add(Copy(was, spec)); // R11.2: the new spec, the same child
                kept.Add(spec.Id);
            }
            else
            {
                children.Add(new Child(nextKey++, spec)); // R11.3: held, not started
                added.Add(spec.Id);
            }
        }
        // R11.4: the others stay, after the new specs, in their start order (so they are the first stopped, as in OTP).
        foreach (var was in old.Children)
        {
            if (newIds.Contains(was.Spec.Id)) continue;
            var spec = was.Spec;
            if (leaving is not null && ObjectGraph.Reaches(spec, leaving, out _) != ObjectGraph.Found.None)
            {
                if (!was.IsRunning) continue;
                spec = Detached(spec);
            }
            children.Add(Copy(was, spec));
            removed.Add(was.Spec.Id);
        }
        var change = new SupervisorChange(old.Flags, flags, added, removed, kept);
        return new(NewState(old, flags, null, children, nextKey, change), change, null);
    }

    /// <summary>A new state: <paramref name="old"/>'s name, arguments and restart history, with the new flags and children.</summary>
    private static State NewState(State old, SupervisorFlags flags, ChildSpec? template, List<Child> children, long nextKey, SupervisorChange change)
    {
        var state = new State
        {
            Flags = flags,
            Template = template,
            Name = old.Name,
            NextKey = nextKey,
            MaxChildren = old.MaxChildren,
            Args = old.Args,
            LastChange = change,
        };
        foreach (var stamp in old.Restarts) state.Restarts.Enqueue(stamp);
        foreach (var child in children) state.Children.Add(child);
        return state;
    }

    /// <summary>A copy of <paramref name="was"/>'s record (key, pid, restarting) with <paramref name="spec"/>.</summary>
    private static Child Copy(Child was, ChildSpec spec) => new(was.Key, spec) { Pid = was.Pid, Restarting = was.Restarting };

    /// <summary>
    /// A <c>simple_one_for_one</c> child's spec: the template started with <paramref name="args"/> (the template's own and
    /// the extra ones), which the spec keeps, so that a new template restarts the child with the same arguments (R11.5).
    /// </summary>
    private static ChildSpec FromTemplate(ChildSpec template, IReadOnlyList<object?> args) =>
        template with { Start = node => template.StartWithArgs!(node, args), Args = args };

    /// <summary>An old spec cut loose from the version it came from: a temporary child whose start fails (R11.4, see above).</summary>
    private static ChildSpec Detached(ChildSpec spec)
    {
        var id = spec.Id.ToTerm();
        return spec with
        {
            Start = _ => Task.FromResult(StartResult.Failed(ExitReason.Of(TermTuple.Of(Atom.Of("removed_by_code_change"), id)))),
            StartWithArgs = null,
            Args = [],
            Modules = spec.Modules.ToArray(), // a collection expression's list is a type of the module's own assembly
            Restart = RestartType.Temporary,
        };
    }
}
