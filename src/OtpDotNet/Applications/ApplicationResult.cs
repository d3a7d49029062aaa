using Otp.Net.Terms;

namespace Otp.Net.Applications;

/// <summary>The result of an application controller operation: <c>ok</c> or <c>{error, Reason}</c> (A2, A3, A5).</summary>
/// <param name="Term">The term returned.</param>
public sealed record ApplicationResult(object Term) : ITermConvertible
{
    internal static readonly ApplicationResult Ok = new(Atom.Of("ok"));

    /// <summary>True for <c>ok</c>.</summary>
    public bool IsOk => Term is Atom a && a.Name == "ok";

    internal static ApplicationResult Error(object reason) => new(TermTuple.Of(Atom.Of("error"), reason));

    /// <inheritdoc />
    public object ToTerm() => Term;

    /// <inheritdoc />
    public override string ToString() => TermFormatter.Format(Term);
}
