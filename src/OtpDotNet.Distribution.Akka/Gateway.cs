using System.Collections.Concurrent;
using System.Globalization;
using Akka.Actor;
using Akka.Cluster;

namespace Otp.Net.Distribution.Akka;

/// <summary>
/// A node's gateway: follows membership, greets the gateways of other Otp.Net nodes, and hands their frames to the
/// distribution. Everything it reports goes through its one mailbox, so a node's frames and its down keep their order.
/// </summary>
internal sealed class Gateway : ReceiveActor
{
    private const string Hello = "otp-hello";
    private const string Welcome = "otp-welcome";
    private const int MaxEarlyFrames = 100_000;

    private readonly ICarrierListener _listener;
    private readonly NodeIdentity _self;
    private readonly ConcurrentDictionary<NodeIdentity, IActorRef> _routes;
    private readonly Dictionary<Address, Peer> _peers = [];
    private readonly Dictionary<Address, IActorRef> _pendingGateways = [];

    /// <summary>
    /// Frames from a node this one does not see up yet: it saw this node first, and sends as soon as it does. They are
    /// delivered, in order, once this node sees it up too (at most <see cref="MaxEarlyFrames"/> per node).
    /// </summary>
    private readonly Dictionary<Address, List<byte[]>> _earlyFrames = [];

    public Gateway(ICarrierListener listener, NodeIdentity self, ConcurrentDictionary<NodeIdentity, IActorRef> routes)
    {
        _listener = listener;
        _self = self;
        _routes = routes;
        Receive<byte[]>(OnFrame);
        Receive<ClusterEvent.MemberUp>(e => OnMemberUp(e.Member));
        Receive<ClusterEvent.MemberWeaklyUp>(e => OnMemberUp(e.Member));
        Receive<ClusterEvent.ReachableMember>(e => OnReachable(e.Member));
        Receive<ClusterEvent.UnreachableMember>(e => OnGone(e.Member.Address, removed: false));
        Receive<ClusterEvent.MemberRemoved>(e => OnGone(e.Member.Address, removed: true));
        Receive<ClusterEvent.MemberExited>(e => OnGone(e.Member.Address, removed: true));
        Receive<ClusterEvent.MemberDowned>(e => OnGone(e.Member.Address, removed: true));
        Receive<string>(s => s == Hello || s == Welcome, OnGreeting);
        ReceiveAny(_ => { });
    }

    protected override void PreStart() =>
        global::Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

    protected override void PostStop() => global::Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private static NodeIdentity? IdentityOf(Member member)
    {
        var role = member.Roles.FirstOrDefault(r => r.StartsWith(AkkaCarrier.RolePrefix, StringComparison.Ordinal));
        if (role is null) return null;
        return new NodeIdentity(role[AkkaCarrier.RolePrefix.Length..], Convert.ToInt64(member.UniqueAddress.Uid, CultureInfo.InvariantCulture));
    }

    private void OnMemberUp(Member member)
    {
        if (IdentityOf(member) is not { } identity || identity == _self) return;
        if (_peers.TryGetValue(member.Address, out var known) && known.Identity != identity)
        {
            // A new incarnation at the same address: the earlier one is gone.
            Report(member.Address, known, removed: true);
        }
        if (!_peers.TryGetValue(member.Address, out var peer))
        {
            _peers[member.Address] = peer = new Peer(identity, member.Address);
        }
        peer.Member = true;
        peer.Reachable = true;
        Context.ActorSelection(new RootActorPath(member.Address) / "user" / AkkaCarrier.GatewayName).Tell(Hello, Self);
        Ready(peer);
    }

    private void OnGreeting(string greeting)
    {
        var address = Sender.Path.Address;
        if (!_peers.TryGetValue(address, out var peer))
        {
            // Greeted before this node saw the member up: the identity comes with the member event.
            _pendingGateways[address] = Sender;
        }
        else
        {
            peer.Gateway = Sender;
            Ready(peer);
        }
        if (greeting == Hello) Sender.Tell(Welcome, Self);
    }

    private void Ready(Peer peer)
    {
        if (peer.Gateway is null)
        {
            if (_pendingGateways.Remove(peer.Address, out var greeted)) peer.Gateway = greeted;
        }
        if (peer.Up || !peer.Member || !peer.Reachable || peer.Gateway is null) return;
        peer.Up = true;
        _routes[peer.Identity] = peer.Gateway;
        _listener.OnNodeUp(peer.Identity);
        if (_earlyFrames.Remove(peer.Address, out var early))
        {
            foreach (var frame in early) _listener.OnFrame(peer.Identity, frame);
        }
    }

    private void OnReachable(Member member)
    {
        if (!_peers.TryGetValue(member.Address, out var peer)) return;
        peer.Reachable = true;
        Ready(peer);
    }

    private void OnGone(Address address, bool removed)
    {
        if (_peers.TryGetValue(address, out var peer)) Report(address, peer, removed);
    }

    private void Report(Address address, Peer peer, bool removed)
    {
        peer.Reachable = false;
        if (removed)
        {
            peer.Member = false;
            _peers.Remove(address);
            _pendingGateways.Remove(address);
            _earlyFrames.Remove(address);
        }
        if (!peer.Up) return;
        peer.Up = false;
        _routes.TryRemove(peer.Identity, out _);
        _listener.OnNodeDown(peer.Identity);
    }

    private void OnFrame(byte[] frame)
    {
        var address = Sender.Path.Address;
        if (_peers.TryGetValue(address, out var peer) && peer.Up)
        {
            _listener.OnFrame(peer.Identity, frame);
            return;
        }
        if (peer is not null && !peer.Reachable) return; // a node seen unreachable: its frames wait for no one
        if (!_earlyFrames.TryGetValue(address, out var early)) _earlyFrames[address] = early = [];
        if (early.Count < MaxEarlyFrames) early.Add(frame);
    }

    private sealed class Peer(NodeIdentity identity, Address address)
    {
        public NodeIdentity Identity { get; } = identity;

        public Address Address { get; } = address;

        public IActorRef? Gateway { get; set; }

        public bool Member { get; set; }

        public bool Reachable { get; set; }

        public bool Up { get; set; }
    }
}
