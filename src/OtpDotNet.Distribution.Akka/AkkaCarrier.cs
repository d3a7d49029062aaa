using System.Collections.Concurrent;
using System.Globalization;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;

namespace Otp.Net.Distribution.Akka;

/// <summary>
/// The distribution carried by Akka.NET Cluster. Each node runs one actor system with one gateway actor: frames
/// between two nodes travel between their gateways (Akka keeps the order of messages from one actor to another), so
/// an Otp.Net process costs no actor. Membership, failure detection and downing are Akka's: a node is reported down as
/// soon as it is unreachable (the phi-accrual detector) or removed (left, or downed by the split-brain resolver), and up
/// again when it is reachable. A member's incarnation (<c>UniqueAddress.Uid</c>) is the node's creation.
/// </summary>
public sealed class AkkaCarrier : IDistributionCarrier
{
    internal const string RolePrefix = "otp:";
    internal const string GatewayName = "otp-gateway";

    private readonly AkkaCarrierOptions _options;
    private readonly int _maxFrameBytes;
    private readonly ConcurrentDictionary<NodeIdentity, IActorRef> _routes = new();
    private ActorSystem? _system;
    private IActorRef? _gateway;

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

    /// <inheritdoc />
    public async Task<NodeIdentity> StartAsync(string nodeName, ICarrierListener listener, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(listener);
        var config = ConfigurationFactory.ParseString(Hocon(nodeName));
        if (_options.Hocon is { } extra) config = ConfigurationFactory.ParseString(extra).WithFallback(config);
        _system = ActorSystem.Create(_options.SystemName, config);
        var cluster = global::Akka.Cluster.Cluster.Get(_system);
        var self = new NodeIdentity(nodeName, Convert.ToInt64(cluster.SelfUniqueAddress.Uid, CultureInfo.InvariantCulture));
        _gateway = _system.ActorOf(Props.Create(() => new Gateway(listener, self, _routes)), GatewayName);
        var seeds = _options.Seeds.Count == 0
            ? [cluster.SelfAddress]
            : _options.Seeds.Select(s => global::Akka.Actor.Address.Parse($"akka.tcp://{_options.SystemName}@{s}")).ToList();
        await cluster.JoinSeedNodesAsync(seeds, cancellationToken).ConfigureAwait(false);
        return self;
    }

    /// <inheritdoc />
    public void Send(NodeIdentity to, ReadOnlyMemory<byte> frame)
    {
        if (_routes.TryGetValue(to, out var gateway)) gateway.Tell(frame.ToArray(), _gateway);
    }

    /// <summary>Leaves the cluster gracefully and stops the actor system.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_system is null) return;
        try
        {
            await CoordinatedShutdown.Get(_system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).WaitAsync(TimeSpan.FromSeconds(15)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await _system.Terminate().ConfigureAwait(false);
        }
    }

    private string Hocon(string nodeName)
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
                roles = ["{{RolePrefix}}{{nodeName}}"]
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
