using Otp.Net.Terms;

namespace Otp.Net.Supervision;

/// <summary>
/// Boundary checks of supervisor flags and child specs (U2), with OTP's error terms: <c>supervisor:check_flags</c>
/// and <c>check_childspec</c> for static supervisors, Elixir's <c>DynamicSupervisor</c> validation for dynamic ones.
/// </summary>
internal static class ChildSpecValidation
{
    private static readonly Atom BadCombination = Atom.Of("bad_combination");

    /// <summary>
    /// Null if the flags are valid, otherwise the error (<c>{invalid_intensity, -1}</c>, <c>{invalid_period, 0}</c>,
    /// <c>{invalid_strategy, S}</c>, <c>{invalid_auto_shutdown, A}</c>, <c>{bad_combination, ...}</c>); a supervisor
    /// stops with <c>{supervisor_data, Error}</c>.
    /// </summary>
    public static object? CheckFlags(SupervisorFlags? flags)
    {
        if (flags is null) return TermTuple.Of(Atom.Of("invalid_type"), null);
        if (!Enum.IsDefined(flags.Strategy)) return TermTuple.Of(Atom.Of("invalid_strategy"), (int)flags.Strategy);
        if (flags.Intensity < 0) return TermTuple.Of(Atom.Of("invalid_intensity"), flags.Intensity);
        if (flags.PeriodSeconds <= 0) return TermTuple.Of(Atom.Of("invalid_period"), flags.PeriodSeconds);
        if (!Enum.IsDefined(flags.AutoShutdown)) return TermTuple.Of(Atom.Of("invalid_auto_shutdown"), (int)flags.AutoShutdown);
        if (flags.Strategy == Strategy.SimpleOneForOne && flags.AutoShutdown != AutoShutdown.Never)
        {
            return TermTuple.Of(BadCombination, new TermList(
                TermTuple.Of(Atom.Of("auto_shutdown"), AutoShutdownTerm(flags.AutoShutdown)),
                TermTuple.Of(Atom.Of("strategy"), Atom.Of("simple_one_for_one"))));
        }
        return null;
    }

    /// <summary>Null if a DynamicSupervisor's options are valid, otherwise Elixir's error (<c>{invalid_intensity, -1}</c>, ...).</summary>
    public static object? CheckOptions(DynamicSupervisorOptions options)
    {
        if (options.Intensity < 0) return TermTuple.Of(Atom.Of("invalid_intensity"), options.Intensity);
        if (options.PeriodSeconds <= 0) return TermTuple.Of(Atom.Of("invalid_period"), options.PeriodSeconds);
        if (options.MaxChildren is < 0) return TermTuple.Of(Atom.Of("invalid_max_children"), options.MaxChildren.Value);
        return null;
    }

    /// <summary>
    /// Null if the specs are valid, otherwise the error term (e.g. <c>{duplicate_child_name, Id}</c>,
    /// <c>{invalid_restart_type, R}</c>, <c>missing_start</c>).
    /// </summary>
    /// <param name="specs">The specs, in order.</param>
    /// <param name="autoShutdown">The supervisor's auto_shutdown (significant children need one); null when not known.</param>
    /// <param name="dynamic">A DynamicSupervisor's start_child: ids need not be unique and no child is significant.</param>
    public static object? Check(IReadOnlyList<ChildSpec> specs, AutoShutdown? autoShutdown = null, bool dynamic = false)
    {
        var seen = new HashSet<ChildId>();
        foreach (var spec in specs)
        {
            if (CheckOne(spec, autoShutdown, dynamic) is { } error) return error;
            if (!dynamic && !seen.Add(spec.Id)) return TermTuple.Of(Atom.Of("duplicate_child_name"), spec.Id.ToTerm());
        }
        return null;
    }

    private static object? CheckOne(ChildSpec? spec, AutoShutdown? autoShutdown, bool dynamic)
    {
        if (spec is null) return TermTuple.Of(Atom.Of("invalid_child_spec"), null);
        if (spec.Id.IsUndefined) return Atom.Of("missing_id");
        if (spec.Start is null) return Atom.Of("missing_start");
        if (!Enum.IsDefined(spec.Restart)) return TermTuple.Of(Atom.Of("invalid_restart_type"), (int)spec.Restart);
        if (spec.Significant)
        {
            if (dynamic) return TermTuple.Of(Atom.Of("invalid_significant"), true);
            if (autoShutdown == AutoShutdown.Never) return SignificantWith(TermTuple.Of(Atom.Of("auto_shutdown"), Atom.Of("never")));
            if (spec.Restart == RestartType.Permanent) return SignificantWith(TermTuple.Of(Atom.Of("restart"), Atom.Of("permanent")));
        }
        if (!Enum.IsDefined(spec.Type)) return TermTuple.Of(Atom.Of("invalid_child_type"), (int)spec.Type);
        if (spec.Shutdown is { IsBrutalKill: false, IsInfinity: false, Milliseconds: < 0 } s) return TermTuple.Of(Atom.Of("invalid_shutdown"), s.Milliseconds);
        if (spec.Modules is null) return TermTuple.Of(Atom.Of("invalid_modules"), null);
        foreach (var module in spec.Modules)
        {
            if (string.IsNullOrEmpty(module)) return TermTuple.Of(Atom.Of("invalid_module"), module);
        }
        if (spec.Args is null) return TermTuple.Of(Atom.Of("invalid_extra_arguments"), null);
        return null;
    }

    private static TermTuple SignificantWith(TermTuple other) =>
        TermTuple.Of(BadCombination, new TermList(other, TermTuple.Of(Atom.Of("significant"), true)));

    private static Atom AutoShutdownTerm(AutoShutdown value) => value switch
    {
        AutoShutdown.AnySignificant => Atom.Of("any_significant"),
        AutoShutdown.AllSignificant => Atom.Of("all_significant"),
        _ => Atom.Of("never"),
    };
}
