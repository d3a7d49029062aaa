namespace Otp.Net.GenServers;

/// <summary>The system messages every behaviour process serves (the sys protocol).</summary>
internal enum SystemOp
{
    GetState,
    ReplaceState,
    Suspend,
    Resume,
    GetStatus,
    ChangeCode,
    Statistics,
    Trace,
    Terminate,
    Rebind,
    RevertCode,

    /// <summary>
    /// Runs a code change to a given (staged) version on a copy and reports what it would do (<see cref="RehearsalOutcome"/>),
    /// suspended or not, changing nothing.
    /// </summary>
    RehearseChange,

    /// <summary>The state as <c>FormatStatus</c> shows it, printed as text inside the process (tools: nothing of the live state leaves it).</summary>
    FormatStatus,
}
