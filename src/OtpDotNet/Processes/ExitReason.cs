using Otp.Net.Terms;

namespace Otp.Net.Processes;

/// <summary>
/// Why a process ended, or the reason carried by an exit signal: <c>normal</c>, <c>kill</c>, <c>killed</c>,
/// <c>shutdown</c>, <c>{shutdown, Term}</c>, <c>noproc</c>, an exception, or any other term.
/// Supervisors and application masters branch on it (OTP U6, A6). Reasons compare structurally.
/// </summary>
public sealed class ExitReason : IEquatable<ExitReason>, IOpaqueTerm
{
    private static readonly Atom NormalAtom = Atom.Of("normal");
    private static readonly Atom KillAtom = Atom.Of("kill");
    private static readonly Atom KilledAtom = Atom.Of("killed");
    private static readonly Atom ShutdownAtom = Atom.Of("shutdown");
    private static readonly Atom NoProcAtom = Atom.Of("noproc");
    private static readonly Atom NoConnectionAtom = Atom.Of("noconnection");

    private ExitReason(ExitReasonKind kind, object? term, ExceptionInfo? exception)
    {
        Kind = kind;
        Term = term;
        Exception = exception;
    }

    /// <summary><c>normal</c>.</summary>
    public static ExitReason Normal { get; } = new(ExitReasonKind.Normal, NormalAtom, null);

    /// <summary><c>kill</c>: untrappable when sent with <see cref="Node.Exit(Pid, ExitReason)"/>.</summary>
    public static ExitReason Kill { get; } = new(ExitReasonKind.Kill, KillAtom, null);

    /// <summary><c>killed</c>: the reason of a process that received <c>kill</c>.</summary>
    public static ExitReason Killed { get; } = new(ExitReasonKind.Killed, KilledAtom, null);

    /// <summary><c>shutdown</c>.</summary>
    public static ExitReason Shutdown { get; } = new(ExitReasonKind.Shutdown, ShutdownAtom, null);

    /// <summary><c>noproc</c>.</summary>
    public static ExitReason NoProc { get; } = new(ExitReasonKind.NoProc, NoProcAtom, null);

    /// <summary><c>noconnection</c>: the connection to the process's node was lost (OTP X1, X2).</summary>
    public static ExitReason NoConnection { get; } = new(ExitReasonKind.Custom, NoConnectionAtom, null);

    /// <summary>The shape of this reason.</summary>
    public ExitReasonKind Kind { get; }

    /// <summary>The reason as an Erlang-style term (for <c>{shutdown, T}</c>: the whole tuple).</summary>
    public object? Term { get; }

    /// <summary>For <see cref="ExitReasonKind.Error"/>: what is kept of the exception.</summary>
    public ExceptionInfo? Exception { get; }

    /// <summary>True for <c>normal</c>.</summary>
    public bool IsNormal => Kind == ExitReasonKind.Normal;

    /// <summary>True for <c>shutdown</c> and <c>{shutdown, T}</c>.</summary>
    public bool IsShutdown => Kind == ExitReasonKind.Shutdown;

    /// <summary>
    /// True when a transient child exiting with this reason is not restarted and a supervisor
    /// does not report it: <c>normal</c>, <c>shutdown</c> or <c>{shutdown, T}</c> (OTP U6).
    /// </summary>
    public bool IsNormalOrShutdown => Kind is ExitReasonKind.Normal or ExitReasonKind.Shutdown;

    /// <summary><c>{shutdown, <paramref name="term"/>}</c>.</summary>
    public static ExitReason ShutdownWith(object? term) => new(ExitReasonKind.Shutdown, TermTuple.Of(ShutdownAtom, StateTerms.NeutralizeForReport(term)), null);

    /// <summary>A reason as another node sent it: its kind, its term and, for an error, what the exception was.</summary>
    internal static ExitReason Decoded(ExitReasonKind kind, object? term, ExceptionInfo? exception) => kind switch
    {
        ExitReasonKind.Normal => Normal,
        ExitReasonKind.Kill => Kill,
        ExitReasonKind.Killed => Killed,
        ExitReasonKind.NoProc => NoProc,
        ExitReasonKind.Shutdown when term is Atom => Shutdown,
        ExitReasonKind.Custom when term is Atom a && a == NoConnectionAtom => NoConnection,
        _ => new(kind, term, exception),
    };

    /// <summary>The reason of a process ended by <paramref name="exception"/>. Only its text is kept (see <see cref="ExceptionInfo"/>).</summary>
    public static ExitReason FromException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is OtpExitException exit) return exit.Reason;
        if (exception is IExitCarrier carrier) return carrier.Reason;
        var info = ExceptionInfo.From(exception);
        return new(ExitReasonKind.Error, TermTuple.Of(Atom.Of(info.Type), info.Message), info);
    }

    /// <summary>
    /// The reason for an arbitrary term; well-known atoms and <c>{shutdown, T}</c> map onto their kinds, so
    /// <c>ExitReason.Of(Atom.Of("normal")) == ExitReason.Normal</c>. Objects of a module version's types in the term are
    /// kept as neutral <see cref="StateTerm"/>s (an exit reason never keeps a version loaded).
    /// </summary>
    public static ExitReason Of(object? term)
    {
        switch (term)
        {
            case ExitReason r:
                return r;
            case Atom a:
                if (a == NormalAtom) return Normal;
                if (a == KillAtom) return Kill;
                if (a == KilledAtom) return Killed;
                if (a == ShutdownAtom) return Shutdown;
                if (a == NoProcAtom) return NoProc;
                if (a == NoConnectionAtom) return NoConnection;
                break;
            case TermTuple { Length: 2 } t when t[0] is Atom s && s == ShutdownAtom:
                return new(ExitReasonKind.Shutdown, StateTerms.NeutralizeForReport(t), null);
            case Exception ex:
                return FromException(ex);
        }
        // A reason outlives its process (in every Pid, monitor and CallException that holds it): objects of module
        // versions in it become neutral terms, so that it never keeps a version loaded.
        return new(ExitReasonKind.Custom, StateTerms.NeutralizeForReport(term), null);
    }

    /// <summary>The reason as a term (the same as <see cref="Term"/>).</summary>
    public object? ToTerm() => Term;

    /// <summary>An exit reason prints as its term.</summary>
    bool IOpaqueTerm.TryGetPrintedTerm(out object? term)
    {
        term = Term;
        return true;
    }

    /// <inheritdoc />
    public bool Equals(ExitReason? other) =>
        other is not null && other.Kind == Kind && TermEquality.Equal(Term, other.Term);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ExitReason r && Equals(r);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, TermEquality.Hash(Term));

    /// <summary>The reason in Erlang term syntax, e.g. <c>{shutdown,x}</c>.</summary>
    public override string ToString() => TermFormatter.Format(Term);

    /// <summary>Equality.</summary>
    public static bool operator ==(ExitReason? left, ExitReason? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(ExitReason? left, ExitReason? right) => !(left == right);
}
