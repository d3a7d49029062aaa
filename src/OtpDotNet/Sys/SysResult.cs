using Otp.Net.Terms;

namespace Otp.Net.Sys;

/// <summary>The result of a sys operation that answers <c>ok</c> or <c>{error, Reason}</c> (e.g. change_code, S5).</summary>
/// <param name="Term">The term returned.</param>
public sealed record SysResult(object Term)
{
    /// <summary>True for <c>ok</c>.</summary>
    public bool IsOk => Term is Atom a && a.Name == "ok";

    /// <inheritdoc />
    public override string ToString() => TermFormatter.Format(Term);
}
