namespace Otp.Net.GenServers;

/// <summary>The envelope of a <c>cast</c> in a server's mailbox.</summary>
internal sealed class CastRequest(object request)
{
    public object Request { get; } = request;

    public override string ToString() => $"{{'$gen_cast',{Terms.TermFormatter.Format(Request)}}}";
}
