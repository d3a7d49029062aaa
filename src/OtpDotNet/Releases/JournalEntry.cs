namespace Otp.Net.Releases;

/// <summary>One line of an install's journal, also published live on <see cref="ReleaseHandler.WatchAsync"/>.</summary>
/// <param name="Version">The release being installed.</param>
/// <param name="Index">The step's position in the install's step list (-1 for the health probe and the commit).</param>
/// <param name="Step">The step.</param>
/// <param name="Outcome">Done, failed, undone, or undo failed.</param>
/// <param name="Detail">What the step touched or why it failed.</param>
/// <param name="Elapsed">How long it took.</param>
public sealed record JournalEntry(string Version, int Index, ReleaseStep Step, StepOutcome Outcome, string Detail, TimeSpan Elapsed)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Index,3} {Outcome,-10} {ReleaseSteps.Describe(Step)}{(Detail.Length > 0 ? " — " + Detail : "")} ({Elapsed.TotalMilliseconds:0.0} ms)";
}
