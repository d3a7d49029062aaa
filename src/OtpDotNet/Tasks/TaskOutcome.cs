using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Tasks;

/// <summary>What <see cref="OtpTask.YieldAsync"/> and <see cref="OtpTask.ShutdownAsync"/> return: <c>{ok, Result}</c> or <c>{exit, Reason}</c> (null is <c>nil</c>).</summary>
/// <param name="IsOk">True for <c>{ok, Result}</c>.</param>
/// <param name="Value">The result, for ok.</param>
/// <param name="Reason">The exit reason, for exit.</param>
public sealed record TaskOutcome(bool IsOk, object? Value, ExitReason? Reason) : ITermConvertible
{
    /// <inheritdoc />
    public object ToTerm() => IsOk ? TermTuple.Of(Atom.Of("ok"), Value) : TermTuple.Of(Atom.Of("exit"), Reason);
}
