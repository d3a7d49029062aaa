using System.Globalization;
using System.Net;
using Akka.Actor;
using Akka.Cluster;

namespace Otp.Net.Distribution.Akka;

/// <summary>
/// A node's gateway: follows Akka's membership and reachability, and tells the node's frame links which Otp.Net nodes
/// to connect to (a reachable member), which are down for now (unreachable), and which are gone (removed, or a new
/// incarnation at the same address).
/// </summary>
internal sealed class Gateway : ReceiveActor
{
    private readonly FrameLinks _links;
    private readonly NodeIdentity _self;
    private readonly Dictionary<Address, Peer> _peers = [];

    public Gateway(FrameLinks links, NodeIdentity self)
    {
        _links = links;
        _self = self;
        Receive<ClusterEvent.MemberUp>(e => OnMemberUp(e.Member));
        Receive<ClusterEvent.MemberWeaklyUp>(e => OnMemberUp(e.Member));
        Receive<ClusterEvent.ReachableMember>(e => OnReachable(e.Member));
        Receive<ClusterEvent.UnreachableMember>(e => OnGone(e.Member.Address, removed: false));
        Receive<ClusterEvent.MemberRemoved>(e => OnGone(e.Member.Address, removed: true));
        Receive<ClusterEvent.MemberExited>(e => OnGone(e.Member.Address, removed: true));
        Receive<ClusterEvent.MemberDowned>(e => OnGone(e.Member.Address, removed: true));
        ReceiveAny(_ => { });
    }

    protected override void PreStart() =>
        global::Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

    protected override void PostStop() => global::Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    /// <summary>The Otp.Net node a member runs, and where it accepts frames; null for a member that is not one.</summary>
    private static Peer? PeerOf(Member member)
    {
        string? name = null;
        var port = -1;
        foreach (var role in member.Roles)
        {
            if (role.StartsWith(AkkaCarrier.RolePrefix, StringComparison.Ordinal)) name = role[AkkaCarrier.RolePrefix.Length..];
            else if (role.StartsWith(AkkaCarrier.PortRolePrefix, StringComparison.Ordinal)) _ = int.TryParse(role.AsSpan(AkkaCarrier.PortRolePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out port);
        }
        if (name is null || port is <= 0 or > 65535 || member.Address.Host is not { } host) return null;
        EndPoint endpoint = IPAddress.TryParse(host, out var ip) ? new IPEndPoint(ip, port) : new DnsEndPoint(host, port);
        return new Peer(new NodeIdentity(name, Convert.ToInt64(member.UniqueAddress.Uid, CultureInfo.InvariantCulture)), endpoint);
    }

    private void OnMemberUp(Member member)
    {
        if (PeerOf(member) is not { } peer || peer.Identity == _self) return;
        if (_peers.TryGetValue(member.Address, out var known) && known.Identity != peer.Identity)
        {
            // A new incarnation at the same address: the earlier one is gone.
            _links.Forget(known.Identity);
        }
        _peers[member.Address] = peer;
        _links.Want(peer.Identity, peer.Endpoint);
    }

    private void OnReachable(Member member)
    {
        if (_peers.TryGetValue(member.Address, out var peer)) _links.Want(peer.Identity, peer.Endpoint);
    }

    private void OnGone(Address address, bool removed)
    {
        if (!_peers.TryGetValue(address, out var peer)) return;
        if (!removed)
        {
            _links.Unwant(peer.Identity);
            return;
        }
        _peers.Remove(address);
        _links.Forget(peer.Identity);
    }

    private sealed record Peer(NodeIdentity Identity, EndPoint Endpoint);
}
