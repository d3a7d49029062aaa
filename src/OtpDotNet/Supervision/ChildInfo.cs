using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Supervision;

/// <summary>One row of <c>which_children</c> (U12): id, the child (pid, undefined or restarting), type, modules.</summary>
/// <param name="Id">The child id (<c>undefined</c>, the default, for the children of dynamic and simple_one_for_one supervisors).</param>
/// <param name="Pid">The running process, or undefined.</param>
/// <param name="Restarting">True while a failed restart is being retried.</param>
/// <param name="Type">Worker or supervisor.</param>
/// <param name="Modules">The child's modules.</param>
/// <param name="Restart">The child's restart type.</param>
public sealed record ChildInfo(ChildId Id, Pid Pid, bool Restarting, ChildType Type, IReadOnlyList<string> Modules, RestartType Restart = RestartType.Permanent) : ITermConvertible
{
    /// <summary><c>{Id, Child, Type, Modules}</c>.</summary>
    public object ToTerm() => TermTuple.Of(Id.ToTerm(), Restarting ? Atom.Of("restarting") : Pid.IsUndefined ? Atom.Of("undefined") : Pid,
        Atom.Of(Type == ChildType.Worker ? "worker" : "supervisor"), new TermList(Modules.Select(m => (object?)Atom.Of(m)).ToArray()));
}
