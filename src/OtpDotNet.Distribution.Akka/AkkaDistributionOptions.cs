namespace Otp.Net.Distribution.Akka;

/// <summary>
/// A hosted node's distribution (section <c>Otp:Distribution</c>): the node's name and limits, and how it joins the
/// Akka.NET cluster (<c>Otp:Distribution:Akka</c>).
/// </summary>
public sealed class AkkaDistributionOptions
{
    /// <summary>The node's name, <c>name@host</c>.</summary>
    public string NodeName { get; set; } = "";

    /// <summary>The largest frame sent or accepted (<see cref="DistributionOptions.MaxFrameBytes"/>).</summary>
    public int MaxFrameBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>How the node joins the cluster.</summary>
    public AkkaCarrierOptions Akka { get; } = new();

    /// <summary>Sets the allow-list of message types and anything else code decides (run after binding).</summary>
    public Action<DistributionOptions>? Configure { get; set; }
}
