namespace Otp.Net.Releases;

/// <summary>
/// What <see cref="ReleaseHandler.CheckInstallAsync"/> found: the steps the install would run, every process each
/// step touches and how the new code's change went on a copy of its state, each supervisor's child diff, and every
/// problem found, before anything live changed.
/// </summary>
public sealed record RehearsalReport(string FromVersion, string ToVersion, ChangeDirection Direction, IReadOnlyList<ReleaseStep> Steps)
{
    /// <summary>Every process an update would suspend and change, with its rehearsed code change.</summary>
    public IReadOnlyList<ProcessRehearsal> Processes { get; init; } = [];

    /// <summary>Each updated supervisor's child diff.</summary>
    public IReadOnlyList<SupervisorRehearsal> Supervisors { get; init; } = [];

    /// <summary>Problems that would fail the install (an empty list: the install would proceed).</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>Warnings: what the install would do that loses something (e.g. processes a purge would kill).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>True when no problem was found.</summary>
    public bool IsOk => Problems.Count == 0;
}
