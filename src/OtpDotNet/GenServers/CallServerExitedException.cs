using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.GenServers;

/// <summary>
/// The server ended before it replied (G6): it crashed while handling the call, stopped (<c>normal</c> included), or
/// was killed. <see cref="CallException.CallReason"/> is the server's exit reason; the caller's exit term is
/// <c>{Reason, {gen_server, call, [S, Req]}}</c> (<see cref="OtpExitException.Reason"/>).
/// </summary>
public sealed class CallServerExitedException : CallException
{
    /// <summary>Creates the exception for a server that exited with <paramref name="serverReason"/>.</summary>
    public CallServerExitedException(ExitReason serverReason, string module, string function, TermList args)
        : base(serverReason, module, function, args)
    {
    }

    /// <summary>The server's exit reason (the same as <see cref="CallException.CallReason"/>).</summary>
    public ExitReason ServerReason => CallReason;
}
