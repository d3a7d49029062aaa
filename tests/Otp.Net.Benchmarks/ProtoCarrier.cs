using System.Collections.Concurrent;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Otp.Net.Distribution;
using Proto;
using Proto.Cluster;
using Proto.Cluster.Partition;
using Proto.Cluster.Seed;
using Proto.Remote;
using Proto.Remote.GrpcNet;

namespace Otp.Net.Benchmarks;

/// <summary>
/// A prototype carrier on Proto.Cluster, measured against the Akka.NET carrier (<c>remote_*</c> workloads, runtime
/// <c>otpproto</c>): membership from Proto.Cluster's seed-node provider, frames as protobuf bytes between one gateway
/// actor per node over Proto.Remote (gRPC). A member's id is the node's incarnation. It keeps the carrier contract for
/// the benchmark's two nodes (ordered frames, up before frames, down when a member leaves); it has no reachability
/// handling beyond Proto's own, and is not shipped.
/// </summary>
internal sealed class ProtoCarrier(int port, int? seedPort) : IDistributionCarrier
{
    private const string GatewayName = "otp-gateway";
    private readonly ConcurrentDictionary<NodeIdentity, PID> _routes = new();
    private Proto.ActorSystem? _system;
    private PID? _gateway;

    public async Task<NodeIdentity> StartAsync(string nodeName, ICarrierListener listener, CancellationToken cancellationToken)
    {
        var remote = RemoteConfig.BindToLocalhost(port).WithProtoMessages(WrappersReflection.Descriptor);
        var provider = seedPort is { } s ? FixedServerSeedNode.JoinSeedNode("127.0.0.1", s) : FixedServerSeedNode.StartSeedNode();
        _system = new Proto.ActorSystem().WithRemote(remote).WithCluster(ClusterConfig.Setup("otp", provider, new PartitionIdentityLookup()));
        var self = new NodeIdentity(nodeName, Creation(_system.Id));
        var gateway = new Gateway(listener, self, _routes);
        _gateway = _system.Root.SpawnNamed(Props.FromProducer(() => gateway), GatewayName);
        _system.EventStream.Subscribe<ClusterTopology>(t => _system.Root.Send(_gateway, t));
        await _system.Cluster().StartMemberAsync().ConfigureAwait(false);
        return self;
    }

    /// <summary>The gateway as other nodes know it (the one spawned before remoting started carries no address).</summary>
    private static PID Self(Proto.ActorSystem system) => PID.FromAddress(system.Address, GatewayName);

    private static long Creation(string memberId) => BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(memberId)), 0) & long.MaxValue;

    public void Send(NodeIdentity to, ReadOnlyMemory<byte> frame)
    {
        if (_routes.TryGetValue(to, out var peer)) _system!.Root.Request(peer, new BytesValue { Value = ByteString.CopyFrom(frame.Span) }, Self(_system));
    }

    public async ValueTask DisposeAsync()
    {
        if (_system is not null) await _system.Cluster().ShutdownAsync(graceful: true).ConfigureAwait(false);
    }

    private sealed class Gateway(ICarrierListener listener, NodeIdentity self, ConcurrentDictionary<NodeIdentity, PID> routes) : IActor
    {
        private readonly Dictionary<string, NodeIdentity> _byAddress = [];
        private readonly Dictionary<string, string> _memberIds = [];

        public Task ReceiveAsync(IContext context)
        {
            switch (context.Message)
            {
                case ClusterTopology topology:
                    foreach (var member in topology.Joined)
                    {
                        if (member.Address == context.System.Address) continue;
                        _memberIds[member.Address] = member.Id;
                        var greeting = $"hello|{self.Name}|{self.Creation.ToString(CultureInfo.InvariantCulture)}";
                        context.System.Root.Request(PID.FromAddress(member.Address, GatewayName), new StringValue { Value = greeting }, Self(context.System));
                    }
                    foreach (var member in topology.Left)
                    {
                        if (!_byAddress.Remove(member.Address, out var gone)) continue;
                        routes.TryRemove(gone, out _);
                        listener.OnNodeDown(gone);
                    }
                    break;
                case StringValue { Value: var text } when text.StartsWith("hello|", StringComparison.Ordinal) || text.StartsWith("welcome|", StringComparison.Ordinal):
                    {
                        var parts = text.Split('|');
                        var peer = new NodeIdentity(parts[1], long.Parse(parts[2], CultureInfo.InvariantCulture));
                        var address = context.Sender!.Address;
                        if (parts[0] == "hello")
                        {
                            context.System.Root.Request(context.Sender, new StringValue { Value = $"welcome|{self.Name}|{self.Creation.ToString(CultureInfo.InvariantCulture)}" }, Self(context.System));
                        }
                        if (_byAddress.TryAdd(address, peer))
                        {
                            routes[peer] = PID.FromAddress(address, GatewayName);
                            listener.OnNodeUp(peer);
                        }
                        break;
                    }
                case BytesValue bytes when context.Sender is { } sender && _byAddress.TryGetValue(sender.Address, out var from):
                    listener.OnFrame(from, bytes.Value.Memory);
                    break;
            }
            return Task.CompletedTask;
        }
    }
}
