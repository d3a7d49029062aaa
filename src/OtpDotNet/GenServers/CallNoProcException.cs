using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.GenServers;

/// <summary>
/// A call to a server that does not exist (G6 <c>noproc</c>): a dead pid or a name nobody has registered. The caller's
/// exit term is <c>{noproc, {gen_server, call, [S, Req]}}</c> (<see cref="OtpExitException.Reason"/>). Nothing was sent.
/// </summary>
public sealed class CallNoProcException : CallException
{
    /// <summary>Creates the exception.</summary>
    public CallNoProcException(string module, string function, TermList args)
        : base(ExitReason.NoProc, module, function, args)
    {
    }
}
