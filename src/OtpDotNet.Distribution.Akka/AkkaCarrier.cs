using System.Globalization;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;

namespace Otp.Net.Distribution.Akka;

/// <summary>
/// The distribution carried by Akka.NET Cluster. Membership, failure detection and downing are Akka's: each node runs
/// one actor system with one gateway actor that follows them, so an Otp.Net process costs no actor. A node is
/// reported down as soon as it is unreachable (the phi-accrual detector) or removed (left, or downed by the
/// split-brain resolver), and up again when it is reachable. A member's incarnation (<c>UniqueAddress.Uid</c>) is the
/// node's creation. Frames travel on a TCP connection from each node to each other (its port is part of the node's
/// membership, <see cref="AkkaCarrierOptions.FramePort"/>): in order, batched under load, and without passing through
/// an actor; a connection that breaks is a nodedown on both sides, as between Erlang nodes.
/// </summary>
public sealed class AkkaCarrier : IDistributionCarrier
{
    internal const string RolePrefix = "otp:";
    internal const string PortRolePrefix = "otp-port:";
    internal const string GatewayName = "otp-gateway";

    private readonly AkkaCarrierOptions _options;
    private readonly int _maxFrameBytes;
    private ActorSystem? _system;
    private FrameLinks? _links;

    /// <summary>A carrier with these options; <paramref name="maxFrameBytes"/> sizes Akka's own frame limit.</summary>
    public AkkaCarrier(AkkaCarrierOptions options, int maxFrameBytes = 8 * 1024 * 1024)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _maxFrameBytes = maxFrameBytes;
    }

    /// <summary>The address Akka listens on, once started (<c>akka.tcp://otp@127.0.0.1:4001</c>).</summary>
    public string? Address => _system is null ? null : global::Akka.Cluster.Cluster.Get(_system).SelfAddress.ToString();

    /// <summary>The port this node accepts frame connections on, once started.</summary>
    internal int? FramePort => _links?.Port;

    /// <summary>How many nodes this one keeps frame connection state for.</summary>
    internal int LinkCount => _links?.LinkCount ?? 0;

    /// <summary>Breaks this node's connections with <paramref name="node"/>, as a network fault would.</summary>
    internal void Sever(NodeIdentity node) => _links?.Sever(node);

    /// <inheritdoc />
    public async Task<NodeIdentity> StartAsync(string nodeName, ICarrierListener listener, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(listener);
        _links = FrameLinks.Bind(_options.Hostname, _options.FramePort, _maxFrameBytes);
        var config = ConfigurationFactory.ParseString(Hocon(nodeName, _links.Port));
        if (_options.Hocon is { } extra) config = ConfigurationFactory.ParseString(extra).WithFallback(config);
        _system = ActorSystem.Create(_options.SystemName, config);
        var cluster = global::Akka.Cluster.Cluster.Get(_system);
        var self = new NodeIdentity(nodeName, Convert.ToInt64(cluster.SelfUniqueAddress.Uid, CultureInfo.InvariantCulture));
        _links.Start(self, listener);
        var links = _links;
        _system.ActorOf(Props.Create(() => new Gateway(links, self)), GatewayName);
        var seeds = _options.Seeds.Count == 0
            ? [cluster.SelfAddress]
            : _options.Seeds.Select(s => global::Akka.Actor.Address.Parse($"akka.tcp://{_options.SystemName}@{s}")).ToList();
        await cluster.JoinSeedNodesAsync(seeds, cancellationToken).ConfigureAwait(false);
        return self;
    }

    /// <inheritdoc />
    public void Send(NodeIdentity to, ReadOnlyMemory<byte> frame) => _links?.Send(to, frame.Span);

    /// <summary>Leaves the cluster gracefully and stops the actor system.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_system is not null)
        {
            try
            {
                await CoordinatedShutdown.Get(_system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).WaitAsync(TimeSpan.FromSeconds(15)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                await _system.Terminate().ConfigureAwait(false);
            }
        }
        if (_links is not null) await _links.DisposeAsync().ConfigureAwait(false);
    }

    private string Hocon(string nodeName, int framePort)
    {
        var frame = Math.Max(_maxFrameBytes + (64 * 1024), 128_000);
        return $$"""
            akka {
              loglevel = {{_options.AkkaLogLevel}}
              stdout-loglevel = {{_options.AkkaLogLevel}}
              log-dead-letters = off
              log-dead-letters-during-shutdown = off
              actor.provider = cluster
              remote {
                log-remote-lifecycle-events = off
                dot-netty.tcp {
                  hostname = "{{_options.Hostname}}"
                  port = {{_options.Port}}
                  maximum-frame-size = {{frame}}b
                  send-buffer-size = {{frame * 2}}b
                  receive-buffer-size = {{frame * 2}}b
                }
              }
              cluster {
                roles = ["{{RolePrefix}}{{nodeName}}", "{{PortRolePrefix}}{{framePort}}"]
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                split-brain-resolver {
                  active-strategy = {{_options.SplitBrainStrategy}}
                  stable-after = {{(int)_options.StableAfter.TotalMilliseconds}}ms
                }
                failure-detector.acceptable-heartbeat-pause = {{(int)_options.AcceptableHeartbeatPause.TotalMilliseconds}}ms
                log-info = off
              }
              coordinated-shutdown {
                run-by-clr-shutdown-hook = off
                exit-clr = off
                terminate-actor-system = on
              }
            }
            """;
    }
}
