using Otp.Net.Terms;

namespace Otp.Net.GenServers;

/// <summary>What a rehearsal of a code change found (<see cref="SystemOp.RehearseChange"/>).</summary>
internal enum RehearsalKind
{
    /// <summary>The change would succeed.</summary>
    Ok,

    /// <summary>The change would fail with <see cref="RehearsalOutcome.Error"/>.</summary>
    Failed,

    /// <summary>
    /// The change could not be tried without touching the process (its state cannot be copied): nothing is known, and
    /// <see cref="RehearsalOutcome.Error"/> says why.
    /// </summary>
    NotRehearsed,
}

/// <summary>
/// The result of rehearsing a code change on a copy: the process's state, code, binding and (for a supervisor) children
/// are untouched whatever it says. <see cref="Error"/> is the term <c>change_code</c> would return (neutral: it keeps no
/// module version loaded); <see cref="Detail"/> carries what a behaviour reports of a successful rehearsal (for a
/// supervisor, its child diff, a <c>SupervisorChange</c>).
/// </summary>
internal sealed class RehearsalOutcome
{
    private RehearsalOutcome(RehearsalKind kind, object? error, object? detail)
    {
        Kind = kind;
        Error = error;
        Detail = detail;
    }

    public static RehearsalOutcome Ok { get; } = new(RehearsalKind.Ok, null, null);

    public RehearsalKind Kind { get; }

    public bool IsOk => Kind == RehearsalKind.Ok;

    /// <summary>For <see cref="RehearsalKind.Failed"/>: what <c>change_code</c> would return; for <see cref="RehearsalKind.NotRehearsed"/>: why not.</summary>
    public object? Error { get; }

    /// <summary>A behaviour's report of a successful rehearsal, or null.</summary>
    public object? Detail { get; }

    public static RehearsalOutcome Succeeded(object? detail) => detail is null ? Ok : new(RehearsalKind.Ok, null, detail);

    public static RehearsalOutcome Failed(object? term) => new(RehearsalKind.Failed, StateTerms.NeutralizeForReport(term), null);

    public static RehearsalOutcome NotRehearsed(object? reason) => new(RehearsalKind.NotRehearsed, StateTerms.NeutralizeForReport(reason), null);

    public override string ToString() => Kind switch
    {
        RehearsalKind.Ok => Detail is null ? "ok" : $"ok {Detail}",
        _ => $"{Kind}: {TermFormatter.Format(Error)}",
    };
}
