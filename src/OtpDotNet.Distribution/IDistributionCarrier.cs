namespace Otp.Net.Distribution;

/// <summary>
/// What carries a node's distribution: membership, failure detection and ordered frames between nodes. A carrier runs
/// on a cluster engine (Akka.NET Cluster) or in memory (tests); Otp.Net's semantics (links, monitors, exit reasons,
/// names, groups) are built above it and do not depend on which one.
/// </summary>
/// <remarks>
/// A carrier guarantees: frames from one node to another arrive in the order they were sent, or not at all (the
/// basis of X12, signal order per sender and receiver); after <see cref="ICarrierListener.OnNodeDown"/> for an
/// incarnation, no frame of that incarnation is delivered; a node that comes back under the same name has another
/// <see cref="NodeIdentity.Creation"/>.
/// </remarks>
public interface IDistributionCarrier : IAsyncDisposable
{
    /// <summary>
    /// Joins the cluster as <paramref name="nodeName"/> and starts reporting to <paramref name="listener"/>.
    /// Returns this node's identity, its creation chosen by the carrier.
    /// </summary>
    Task<NodeIdentity> StartAsync(string nodeName, ICarrierListener listener, CancellationToken cancellationToken);

    /// <summary>Sends a frame to <paramref name="to"/>; dropped if that incarnation is not (or no longer) connected.</summary>
    void Send(NodeIdentity to, ReadOnlyMemory<byte> frame);
}
