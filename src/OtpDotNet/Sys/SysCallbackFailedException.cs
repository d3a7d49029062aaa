using Otp.Net.Processes;

namespace Otp.Net.Sys;

/// <summary>
/// S2: the function given to replace_state threw. The process's state is unchanged. Erlang raises the error
/// <c>{callback_failed, {gen_server, system_replace_state}, {Class, Reason}}</c>.
/// </summary>
public sealed class SysCallbackFailedException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public SysCallbackFailedException(ExceptionInfo failure)
        : base($"callback_failed: replace_state function threw {failure}") => Failure = failure;

    /// <summary>What the function threw.</summary>
    public ExceptionInfo Failure { get; }
}
