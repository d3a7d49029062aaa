using Otp.Net.Terms;

namespace Otp.Net.Supervision;

/// <summary><c>count_children</c> (U13).</summary>
/// <param name="Specs">Child specs held.</param>
/// <param name="Active">Children running (a restarting child is not active).</param>
/// <param name="Supervisors">Children of type supervisor.</param>
/// <param name="Workers">Children of type worker.</param>
public sealed record ChildCounts(int Specs, int Active, int Supervisors, int Workers) : ITermConvertible
{
    /// <summary><c>[{specs,N},{active,N},{supervisors,N},{workers,N}]</c>.</summary>
    public object ToTerm() => new TermList(
        TermTuple.Of(Atom.Of("specs"), Specs), TermTuple.Of(Atom.Of("active"), Active),
        TermTuple.Of(Atom.Of("supervisors"), Supervisors), TermTuple.Of(Atom.Of("workers"), Workers));
}
