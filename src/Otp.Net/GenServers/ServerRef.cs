using Otp.Net.Processes;

namespace Otp.Net.GenServers;

/// <summary>
/// A server to talk to: a pid, or a registered name (resolved on <see cref="Node"/>, or on the calling process's node
/// when none is given).
/// </summary>
public readonly struct ServerRef
{
    private ServerRef(Pid pid, string? name, Node? node)
    {
        Pid = pid;
        Name = name;
        Node = node;
    }

    /// <summary>The pid, when the server is given by pid.</summary>
    public Pid Pid { get; }

    /// <summary>The registered name, when the server is given by name.</summary>
    public string? Name { get; }

    /// <summary>The node on which the name is resolved.</summary>
    public Node? Node { get; }

    /// <summary>A server by pid.</summary>
    public static implicit operator ServerRef(Pid pid) => new(pid, null, null);

    /// <summary>A server by name, resolved on the calling process's node.</summary>
    public static implicit operator ServerRef(string name) => new(default, name, null);

    /// <summary>A server registered as <paramref name="name"/> on <paramref name="node"/>.</summary>
    public static ServerRef Named(Node node, string name) => new(default, name, node);

    /// <summary>The live process, or null (noproc).</summary>
    internal LocalProcess? Resolve()
    {
        if (Name is null) return Pid.Process is { IsAlive: true } p ? p : null;
        var node = Node ?? ProcessContext.CurrentProcess?.Node
            ?? throw new InvalidOperationException($"the name '{Name}' needs a node: use ServerRef.Named(node, name) outside a process");
        return node.WhereIs(Name)?.Process;
    }

    /// <summary>As gen_server prints its first argument: the name or the pid.</summary>
    public object ToTerm() => Name is not null ? Terms.Atom.Of(Name) : Pid;

    /// <inheritdoc />
    public override string ToString() => Name ?? Pid.ToString();
}
