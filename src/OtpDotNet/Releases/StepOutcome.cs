namespace Otp.Net.Releases;

/// <summary>What became of a step in an install's journal.</summary>
public enum StepOutcome
{
    /// <summary>The step ran.</summary>
    Done,

    /// <summary>The step failed; the install rolls back.</summary>
    Failed,

    /// <summary>The step had run and was undone by the rollback.</summary>
    Undone,

    /// <summary>Undoing the step failed (see the detail); the rollback went on with the other steps.</summary>
    UndoFailed,
}
