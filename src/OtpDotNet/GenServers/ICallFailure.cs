using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.GenServers;

/// <summary>
/// What every failed call has in common (G6), whichever exception carries it: <see cref="CallNoProcException"/>,
/// <see cref="CallTimeoutException"/> (a <see cref="TimeoutException"/>), <see cref="CallServerExitedException"/>,
/// <see cref="CallReplyTypeException"/>, or a plain <see cref="CallException"/> (<c>calling_self</c>). Catch any failed
/// call with <c>catch (Exception ex) when (ex is ICallFailure failure)</c>. When such an exception escapes a process's
/// code, the process exits with <see cref="Reason"/>, as an Erlang caller does.
/// </summary>
public interface ICallFailure
{
    /// <summary>OTP's exit term: <c>{CallReason, {Module, Function, Args}}</c>, e.g. <c>{timeout,{gen_server,call,[S,Req,5000]}}</c>.</summary>
    ExitReason Reason { get; }

    /// <summary>Why the call failed: <c>noproc</c>, <c>timeout</c>, <c>calling_self</c>, or the server's exit reason.</summary>
    ExitReason CallReason { get; }

    /// <summary>The module of the failed function (<c>gen_server</c>, <c>sys</c>, <c>proc_lib</c>, <c>supervisor</c>, ...).</summary>
    string Module { get; }

    /// <summary>The function (<c>call</c>, <c>get_state</c>, ...).</summary>
    string Function { get; }

    /// <summary>Its arguments, as OTP prints them.</summary>
    TermList Arguments { get; }
}
