namespace Otp.Net.Distribution.Akka;

/// <summary>How a node joins an Akka.NET cluster (section <c>Otp:Distribution:Akka</c> when hosted).</summary>
public sealed class AkkaCarrierOptions
{
    /// <summary>The actor system's name: the same on every node of a cluster.</summary>
    public string SystemName { get; set; } = "otp";

    /// <summary>The address this node listens on (loopback by default).</summary>
    public string Hostname { get; set; } = "127.0.0.1";

    /// <summary>The port this node listens on; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>
    /// The port this node accepts other nodes' frame connections on (on <see cref="Hostname"/>); 0 (the default) picks
    /// a free one, which the other nodes learn from the membership.
    /// </summary>
    public int FramePort { get; set; }

    /// <summary>
    /// Seed nodes, <c>host:port</c>. Empty: the node forms a cluster of its own, which others join by naming it.
    /// </summary>
    public IList<string> Seeds { get; } = [];

    /// <summary>The split-brain resolver's strategy: <c>keep-majority</c> (default), <c>keep-oldest</c>, <c>static-quorum</c>, <c>down-all</c>.</summary>
    public string SplitBrainStrategy { get; set; } = "keep-majority";

    /// <summary>How long membership must be stable before the resolver downs unreachable nodes (Akka's default: 20 s).</summary>
    public TimeSpan StableAfter { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The phi-accrual failure detector's acceptable heartbeat pause (Akka's default: 3 s): the bound on how soon a node that stops answering is seen as down.</summary>
    public TimeSpan AcceptableHeartbeatPause { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// What Akka itself logs to standard output: <c>WARNING</c> by default (a node that dies makes Akka log the broken
    /// association); <c>ERROR</c>, <c>INFO</c>, <c>DEBUG</c> or <c>OFF</c>. Otp.Net's own reports go to the node's logger.
    /// </summary>
    public string AkkaLogLevel { get; set; } = "WARNING";

    /// <summary>Extra HOCON, applied over what these options set.</summary>
    public string? Hocon { get; set; }

    /// <summary>Throws when a setting is unusable.</summary>
    /// <exception cref="DistributionException">A port out of range, a seed not of the form host:port, or an unknown strategy.</exception>
    public void Validate()
    {
        if (Port is < 0 or > 65535) throw new DistributionException($"Port must be between 0 and 65535 (was {Port})");
        if (FramePort is < 0 or > 65535) throw new DistributionException($"FramePort must be between 0 and 65535 (was {FramePort})");
        foreach (var seed in Seeds)
        {
            var colon = seed.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(seed.AsSpan(colon + 1), out var p) || p is <= 0 or > 65535) throw new DistributionException($"the seed '{seed}' is not of the form host:port");
        }
        if (SplitBrainStrategy is not ("keep-majority" or "keep-oldest" or "static-quorum" or "down-all" or "lease-majority"))
        {
            throw new DistributionException($"unknown split-brain strategy '{SplitBrainStrategy}'");
        }
        if (AkkaLogLevel is not ("OFF" or "ERROR" or "WARNING" or "INFO" or "DEBUG")) throw new DistributionException($"unknown Akka log level '{AkkaLogLevel}'");
        if (string.IsNullOrWhiteSpace(SystemName) || !SystemName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new DistributionException($"the system name '{SystemName}' may hold ASCII letters, digits, '-' and '_' only");
        }
    }
}
