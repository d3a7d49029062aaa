namespace Otp.Net.Processes;

/// <summary>
/// One incarnation of another node, as a distributed node knows it: its identity and the index it prints in pids
/// (<c>&lt;Index.Id.0&gt;</c>, as OTP numbers the nodes it knows). Owned by the local node's distribution.
/// </summary>
internal sealed class RemoteNode(NodeIdentity identity, int index, IDistribution owner)
{
    public NodeIdentity Identity { get; } = identity;

    public int Index { get; } = index;

    public IDistribution Owner { get; } = owner;

    public override string ToString() => Identity.ToString();
}
