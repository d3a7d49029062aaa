namespace Otp.Net;

/// <summary>
/// A node's name and creation. The creation tells incarnations apart: a node that restarts under the same name gets
/// another creation, and pids of the previous incarnation refer to no process (OTP X9).
/// </summary>
/// <param name="Name">The node's name, such as <c>a@host</c>; <c>nonode@nohost</c> for a node that is not distributed.</param>
/// <param name="Creation">The incarnation; 0 for a node that is not distributed.</param>
public readonly record struct NodeIdentity(string Name, long Creation)
{
    /// <summary>The identity of a node that is not distributed.</summary>
    public static NodeIdentity Local { get; } = new("nonode@nohost", 0);

    /// <summary>The name, then the creation: <c>a@host#3</c>.</summary>
    public override string ToString() => $"{Name}#{Creation}";
}
