using Otp.Net.Terms;

namespace Otp.Net.Supervision;

/// <summary>How a child is stopped (U10): <c>brutal_kill</c>, a timeout in ms, or <c>infinity</c>.</summary>
public readonly record struct Shutdown
{
    private Shutdown(int kind, int ms)
    {
        Kind = kind;
        Milliseconds = ms;
    }

    private int Kind { get; }

    /// <summary>The timeout, for a timed shutdown.</summary>
    public int Milliseconds { get; }

    /// <summary><c>exit(Child, kill)</c> at once.</summary>
    public static Shutdown BrutalKill => new(1, 0);

    /// <summary><c>exit(Child, shutdown)</c> and wait as long as it takes (the default for supervisors).</summary>
    public static Shutdown Infinity => new(2, 0);

    /// <summary><c>exit(Child, shutdown)</c>, then <c>kill</c> after <paramref name="milliseconds"/> (5000 is the worker default).</summary>
    public static Shutdown Timeout(int milliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(milliseconds);
        return new(3, milliseconds);
    }

    /// <summary>True for <c>brutal_kill</c>.</summary>
    public bool IsBrutalKill => Kind == 1;

    /// <summary>True for <c>infinity</c>.</summary>
    public bool IsInfinity => Kind == 2;

    /// <summary>The shutdown as a term: <c>brutal_kill</c>, <c>infinity</c> or the milliseconds.</summary>
    public object ToTerm() => Kind switch
    {
        1 => Atom.Of("brutal_kill"),
        2 => Atom.Of("infinity"),
        _ => Milliseconds,
    };

    /// <inheritdoc />
    public override string ToString() => TermFormatter.Format(ToTerm());
}
