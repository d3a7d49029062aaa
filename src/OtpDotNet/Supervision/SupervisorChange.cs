using Otp.Net.Terms;

namespace Otp.Net.Supervision;

/// <summary>
/// What a supervisor's code change did, or (rehearsed) would do, to its flags and children (R11): the flags are replaced
/// (R11.1); ids in both the old and the new specs get the new spec and keep running (<see cref="Kept"/>, R11.2); new ids
/// are added but not started (<see cref="Added"/>, R11.3); ids missing from the new specs keep running under their old
/// spec (<see cref="Removed"/>, R11.4); a <c>simple_one_for_one</c> supervisor replaces its template (R11.5). A release
/// upgrade then starts the added children and stops and deletes the removed ones.
/// </summary>
/// <param name="OldFlags">The flags before the change.</param>
/// <param name="NewFlags">The flags after it (the same when <see cref="Ignored"/>).</param>
/// <param name="Added">Ids of the new specs the supervisor did not have, in spec order: held with no pid.</param>
/// <param name="Removed">Ids no longer in the specs that the supervisor still holds (running), in start order.</param>
/// <param name="Kept">Ids in both, in the new spec order: the new spec, the same child.</param>
/// <param name="TemplateReplaced">A <c>simple_one_for_one</c> supervisor took the new template.</param>
/// <param name="Ignored">The new init returned ignore: nothing changed (R11.5).</param>
internal sealed record SupervisorChange(
    SupervisorFlags OldFlags,
    SupervisorFlags NewFlags,
    IReadOnlyList<ChildId> Added,
    IReadOnlyList<ChildId> Removed,
    IReadOnlyList<ChildId> Kept,
    bool TemplateReplaced = false,
    bool Ignored = false)
{
    /// <summary>Whether strategy, intensity, period or auto_shutdown changed.</summary>
    public bool FlagsChanged => OldFlags != NewFlags;

    /// <summary>An init that returned ignore: nothing changes.</summary>
    public static SupervisorChange Ignore(SupervisorFlags flags) => new(flags, flags, [], [], [], Ignored: true);

    public override string ToString() => Ignored
        ? "ignore"
        : $"added [{Format(Added)}] removed [{Format(Removed)}] kept [{Format(Kept)}]{(FlagsChanged ? " flags changed" : "")}{(TemplateReplaced ? " template replaced" : "")}";

    private static string Format(IReadOnlyList<ChildId> ids) => string.Join(",", ids.Select(id => TermFormatter.Format(id.ToTerm())));
}
