using Otp.Net.Processes;

namespace Otp.Net.Supervision;

/// <summary>
/// A supervisor's state as tools show it (<see cref="Supervisor.GetStatusAsync"/>): its flags, the restarts counted in
/// the current period against its intensity (U7), and its children with their restart counts and last exits.
/// </summary>
/// <param name="Flags">Strategy, intensity, period and auto shutdown.</param>
/// <param name="RestartsInPeriod">Restarts within the last <see cref="SupervisorFlags.PeriodSeconds"/>; one more than <see cref="SupervisorFlags.Intensity"/> stops the supervisor.</param>
/// <param name="Children">Its children in start order (the order they are started in and stopped in reverse), oldest first.</param>
public sealed record SupervisorStatus(SupervisorFlags Flags, int RestartsInPeriod, IReadOnlyList<ChildStatus> Children)
{
    /// <summary>Restarts left before the next one stops the supervisor: intensity minus the restarts in the period.</summary>
    public int RestartsLeft => Math.Max(0, Flags.Intensity - RestartsInPeriod);
}

/// <summary>One child in a <see cref="SupervisorStatus"/>.</summary>
/// <param name="Info">The child as <c>which_children</c> reports it.</param>
/// <param name="Restarts">How many times the supervisor restarted it.</param>
/// <param name="LastExit">Its last exit reason as the supervisor received it, or null if it has not exited.</param>
public sealed record ChildStatus(ChildInfo Info, int Restarts, ExitReason? LastExit);
