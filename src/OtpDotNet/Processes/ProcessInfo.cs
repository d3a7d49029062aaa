using Otp.Net.Terms;

namespace Otp.Net.Processes;

/// <summary>A snapshot of a live process (<c>process_info/1</c>).</summary>
/// <param name="Pid">The process.</param>
/// <param name="Status">What it is doing.</param>
/// <param name="MessageQueueLength">Messages waiting in its mailbox.</param>
/// <param name="Links">Processes linked to it.</param>
/// <param name="Monitors">Monitors it holds: reference and monitored process.</param>
/// <param name="MonitoredBy">How many monitors are held on it, counting callers still waiting for its reply (OTP monitors the server for each call).</param>
/// <param name="RegisteredName">Its registered name, if any.</param>
/// <param name="TrapExit">Whether it traps exits.</param>
/// <param name="CurrentModule">The behaviour module it runs, if any (e.g. a GenServer's type and version).</param>
/// <param name="Parent">Its parent, or undefined.</param>
public sealed record ProcessInfo(
    Pid Pid,
    ProcessStatus Status,
    int MessageQueueLength,
    IReadOnlyList<Pid> Links,
    IReadOnlyList<(Ref Ref, Pid Pid)> Monitors,
    int MonitoredBy,
    string? RegisteredName,
    bool TrapExit,
    string? CurrentModule,
    Pid Parent)
{
    /// <summary>Messages it has taken from its mailbox since it started.</summary>
    public long MessagesReceived { get; init; }

    /// <summary>The module it runs, without the version (null for a plain process).</summary>
    public string? Module { get; init; }

    /// <summary>The version of <see cref="Module"/> it is bound to, for a module loaded by the code server.</summary>
    public string? ModuleVersion { get; init; }

    /// <summary>The application it belongs to, if any.</summary>
    public string? Application { get; init; }

    /// <summary>The behaviour it runs, as <c>sys:get_status</c> names it (<c>gen_server</c>, <c>supervisor</c>), or null for a plain process.</summary>
    public string? Behaviour { get; init; }

    /// <summary>Whether its module is marked <see cref="Diagnostics.ExposeStatusAttribute"/>: tools may show its <c>FormatStatus</c>.</summary>
    public bool StatusExposed { get; init; }
}
