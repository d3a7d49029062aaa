using Otp.Net.Terms;

namespace Otp.Net.Processes;

/// <summary>
/// <c>{'DOWN', Ref, process, Pid, Reason}</c>: the monitored process ended (OTP P4). When a registered name
/// was monitored, <see cref="Name"/> is set and the term carries <c>{Name, Node}</c> instead of the pid (P4.2); if
/// the name was not registered, the reason is <c>noproc</c>.
/// </summary>
/// <param name="Ref">The monitor's reference.</param>
/// <param name="Pid">The monitored process (undefined when a name that was not registered was monitored).</param>
/// <param name="Reason">Its exit reason, or <c>noproc</c>.</param>
/// <param name="Name">The monitored name, when a name was monitored.</param>
public sealed record DownMessage(Ref Ref, Pid Pid, ExitReason Reason, string? Name = null) : ITermConvertible
{
    private static readonly Atom Tag = Atom.Of("DOWN");
    private static readonly Atom Process = Atom.Of("process");

    /// <summary>The node of the monitored name (<c>{Name, Node}</c>); null for a name on this node.</summary>
    public string? NodeName { get; init; }

    /// <inheritdoc />
    public object ToTerm() => TermTuple.Of(Tag, Ref, Process, Name is null ? Pid : TermTuple.Of(Atom.Of(Name), Atom.Of(NodeName ?? "nonode@nohost")), Reason);

    /// <inheritdoc />
    public override string ToString() => TermFormatter.Format(this);
}
