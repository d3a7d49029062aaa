
namespace Otp.Net.Terms;

/// <summary>
/// An old state could not be turned into a neutral term, or a term could not be mapped onto a type. Inside a
/// <c>CodeChange</c> it fails the change (the process keeps its old state and code, and an upgrade rolls back) with
/// <c>{bad_state, {Error, Member, Detail}}</c>.
/// </summary>
public sealed class StateMigrationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StateMigrationException(StateMigrationError error, string member, string detail)
        : base($"cannot migrate state: {error} at {(member.Length == 0 ? "<root>" : member)}: {detail}")
    {
        Error = error;
        Member = member;
        Detail = detail;
    }

    /// <summary>What went wrong.</summary>
    public StateMigrationError Error { get; }

    /// <summary>The member path where it went wrong, like <c>Events[3].Text</c> (empty for the state itself).</summary>
    public string Member { get; }

    /// <summary>A description of the problem.</summary>
    public string Detail { get; }

    /// <summary>The failure as a term: <c>{bad_state, {Error, Member, Detail}}</c>.</summary>
    public TermTuple ToTerm() =>
        TermTuple.Of(Atom.Of("bad_state"), TermTuple.Of(Atom.Of(Error.ToString()), Member, Detail));
}
