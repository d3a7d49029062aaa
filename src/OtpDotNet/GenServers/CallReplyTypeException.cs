using Otp.Net.Terms;

namespace Otp.Net.GenServers;

/// <summary>
/// A typed call (<see cref="ICall{TReply}"/>, or <see cref="GenServer.CallAsync{T}(ServerRef, object, TimeSpan?, CancellationToken)"/>)
/// got a reply of another type. <see cref="CallException.CallReason"/> is
/// <c>{bad_reply_type, Expected, Actual}</c> with the two type names. The server refused to send the reply: it keeps
/// running with the state its callback returned, and logs the mismatch as an error (event 1003,
/// <c>BadReplyType</c>), since the bug is in the server's code.
/// </summary>
public sealed class CallReplyTypeException : CallException
{
    internal static readonly Atom BadReplyType = Atom.Of("bad_reply_type");

    /// <summary>Creates the exception from its reason <c>{bad_reply_type, Expected, Actual}</c>.</summary>
    public CallReplyTypeException(Processes.ExitReason callReason, string module, string function, TermList args)
        : base(callReason, module, function, args)
    {
        var t = callReason?.Term as TermTuple;
        ExpectedType = t is { Length: 3 } ? t[1] as string ?? "?" : "?";
        ReplyType = t is { Length: 3 } ? t[2] as string ?? "?" : "?";
    }

    /// <summary>The reply type the caller expected (full name).</summary>
    public string ExpectedType { get; }

    /// <summary>The type of the reply the server gave (full name, or <c>null</c> for a null reply).</summary>
    public string ReplyType { get; }

    internal static Processes.ExitReason ReasonFor(Type expected, object? reply) =>
        Processes.ExitReason.Of(TermTuple.Of(BadReplyType, expected.FullName ?? expected.Name, reply?.GetType().FullName ?? "null"));

    internal static bool IsReplyTypeReason(Processes.ExitReason reason) =>
        reason.Term is TermTuple { Length: 3 } t && t[0] is Atom a && a == BadReplyType;
}
