namespace Otp.Net.Distribution;

/// <summary>A node's distribution settings (section <c>Otp:Distribution</c> when hosted).</summary>
public sealed class DistributionOptions
{
    /// <summary>The node's name, <c>name@host</c> as in Erlang. Unique in the cluster at any time.</summary>
    public string NodeName { get; set; } = "";

    /// <summary>The user types allowed to cross nodes (the same list on every node).</summary>
    public MessageTypes Messages { get; } = new();

    /// <summary>The largest frame sent or accepted (a message, a request or a reply with its envelope): 8 MiB by default.</summary>
    public int MaxFrameBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Throws when a setting is unusable.</summary>
    /// <exception cref="DistributionException">The name is not <c>name@host</c>, or the frame limit is below 1 KiB.</exception>
    public void Validate()
    {
        var at = NodeName.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at == NodeName.Length - 1 || NodeName.IndexOf('@', at + 1) >= 0 || NodeName.Any(char.IsWhiteSpace))
        {
            throw new DistributionException($"the node name '{NodeName}' is not of the form name@host");
        }
        if (NodeName == NodeIdentity.Local.Name) throw new DistributionException("nonode@nohost is the name of a node that is not distributed");
        if (MaxFrameBytes < 1024) throw new DistributionException($"MaxFrameBytes must be at least 1024 (was {MaxFrameBytes})");
    }
}
