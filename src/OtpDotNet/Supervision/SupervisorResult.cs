using Otp.Net.Terms;

namespace Otp.Net.Supervision;

/// <summary>The result of a supervisor operation that answers <c>ok</c> or <c>{error, Reason}</c> (U14, U16).</summary>
/// <param name="Term">The term returned.</param>
public sealed record SupervisorResult(object Term) : ITermConvertible
{
    internal static readonly SupervisorResult Ok = new(Atom.Of("ok"));

    /// <summary>True for <c>ok</c>.</summary>
    public bool IsOk => Term is Atom a && a.Name == "ok";

    internal static SupervisorResult Error(string reason) => new(TermTuple.Of(Atom.Of("error"), Atom.Of(reason)));

    /// <inheritdoc />
    public object ToTerm() => Term;

    /// <inheritdoc />
    public override string ToString() => TermFormatter.Format(Term);
}
