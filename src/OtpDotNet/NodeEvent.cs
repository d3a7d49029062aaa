using Otp.Net.Processes;
using Otp.Net.Releases;

namespace Otp.Net;

/// <summary>A change in a node, as <see cref="NodeEvents"/> reports it; which properties are set depends on <see cref="Kind"/>.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Time">When, on the node's clock.</param>
public sealed record NodeEvent(NodeEventKind Kind, DateTimeOffset Time)
{
    /// <summary>The process concerned (spawned, exited, suspended, resumed; the new child of a restart).</summary>
    public Pid Pid { get; init; }

    /// <summary>A spawned process's parent; the supervisor of a restart.</summary>
    public Pid Parent { get; init; }

    /// <summary>The module concerned, or the module a spawned process runs when known.</summary>
    public string? Module { get; init; }

    /// <summary>The module version concerned.</summary>
    public string? Version { get; init; }

    /// <summary>An exit reason, formatted as OTP prints it.</summary>
    public string? Reason { get; init; }

    /// <summary>The id of a restarted child.</summary>
    public string? ChildId { get; init; }

    /// <summary>Restarts counted in the supervisor's current period, this one included.</summary>
    public int Restarts { get; init; }

    /// <summary>The supervisor's restart intensity.</summary>
    public int Intensity { get; init; }

    /// <summary>What an upgrade step did.</summary>
    public string? Detail { get; init; }

    /// <summary>The journal entry of a release step.</summary>
    public JournalEntry? Journal { get; init; }

    /// <summary>The report of a <see cref="NodeEventKind.Report"/>.</summary>
    public LogReport? Report { get; init; }
}

/// <summary>A report the node logged.</summary>
/// <param name="Level">Its level.</param>
/// <param name="Category">The logger category, like <c>Otp.Net.Supervisor</c>.</param>
/// <param name="EventId">The event id (see the EventIds of the reports in the README).</param>
/// <param name="EventName">The event name, like <c>ChildTerminated</c>.</param>
/// <param name="Message">The formatted message.</param>
/// <param name="Exception">The exception logged with it, as text, or null.</param>
public sealed record LogReport(Microsoft.Extensions.Logging.LogLevel Level, string Category, int EventId, string? EventName, string Message, string? Exception);
