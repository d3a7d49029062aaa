using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.GenServers;

/// <summary>
/// The outcome of waiting for (or checking) the response to an asynchronous request (OTP 25's
/// <c>receive_response</c>, <c>wait_response</c>, <c>check_response</c>): a reply, the server's end with its reason,
/// a timeout, no response yet, or an empty collection. For a request taken from a <see cref="RequestIdCollection"/>,
/// <see cref="Request"/> and <see cref="Label"/> say which one it was.
/// </summary>
public sealed class ServerResponse : ITermConvertible
{
    private ServerResponse(ResponseKind kind, object? reply, ExitReason? reason, RequestId? request, object? label)
    {
        Kind = kind;
        Reply = reply;
        Reason = reason;
        Request = request;
        Label = label;
    }

    /// <summary><c>timeout</c>.</summary>
    public static ServerResponse Timeout { get; } = new(ResponseKind.Timeout, null, null, null, null);

    /// <summary><c>no_reply</c>.</summary>
    public static ServerResponse NoReply { get; } = new(ResponseKind.NoReply, null, null, null, null);

    /// <summary><c>no_request</c>.</summary>
    public static ServerResponse NoRequest { get; } = new(ResponseKind.NoRequest, null, null, null, null);

    /// <summary>Which outcome this is.</summary>
    public ResponseKind Kind { get; }

    /// <summary>True for <see cref="ResponseKind.Reply"/>.</summary>
    public bool IsReply => Kind == ResponseKind.Reply;

    /// <summary>The server's reply (for <see cref="ResponseKind.Reply"/>).</summary>
    public object? Reply { get; }

    /// <summary>Why the server ended before replying (for <see cref="ResponseKind.Down"/>): its exit reason, or <c>noproc</c>.</summary>
    public ExitReason? Reason { get; }

    /// <summary>The request this responds to (for a reply or a down).</summary>
    public RequestId? Request { get; }

    /// <summary>The request's label in the collection it was taken from (null for a single request).</summary>
    public object? Label { get; }

    internal static ServerResponse Replied(object? reply, RequestId request) => new(ResponseKind.Reply, reply, null, request, null);

    internal static ServerResponse Failed(ExitReason reason, RequestId request) => new(ResponseKind.Down, null, reason, request, null);

    internal ServerResponse WithLabel(object? label) => new(Kind, Reply, Reason, Request, label);

    /// <summary>
    /// The reply cast to <typeparamref name="T"/>; a <see cref="ResponseKind.Down"/> or <see cref="ResponseKind.Timeout"/>
    /// throws the <see cref="CallException"/> a call would have thrown (reason, or <c>timeout</c>).
    /// </summary>
    /// <exception cref="CallException">The server ended before replying, or the wait timed out.</exception>
    /// <exception cref="InvalidOperationException">No response at all (<see cref="ResponseKind.NoReply"/> or <see cref="ResponseKind.NoRequest"/>).</exception>
    public T GetReply<T>() => Kind switch
    {
        ResponseKind.Reply => (T)Reply!,
        ResponseKind.Down => throw new CallException(Reason!, "gen_server", "receive_response", new TermList(Request!.Server.ToTerm())),
        ResponseKind.Timeout => throw new CallException(CallException.Timeout, "gen_server", "receive_response", new TermList()),
        _ => throw new InvalidOperationException($"no response: {this}"),
    };

    /// <summary><c>{reply, Reply}</c>, <c>{error, {Reason, ServerRef}}</c>, <c>timeout</c>, <c>no_reply</c> or <c>no_request</c> (with a label: <c>{Response, Label}</c>).</summary>
    public object ToTerm()
    {
        object term = Kind switch
        {
            ResponseKind.Reply => TermTuple.Of(Atom.Of("reply"), Reply),
            ResponseKind.Down => TermTuple.Of(Atom.Of("error"), TermTuple.Of(Reason, Request!.Server.ToTerm())),
            ResponseKind.Timeout => Atom.Of("timeout"),
            ResponseKind.NoReply => Atom.Of("no_reply"),
            _ => Atom.Of("no_request"),
        };
        return Request is not null && Label is not null ? TermTuple.Of(term, Label) : term;
    }

    /// <inheritdoc />
    public override string ToString() => TermFormatter.Format(this);
}
