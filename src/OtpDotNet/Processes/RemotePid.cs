namespace Otp.Net.Processes;

/// <summary>A process on another node (or on an earlier incarnation of this one): its node and its number there.</summary>
internal sealed class RemotePid(RemoteNode node, long id) : IEquatable<RemotePid>
{
    public RemoteNode Node { get; } = node;

    public long Id { get; } = id;

    public bool Equals(RemotePid? other) => other is not null && other.Id == Id && other.Node.Identity == Node.Identity;

    public override bool Equals(object? obj) => obj is RemotePid r && Equals(r);

    public override int GetHashCode() => HashCode.Combine(Id, Node.Identity);

    public override string ToString() => $"<{Node.Index}.{Id}.0>";
}
