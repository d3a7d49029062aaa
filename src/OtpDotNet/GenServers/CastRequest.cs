namespace Otp.Net.GenServers;

/// <summary>The envelope of a <c>cast</c> in a server's mailbox.</summary>
internal sealed class CastRequest(object request)
{
    public object Request { get; } = request;

    /// <summary>The sender's span, set only while Otp.Net's activity source has a listener: the server's span is its child.</summary>
    public System.Diagnostics.Activity? Trace { get; set; }

    public override string ToString() => $"{{'$gen_cast',{Terms.TermFormatter.Format(Request)}}}";
}
