namespace Otp.Net.Distribution;

/// <summary>A service every node runs (global names, process groups): its own messages, and node events.</summary>
internal interface IClusterService
{
    string Name { get; }

    void OnNodeUp(NodeIdentity node);

    void OnNodeDown(NodeIdentity node);

    void OnMessage(NodeIdentity from, object? payload);
}
