namespace Otp.Net.GenServers;

/// <summary>A system message (sys protocol) in a behaviour process's mailbox.</summary>
internal sealed class SystemRequest(SystemOp op, CallReply sink, object? arg = null, object? arg2 = null, object? arg3 = null)
{
    public SystemOp Op { get; } = op;

    public CallReply Sink { get; } = sink;

    public object? Arg { get; } = arg;

    public object? Arg2 { get; } = arg2;

    public object? Arg3 { get; } = arg3;

    public override string ToString() => $"{{system,{Op}}}";
}
