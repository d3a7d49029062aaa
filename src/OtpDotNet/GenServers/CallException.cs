using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.GenServers;

/// <summary>
/// A failed call (G6): the caller exits with <c>{Reason, {Module, Function, Args}}</c>, e.g.
/// <c>{timeout, {gen_server, call, [S, Req, 5000]}}</c>. <see cref="CallReason"/> is the inner reason:
/// <c>noproc</c>, <c>timeout</c>, the server's exit reason, <c>normal</c>, or <c>calling_self</c>.
/// </summary>
public sealed class CallException : OtpExitException
{
    /// <summary>Creates the exception.</summary>
    public CallException(ExitReason callReason, string module, string function, TermList args)
        : base(ExitReason.Of(TermTuple.Of(callReason, TermTuple.Of(Atom.Of(module), Atom.Of(function), args))),
            $"{module}:{function} failed: {callReason}")
    {
        CallReason = callReason;
        Module = module;
        Function = function;
        Arguments = args;
    }

    /// <summary>Why the call failed: <c>noproc</c>, <c>timeout</c>, <c>calling_self</c>, or the server's exit reason.</summary>
    public ExitReason CallReason { get; }

    /// <summary>The module of the failed function (<c>gen_server</c>, <c>sys</c>, <c>proc_lib</c>, <c>supervisor</c>).</summary>
    public string Module { get; }

    /// <summary>The function (<c>call</c>, <c>get_state</c>, ...).</summary>
    public string Function { get; }

    /// <summary>Its arguments.</summary>
    public TermList Arguments { get; }

    /// <summary>The well-known reason <c>timeout</c>.</summary>
    public static ExitReason Timeout { get; } = ExitReason.Of(Atom.Of("timeout"));

    /// <summary>The well-known reason <c>calling_self</c>.</summary>
    public static ExitReason CallingSelf { get; } = ExitReason.Of(Atom.Of("calling_self"));
}
