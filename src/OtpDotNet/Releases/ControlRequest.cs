namespace Otp.Net.Releases;

/// <summary>
/// One request on a node's control socket (<see cref="NodeOptions.ControlSocket"/>): a single line of JSON written
/// with <see cref="ReleaseJson.Options"/> (without indentation). The node answers with <see cref="ControlReply"/> lines:
/// the install journal as it runs, then one result or error.
/// </summary>
/// <param name="Command">What to do.</param>
public sealed record ControlRequest(ControlCommand Command)
{
    /// <summary>The release version the command is about (all but <see cref="ControlCommand.Which"/> and <see cref="ControlCommand.Unpack"/>).</summary>
    public string? Version { get; init; }

    /// <summary>The package to unpack: a full path on the node's machine.</summary>
    public string? Package { get; init; }

    /// <summary>How to install or rehearse (the health probe, a delegate, cannot be sent: it is the node's own).</summary>
    public InstallOptions? Options { get; init; }
}
