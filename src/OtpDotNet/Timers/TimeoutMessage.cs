using Otp.Net.Terms;

namespace Otp.Net.Timers;

/// <summary><c>{timeout, TRef, Msg}</c>: delivered by a timer made with <c>start_timer</c> (OTP T1).</summary>
/// <param name="TimerRef">The timer's reference.</param>
/// <param name="Message">The message given when the timer was started.</param>
public sealed record TimeoutMessage(Ref TimerRef, object Message) : ITermConvertible
{
    private static readonly Atom Tag = Atom.Of("timeout");

    /// <inheritdoc />
    public object ToTerm() => TermTuple.Of(Tag, TimerRef, Message);

    /// <inheritdoc />
    public override string ToString() => TermFormatter.Format(this);
}
