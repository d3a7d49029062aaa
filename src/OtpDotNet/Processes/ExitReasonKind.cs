namespace Otp.Net.Processes;

/// <summary>The shape of an <see cref="ExitReason"/>.</summary>
public enum ExitReasonKind
{
    /// <summary><c>normal</c>: the process finished its work.</summary>
    Normal,

    /// <summary><c>kill</c>: the untrappable signal sent with <c>exit(Pid, kill)</c>.</summary>
    Kill,

    /// <summary><c>killed</c>: the reason of a process that received <c>kill</c>.</summary>
    Killed,

    /// <summary><c>shutdown</c> or <c>{shutdown, Term}</c>: an orderly stop requested by a supervisor or the process itself.</summary>
    Shutdown,

    /// <summary><c>noproc</c>: the target process did not exist.</summary>
    NoProc,

    /// <summary>An exception escaped the process's code.</summary>
    Error,

    /// <summary>Any other term.</summary>
    Custom,
}
