using Otp.Net.Processes;

namespace Otp.Net.Releases;

/// <summary>
/// An install failed and was rolled back: every process is back on its old version with its old state (or went back
/// through the newer version's down <c>CodeChange</c> if it had resumed), children and environment are restored and the
/// new code is unloaded. <see cref="Journal"/> lists the steps done and undone; <see cref="UndoFailures"/> is empty when
/// the rollback was complete.
/// </summary>
public sealed class ReleaseInstallException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ReleaseInstallException(string version, ReleaseStep? failedStep, string reason, Pid? process, IReadOnlyList<JournalEntry> journal, Exception? inner = null)
        : base($"install of release {version} failed{(failedStep is null ? "" : " at " + ReleaseSteps.Describe(failedStep))}: {reason}; rolled back", inner)
    {
        Version = version;
        FailedStep = failedStep;
        Reason = reason;
        Process = process;
        Journal = journal;
    }

    /// <summary>Creates the exception.</summary>
    public ReleaseInstallException()
        : this("?", null, "unknown", null, [])
    {
    }

    /// <summary>Creates the exception.</summary>
    public ReleaseInstallException(string message)
        : this("?", null, message, null, [])
    {
    }

    /// <summary>Creates the exception.</summary>
    public ReleaseInstallException(string message, Exception innerException)
        : this("?", null, message, null, [], innerException)
    {
    }

    /// <summary>The release that was being installed.</summary>
    public string Version { get; }

    /// <summary>The step that failed (a <see cref="HealthProbeStep"/> for the probe).</summary>
    public ReleaseStep? FailedStep { get; }

    /// <summary>Why it failed, e.g. <c>{code_change_failed, Pid, Mod, OldVsn, Why}</c> (R6's reason, as text).</summary>
    public string Reason { get; }

    /// <summary>The process that failed the step, if one did.</summary>
    public Pid? Process { get; }

    /// <summary>Every step done, failed and undone, in order.</summary>
    public IReadOnlyList<JournalEntry> Journal { get; }

    /// <summary>Undo steps that failed (an incomplete rollback); empty when the rollback was complete.</summary>
    public IReadOnlyList<JournalEntry> UndoFailures => Journal.Where(j => j.Outcome == StepOutcome.UndoFailed).ToArray();
}
