using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.GenServers;

/// <summary>
/// A failed call (G6): the caller exits with <c>{Reason, {Module, Function, Args}}</c>, e.g.
/// <c>{noproc, {gen_server, call, [S, Req]}}</c>. <see cref="CallReason"/> is the inner reason. The outcomes have their
/// own types: <see cref="CallNoProcException"/>, <see cref="CallServerExitedException"/> and
/// <see cref="CallReplyTypeException"/> derive from this class; a timeout is a <see cref="CallTimeoutException"/>, a
/// <see cref="TimeoutException"/>. This class itself is thrown for <c>calling_self</c>. All of them implement
/// <see cref="ICallFailure"/>: <c>catch (CallException)</c> catches every failed call except a timeout, and
/// <c>catch (Exception ex) when (ex is ICallFailure)</c> catches them all.
/// </summary>
public class CallException : OtpExitException, ICallFailure
{
    /// <summary>Creates the exception.</summary>
    public CallException(ExitReason callReason, string module, string function, TermList args)
        : base(ExitTerm(callReason, module, function, args), Describe(callReason, module, function))
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

    /// <summary>
    /// The exception for a call that failed with <paramref name="callReason"/>: <c>timeout</c> gives a
    /// <see cref="CallTimeoutException"/>, <c>noproc</c> a <see cref="CallNoProcException"/>, <c>calling_self</c> a
    /// <see cref="CallException"/>, a refused reply a <see cref="CallReplyTypeException"/>, any other reason (the
    /// server's exit) a <see cref="CallServerExitedException"/>.
    /// </summary>
    public static Exception For(ExitReason callReason, string module, string function, TermList args)
    {
        ArgumentNullException.ThrowIfNull(callReason);
        if (callReason == Timeout) return new CallTimeoutException(module, function, args);
        if (callReason == ExitReason.NoProc) return new CallNoProcException(module, function, args);
        if (callReason == CallingSelf) return new CallException(callReason, module, function, args);
        if (CallReplyTypeException.IsReplyTypeReason(callReason)) return new CallReplyTypeException(callReason, module, function, args);
        return new CallServerExitedException(callReason, module, function, args);
    }

    internal static ExitReason ExitTerm(ExitReason callReason, string module, string function, TermList args) =>
        ExitReason.Of(TermTuple.Of(callReason, TermTuple.Of(Atom.Of(module), Atom.Of(function), args)));

    internal static string Describe(ExitReason callReason, string module, string function) => $"{module}:{function} failed: {callReason}";
}
