namespace Otp.Net.Dashboard;

#pragma warning disable CA1819 // DTOs serialized to JSON

/// <summary>The node view: <c>GET {prefix}/api/node</c>.</summary>
public sealed record NodeView(
    DateTimeOffset StartedAt,
    double UptimeSeconds,
    int ProcessCount,
    long MailboxTotal,
    int MailboxMax,
    int RegisteredNames,
    GcView Gc,
    ThreadPoolView ThreadPool,
    IReadOnlyList<MeterValue> Meter,
    CapabilityView Capabilities,
    bool Releases);

/// <summary>The node's instruments and the host's runtime figures: <c>GET {prefix}/api/metrics</c>.</summary>
public sealed record MetricsView(IReadOnlyList<MeterValue> Meter, GcView Gc, ThreadPoolView ThreadPool);

/// <summary>Garbage collector figures of the host process.</summary>
public sealed record GcView(int Gen0, int Gen1, int Gen2, long HeapBytes, double PauseTimePercent, long AllocatedBytes);

/// <summary>Thread pool figures of the host process.</summary>
public sealed record ThreadPoolView(int Threads, long PendingWorkItems, long CompletedWorkItems);

/// <summary>One measurement of the <c>OtpDotNet</c> meter.</summary>
public sealed record MeterValue(string Name, double Value, string? Unit);

/// <summary>What the requesting user may do.</summary>
public sealed record CapabilityView(bool Operate, bool Upgrade);

/// <summary>A running application.</summary>
public sealed record ApplicationView(string Name, string Version, string Description, string? Supervisor);

/// <summary>A supervision tree, under its application if it has one.</summary>
public sealed record TreeView(string? Application, TreeNodeView Root);

/// <summary>A node of a supervision tree (supervisor fields are null for workers).</summary>
public sealed record TreeNodeView(
    string? Id,
    string? Pid,
    string Type,
    string Restart,
    string Status,
    string? Module,
    string? Version,
    string? LastExitReason,
    int Restarts,
    string? Strategy,
    int? Intensity,
    int? Period,
    int? RestartsInWindow,
    int? BudgetLeft,
    IReadOnlyList<TreeNodeView> Children);

/// <summary>A row of the processes view.</summary>
public record ProcessRow(
    string Pid,
    string? Name,
    string? Module,
    string? Version,
    string Status,
    int MessageQueueLength,
    long MessagesReceived,
    double MessageRate,
    bool Suspended,
    bool OldCode,
    string? Application);

/// <summary>A monitor a process holds.</summary>
public sealed record MonitorView(string Ref, string Pid);

/// <summary>One process: <c>GET {prefix}/api/processes/{pid}</c>.</summary>
public sealed record ProcessDetail(
    string Pid,
    string? Name,
    string? Module,
    string? Version,
    string Status,
    int MessageQueueLength,
    long MessagesReceived,
    double MessageRate,
    bool Suspended,
    bool OldCode,
    string? Application,
    IReadOnlyList<string> Links,
    IReadOnlyList<MonitorView> Monitors,
    int MonitoredBy,
    bool TrapExit,
    string? Parent,
    bool StateVisible,
    string? State)
    : ProcessRow(Pid, Name, Module, Version, Status, MessageQueueLength, MessagesReceived, MessageRate, Suspended, OldCode, Application);

/// <summary>A version of a module and the processes on it.</summary>
public sealed record ModuleVersionView(string Version, string Status, IReadOnlyList<string> Processes);

/// <summary>A module file the code view offers as an upgrade.</summary>
public sealed record ModuleFileView(string File, string Version);

/// <summary>A module: <c>GET {prefix}/api/modules</c>.</summary>
public sealed record ModuleView(string Module, IReadOnlyList<ModuleVersionView> Versions, IReadOnlyList<string> PinnedBy, IReadOnlyList<ModuleFileView> Available);

/// <summary>A release known to the node.</summary>
public sealed record ReleaseView(string Name, string Version, string Status);

/// <summary>The releases view: <c>GET {prefix}/api/releases</c>.</summary>
public sealed record ReleasesView(bool Enabled, string? Current, IReadOnlyList<ReleaseView> Releases, IReadOnlyList<JournalView> Journal);

/// <summary>A step of a release install.</summary>
public sealed record JournalView(string Version, int Index, string Step, string Outcome, string Detail, double ElapsedMs);

/// <summary>The instructions an install of a version would run: <c>GET {prefix}/api/releases/{version}/plan</c>.</summary>
public sealed record PlanView(string From, string To, string Direction, IReadOnlyList<string> Instructions)
{
    /// <summary>The rehearsal's result for each process the install would change.</summary>
    public IReadOnlyList<ProcessRehearsalView> Processes { get; init; } = [];

    /// <summary>What would make the install fail.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>What the install would do that deserves a look.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>How one process took the rehearsal of a code change.</summary>
public sealed record ProcessRehearsalView(string Module, string Pid, bool Ok, string? Error);

/// <summary>A report logged by the node.</summary>
public sealed record ReportView(long Seq, DateTimeOffset Time, string Level, string Category, string? Event, string Message);

/// <summary>The result of an action.</summary>
public sealed record ActionResult(bool Ok, string? Result, string? Error);
