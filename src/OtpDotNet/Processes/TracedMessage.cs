using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Otp.Net.Processes;

/// <summary>
/// A message sent with <c>Send</c> from inside a trace, in the mailbox: the message and the sender's span. Created only
/// while a listener is on Otp.Net's activity source and the sender has a current activity; every receive unwraps it
/// before its predicate sees the message, and keeps the span for the receiver (<see cref="LocalProcess.ReceivedTrace"/>).
/// </summary>
internal sealed class TracedMessage(object message, Activity trace)
{
    public object Message { get; } = message;

    public Activity Trace { get; } = trace;

    /// <summary>The message as its sender wrote it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static object Unwrap(object queued) => queued is TracedMessage traced ? traced.Message : queued;

    public override string ToString() => Message.ToString() ?? "";
}
