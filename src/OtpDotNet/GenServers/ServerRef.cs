using System.Runtime.CompilerServices;
using Otp.Net.Processes;

namespace Otp.Net.GenServers;

/// <summary>
/// A server to talk to: a pid (converts implicitly), a name registered on a given node (<see cref="Named(Node, string)"/>),
/// a via-name resolved through its registry (<see cref="Via(GenServers.ViaName)"/>, converts implicitly), or a name
/// resolved on the calling process's node (<see cref="Local(string)"/>, inside a process only: used outside any
/// process, calls, casts and the sys and supervisor functions throw <see cref="NameWithoutNodeException"/> rather than
/// drop the request). A pid of another node, or a name on another node (<see cref="Remote(string, string, Net.Node?)"/>,
/// <c>{Name, Node}</c>), is reached through the node's distribution with the same results and failures.
/// </summary>
public readonly struct ServerRef
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ServerRef(Pid pid, string? name, Node? node)
    {
        Pid = pid;
        Name = name;
        Node = node;
    }

    private ServerRef(ViaName via) => ViaName = via;

    private ServerRef(string name, string nodeName, Node? node)
    {
        Name = name;
        NodeName = nodeName;
        Node = node;
    }

    /// <summary>The pid, when the server is given by pid.</summary>
    public Pid Pid { get; }

    /// <summary>The registered name, when the server is given by name.</summary>
    public string? Name { get; }

    /// <summary>The node on which the name is resolved.</summary>
    public Node? Node { get; }

    /// <summary>The node the name is registered on, for <c>{Name, Node}</c> (<see cref="Remote(string, string, Net.Node?)"/>).</summary>
    public string? NodeName { get; }

    /// <summary>The via-name, when the server is given by one (resolved through its registry at every use).</summary>
    public ViaName? ViaName { get; }

    /// <summary>A server by pid.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static implicit operator ServerRef(Pid pid) => new(pid, null, null);

    /// <summary>
    /// A server registered as <paramref name="name"/> on the node of the process that uses this reference: for code that
    /// runs inside a process (a callback, a spawned function). Outside any process there is no node to resolve the name
    /// on, and using the reference throws <see cref="NameWithoutNodeException"/>: use <see cref="Named(Node, string)"/>
    /// there. (There is no implicit conversion from <see cref="string"/>, so this choice is always visible.)
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    public static ServerRef Local(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new(default(Pid), name, null);
    }

    /// <summary>A server registered as <paramref name="name"/> on <paramref name="node"/>: works from any code.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    public static ServerRef Named(Node node, string name)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new(default(Pid), name, node);
    }

    /// <summary>
    /// <c>{Name, Node}</c>: a server registered as <paramref name="name"/> on the node named <paramref name="node"/>,
    /// reached through the distribution of <paramref name="local"/> (by default, the calling process's node). A name
    /// that is not registered there gives <c>noproc</c> (X6); a node that goes down during a call, <c>{nodedown, Node}</c>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> or <paramref name="node"/> is null or empty.</exception>
    public static ServerRef Remote(string name, string node, Node? local = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(node);
        return new(name, node, local);
    }

    /// <summary>
    /// A server by via-name (<c>{via, Module, Name}</c>): resolved through its registry at every use; a name whose
    /// holder has died resolves to nothing (noproc), even before the registry has removed it (D4).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="via"/> is null.</exception>
    public static ServerRef Via(ViaName via)
    {
        ArgumentNullException.ThrowIfNull(via);
        return new(via);
    }

    /// <summary>The live process, or null (noproc).</summary>
    /// <exception cref="NameWithoutNodeException">A <see cref="ServerRef.Local(string)"/> name, outside any process.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal LocalProcess? Resolve()
    {
        if (ViaName is { } via) return via.WhereIs()?.Process is { IsAlive: true } held ? held : null;
        if (Name is null) return Pid.Process is { IsAlive: true } p ? p : null;
        var node = Node ?? ProcessContext.CurrentProcess?.Node ?? throw new NameWithoutNodeException(Name);
        if (NodeName is { } n && !(node.Distribution?.IsSelf(n) ?? n == NodeIdentity.Local.Name)) return null;
        return node.WhereIs(Name)?.Process;
    }

    /// <summary>
    /// When the server is on another node: the distribution that reaches it and the server as it sends there (a remote
    /// pid, or <c>{Name, Node}</c>); otherwise null.
    /// </summary>
    internal (IRemoteRequests Distribution, ServerRef Server)? ResolveRemote()
    {
        var pid = ViaName is { } via ? via.WhereIs() ?? default : Pid;
        var caller = ProcessContext.CurrentProcess;
        if (Name is null || ViaName is not null)
        {
            if (pid.Remote is not { } remote) return null;
            return ((caller?.Node ?? Node)?.Distribution ?? remote.Node.Owner) is IRemoteRequests viaPid ? (viaPid, pid) : null;
        }
        if (NodeName is null) return null;
        var node = Node ?? caller?.Node;
        if (node?.Distribution is not { } distribution || distribution.IsSelf(NodeName) || distribution is not IRemoteRequests requests) return null;
        return (requests, this);
    }

    /// <summary>As gen_server prints its first argument: the name or the pid.</summary>
    public object ToTerm() =>
        ViaName is not null ? ViaName.ToTerm()
        : Name is null ? Pid
        : NodeName is not null ? Terms.TermTuple.Of(Terms.Atom.Of(Name), Terms.Atom.Of(NodeName))
        : Terms.Atom.Of(Name);

    /// <inheritdoc />
    public override string ToString() => ViaName?.ToString() ?? (NodeName is not null ? $"{{{Name},{NodeName}}}" : Name) ?? Pid.ToString();
}
