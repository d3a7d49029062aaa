using Otp.Net.Terms;

namespace Otp.Net.Processes;

/// <summary>
/// <c>{'EXIT', From, Reason}</c>: an exit signal delivered as a message to a process that traps exits (OTP P1.5).
/// </summary>
/// <param name="From">The process the signal came from (a dead link partner, or the sender of <c>exit/2</c>).</param>
/// <param name="Reason">The signal's reason.</param>
public sealed record ExitMessage(Pid From, ExitReason Reason) : ITermConvertible
{
    private static readonly Atom Tag = Atom.Of("EXIT");

    /// <inheritdoc />
    public object ToTerm() => TermTuple.Of(Tag, From, Reason);

    /// <inheritdoc />
    public override string ToString() => TermFormatter.Format(this);
}
