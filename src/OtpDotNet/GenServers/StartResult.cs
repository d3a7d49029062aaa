using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.GenServers;

/// <summary>
/// The result of starting a behaviour process (G1): <c>{ok, Pid}</c>, <c>ignore</c> or <c>{error, Reason}</c>
/// (including <c>{error, {already_started, Pid}}</c> for a taken name).
/// </summary>
/// <param name="Outcome">Which of the three.</param>
/// <param name="Pid">The new process, for <see cref="StartOutcome.Ok"/>; the owner of the name for already-started.</param>
/// <param name="Error">The reason, for <see cref="StartOutcome.Error"/>.</param>
public sealed record StartResult(StartOutcome Outcome, Pid Pid, ExitReason? Error) : ITermConvertible
{
    /// <summary>True for <c>{ok, Pid}</c>.</summary>
    public bool IsOk => Outcome == StartOutcome.Ok;

    /// <summary><c>{ok, Pid}</c>.</summary>
    public static StartResult Ok(Pid pid) => new(StartOutcome.Ok, pid, null);

    /// <summary><c>ignore</c>.</summary>
    public static StartResult Ignore { get; } = new(StartOutcome.Ignore, default, null);

    /// <summary><c>{error, Reason}</c>.</summary>
    public static StartResult Failed(ExitReason reason) => new(StartOutcome.Error, default, reason);

    /// <summary><c>{error, {already_started, Pid}}</c>.</summary>
    public static StartResult AlreadyStarted(Pid owner) =>
        new(StartOutcome.Error, owner, ExitReason.Of(TermTuple.Of(Atom.Of("already_started"), owner)));

    /// <summary>The pid of a successful start; throws <see cref="OtpExitException"/> with the error otherwise.</summary>
    public Pid GetPidOrThrow() => Outcome switch
    {
        StartOutcome.Ok => Pid,
        StartOutcome.Ignore => throw new OtpExitException(ExitReason.Of(Atom.Of("ignore")), "the process's init returned ignore"),
        _ => throw new OtpExitException(Error!, $"start failed: {Error}"),
    };

    /// <inheritdoc />
    public object ToTerm() => Outcome switch
    {
        StartOutcome.Ok => TermTuple.Of(Atom.Of("ok"), Pid),
        StartOutcome.Ignore => Atom.Of("ignore"),
        _ => TermTuple.Of(Atom.Of("error"), Error),
    };

    /// <inheritdoc />
    public override string ToString() => TermFormatter.Format(this);
}
