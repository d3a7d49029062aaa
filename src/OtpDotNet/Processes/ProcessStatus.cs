namespace Otp.Net.Processes;

/// <summary>What a process is doing, as <c>process_info(Pid, status)</c> reports it.</summary>
public enum ProcessStatus
{
    /// <summary>Runnable or running code.</summary>
    Running,

    /// <summary>Waiting in a receive.</summary>
    Waiting,

    /// <summary>Suspended by <c>sys:suspend</c>: serves only system messages.</summary>
    Suspended,

    /// <summary>Ended.</summary>
    Exited,
}
