namespace Otp.Net.GenServers;

/// <summary>
/// A server given by registered name alone (<c>GenServer.Cast(ServerRef.Local("counter"), ...)</c>) was addressed from code that runs
/// outside any process, so there is no node to resolve the name on. Use <see cref="ServerRef.Named(Node, string)"/>.
/// Nothing is sent.
/// </summary>
public sealed class NameWithoutNodeException : InvalidOperationException
{
    /// <summary>Creates the exception for <paramref name="name"/>.</summary>
    public NameWithoutNodeException(string name)
        : base($"the name '{name}' needs a node: use ServerRef.Named(node, name) outside a process") => Name = name;

    /// <summary>The registered name that could not be resolved.</summary>
    public string Name { get; }
}
