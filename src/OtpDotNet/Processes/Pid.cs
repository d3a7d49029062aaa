using Otp.Net.Terms;

namespace Otp.Net.Processes;

/// <summary>
/// A process identifier. Cheap to copy, compare and send; printed like Erlang (<c>&lt;0.42.0&gt;</c> for a process of
/// this node, <c>&lt;N.42.0&gt;</c> for one of another node). A pid stays valid after its process ends: sending to it
/// is silently dropped (OTP P6.1).
/// <c>default(Pid)</c> is "undefined" (no process).
/// </summary>
public readonly struct Pid : IEquatable<Pid>, IOpaqueTerm, IRuntimeHandle
{
    private readonly object? _target;

    internal Pid(LocalProcess process) => _target = process;

    internal Pid(RemotePid remote) => _target = remote;

    /// <summary>The process, when it belongs to a node of this program.</summary>
    internal LocalProcess? Process => _target as LocalProcess;

    /// <summary>The process, when it belongs to another node (or to an earlier incarnation of this one).</summary>
    internal RemotePid? Remote => _target as RemotePid;

    /// <summary>The process's number on its node (0 for an undefined pid).</summary>
    public long Id => _target switch
    {
        LocalProcess p => p.Id,
        RemotePid r => r.Id,
        _ => 0,
    };

    /// <summary>True for <c>default(Pid)</c>, which names no process.</summary>
    public bool IsUndefined => _target is null;

    /// <summary>True for a process of another node: signals to it go through the distribution.</summary>
    public bool IsRemote => _target is RemotePid;

    /// <summary>The node the process belongs to (<see cref="NodeIdentity.Local"/> on a node that is not distributed).</summary>
    public NodeIdentity Node => _target switch
    {
        LocalProcess p => p.Node.Identity,
        RemotePid r => r.Node.Identity,
        _ => default,
    };

    /// <inheritdoc />
    public bool Equals(Pid other) =>
        ReferenceEquals(_target, other._target) || (_target is RemotePid r && r.Equals(other._target as RemotePid));

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Pid p && Equals(p);

    /// <inheritdoc />
    public override int GetHashCode() => Id.GetHashCode();

    /// <summary>Prints like Erlang: <c>&lt;0.42.0&gt;</c>, or <c>undefined</c>.</summary>
    public override string ToString() => _target switch
    {
        LocalProcess p => $"<0.{p.Id}.0>",
        RemotePid r => r.ToString(),
        _ => "undefined",
    };

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
