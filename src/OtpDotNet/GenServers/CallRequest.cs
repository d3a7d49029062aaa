namespace Otp.Net.GenServers;

/// <summary>The envelope of a <c>call</c> in a server's mailbox.</summary>
internal sealed class CallRequest(object request, CallReply sink)
{
    public object Request { get; } = request;

    public CallReply Sink { get; } = sink;

    public override string ToString() => $"{{'$gen_call',{Terms.TermFormatter.Format(Request)}}}";
}
