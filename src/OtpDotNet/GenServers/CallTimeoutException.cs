using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.GenServers;

/// <summary>
/// A call that got no reply in time (G5, G6 <c>timeout</c>): a <see cref="TimeoutException"/> that also carries OTP's exit
/// term, <c>{timeout, {gen_server, call, [S, Req, T]}}</c> (<see cref="Reason"/>). The request is not cancelled: the
/// server still handles it and its late reply is dropped (G7). Not a <see cref="CallException"/> (a .NET class has one
/// base); catch every failed call through <see cref="ICallFailure"/>. Escaping a process's code, it ends the process
/// with <see cref="Reason"/>.
/// </summary>
public sealed class CallTimeoutException : TimeoutException, ICallFailure, IExitCarrier
{
    /// <summary>Creates the exception.</summary>
    public CallTimeoutException(string module, string function, TermList args)
        : base(CallException.Describe(CallException.Timeout, module, function))
    {
        Module = module;
        Function = function;
        Arguments = args;
        Reason = CallException.ExitTerm(CallException.Timeout, module, function, args);
    }

    /// <inheritdoc />
    public ExitReason Reason { get; }

    /// <summary>Always <c>timeout</c>.</summary>
    public ExitReason CallReason => CallException.Timeout;

    /// <inheritdoc />
    public string Module { get; }

    /// <inheritdoc />
    public string Function { get; }

    /// <inheritdoc />
    public TermList Arguments { get; }
}
