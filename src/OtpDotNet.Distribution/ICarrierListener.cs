namespace Otp.Net.Distribution;

/// <summary>What a carrier reports to the distribution above it. Calls for one node arrive in order.</summary>
public interface ICarrierListener
{
    /// <summary>A node joined, or became reachable again: frames can flow both ways.</summary>
    void OnNodeUp(NodeIdentity node);

    /// <summary>A node left, was downed, or became unreachable: every link and monitor toward it fires.</summary>
    void OnNodeDown(NodeIdentity node);

    /// <summary>A frame from <paramref name="from"/>. The memory is valid during the call only.</summary>
    void OnFrame(NodeIdentity from, ReadOnlyMemory<byte> frame);
}
