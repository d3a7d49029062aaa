namespace Otp.Net.Processes;

/// <summary>
/// Thrown into a process's code when it waits after the process has already exited (killed, or ended by an
/// exit signal). It unwinds the abandoned code; the process's exit reason was fixed when it died.
/// </summary>
public sealed class ProcessExitedException : OperationCanceledException
{
    /// <summary>Creates the exception.</summary>
    public ProcessExitedException()
        : base("The process has exited.")
    {
    }
}
