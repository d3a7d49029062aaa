namespace Otp.Net.Processes;

/// <summary>
/// A timer aimed at a process (<c>erlang:send_after/3</c> to a pid): the process keeps it while it is pending and
/// cancels it when it exits, since a timer dies with the process it targets (OTP T4). The timers layer implements it,
/// so processes never depend on that layer.
/// </summary>
internal interface IProcessTimer
{
    /// <summary>Cancels the timer because its target process exited; it never fires.</summary>
    void CancelAtExit();
}
