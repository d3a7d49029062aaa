using Otp.Net.Terms;

namespace Otp.Net.Processes;

/// <summary>
/// A process identifier. Cheap to copy, compare and send; printed like Erlang (<c>&lt;0.42.0&gt;</c>).
/// A pid stays valid after its process ends: sending to it is silently dropped (OTP P6.1).
/// <c>default(Pid)</c> is "undefined" (no process).
/// </summary>
public readonly struct Pid : IEquatable<Pid>, IOpaqueTerm, IRuntimeHandle
{
    internal Pid(LocalProcess process) => Process = process;

    internal LocalProcess? Process { get; }

    /// <summary>The process's number on its node (0 for an undefined pid).</summary>
    public long Id => Process?.Id ?? 0;

    /// <summary>True for <c>default(Pid)</c>, which names no process.</summary>
    public bool IsUndefined => Process is null;

    /// <inheritdoc />
    public bool Equals(Pid other) => ReferenceEquals(Process, other.Process);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Pid p && Equals(p);

    /// <inheritdoc />
    public override int GetHashCode() => Id.GetHashCode();

    /// <summary>Prints like Erlang: <c>&lt;0.42.0&gt;</c>, or <c>undefined</c>.</summary>
    public override string ToString() => Process is null ? "undefined" : $"<0.{Process.Id}.0>";

    /// <summary>A pid prints as its own text.</summary>
    bool IOpaqueTerm.TryGetPrintedTerm(out object? term)
    {
        term = null;
        return false;
    }

    /// <summary>Equality.</summary>
    public static bool operator ==(Pid left, Pid right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(Pid left, Pid right) => !left.Equals(right);
}
