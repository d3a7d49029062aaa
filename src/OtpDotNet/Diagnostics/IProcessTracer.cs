using Otp.Net.Processes;

namespace Otp.Net.Diagnostics;

/// <summary>
/// Receives process lifecycle events synchronously (like <c>erlang:trace(Pid, true, [procs])</c>).
/// <see cref="OnExit"/> runs in the dying process's exit path <b>before</b> its links and monitors are signalled,
/// so a tracer always learns of a death before anything the death causes. Keep implementations fast and non-throwing.
/// </summary>
public interface IProcessTracer
{
    /// <summary>A process was created.</summary>
    void OnSpawn(Pid pid, Pid parent);

    /// <summary>A process ended with <paramref name="reason"/>; its links and monitors have not been signalled yet.</summary>
    void OnExit(Pid pid, ExitReason reason);
}
