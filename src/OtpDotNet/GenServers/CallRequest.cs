namespace Otp.Net.GenServers;

/// <summary>The envelope of a <c>call</c> in a server's mailbox.</summary>
internal sealed class CallRequest(object request, CallReply sink)
{
    public object Request { get; } = request;

    public CallReply Sink { get; } = sink;

    /// <summary>The sender's span, set only while Otp.Net's activity source has a listener: the server's span is its child.</summary>
    public System.Diagnostics.Activity? Trace { get; set; }

    public override string ToString() => $"{{'$gen_call',{Terms.TermFormatter.Format(Request)}}}";
}
