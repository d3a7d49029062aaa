namespace Otp.Net.Releases;

/// <summary>One line of a node's answer to a <see cref="ControlRequest"/>.</summary>
/// <param name="Kind">A journal entry, the result, or an error.</param>
/// <param name="Text">The line for a person: a journal entry, a summary of the result, or the error's message.</param>
public sealed record ControlReply(ControlReplyKind Kind, string Text)
{
    /// <summary>Why the command failed (<see cref="ControlReplyKind.Error"/>).</summary>
    public ReleaseErrorKind? Error { get; init; }

    /// <summary>The releases and their statuses after the command (results of every command but a rehearsal).</summary>
    public IReadOnlyList<ReleaseInfo>? Releases { get; init; }

    /// <summary>A journal entry's outcome (<see cref="ControlReplyKind.Journal"/>).</summary>
    public StepOutcome? Outcome { get; init; }

    /// <summary>A rehearsal's problems, or the failed install's journal of what was undone: each line for a person.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>A rehearsal's warnings.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Whether this is the last line of the answer.</summary>
    public bool IsFinal => Kind != ControlReplyKind.Journal;
}
