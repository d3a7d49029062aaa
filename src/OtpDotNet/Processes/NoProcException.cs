namespace Otp.Net.Processes;

/// <summary>
/// Erlang's error <c>noproc</c>: raised by <see cref="ProcessContext.Link(Pid)"/> when the target does not exist
/// and the caller does not trap exits (OTP P3.2).
/// </summary>
public sealed class NoProcException : InvalidOperationException
{
    /// <summary>Creates the exception for <paramref name="pid"/>.</summary>
    public NoProcException(Pid pid)
        : base($"noproc: {pid} is not alive") => Pid = pid;

    /// <summary>The process that did not exist.</summary>
    public Pid Pid { get; }
}
