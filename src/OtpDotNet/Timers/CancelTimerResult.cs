using Otp.Net.Terms;

namespace Otp.Net.Timers;

/// <summary>
/// <c>{cancel_timer, TRef, MsLeft | false}</c>: the answer to an asynchronous cancel (OTP T3).
/// </summary>
/// <param name="TimerRef">The timer's reference.</param>
/// <param name="RemainingMs">Milliseconds that were left, or null (<c>false</c>) when the timer had fired or was cancelled.</param>
public sealed record CancelTimerResult(Ref TimerRef, long? RemainingMs) : ITermConvertible
{
    /// <inheritdoc />
    public object ToTerm() => TermTuple.Of(Atom.Of("cancel_timer"), TimerRef, RemainingMs is { } ms ? ms : false);

    /// <inheritdoc />
    public override string ToString() => TermFormatter.Format(this);
}
