using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Distribution;

/// <summary>Distribution from inside a process: <c>{Name, Node} ! Msg</c>, monitors of <c>{Name, Node}</c>, node monitors.</summary>
public static class ProcessContextDistributionExtensions
{
    /// <summary><c>{Name, Node} ! Message</c>: dropped when the node is down or the name not registered there (X4).</summary>
    /// <exception cref="MessageNotSerializableException">The message cannot cross nodes.</exception>
    public static void Send(this ProcessContext context, string name, string node, object message)
    {
        ArgumentNullException.ThrowIfNull(context);
        Cluster.Of(context.Node).SendNamed(name, node, message);
    }

    /// <summary>
    /// <c>monitor(process, {Name, Node})</c>: a <see cref="DownMessage"/> carrying the name and node when the process
    /// registered there ends; <c>noproc</c> at once when none is (X5); <c>noconnection</c> when the node goes down (X2).
    /// </summary>
    public static Ref Monitor(this ProcessContext context, string name, string node)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(node);
        var cluster = Cluster.Of(context.Node);
        if (cluster.IsSelf(node)) return context.Monitor(name);
        var process = (LocalProcess)context;
        return process.MonitorRemote(new RemoteMonitor(new Ref(), node, null, name), cluster);
    }

    /// <summary><c>monitor_node(Node, true)</c>: a <see cref="NodeDown"/> when <paramref name="node"/> goes down, at once if it is not connected (X3).</summary>
    public static void MonitorNode(this ProcessContext context, string node)
    {
        ArgumentNullException.ThrowIfNull(context);
        Cluster.Of(context.Node).MonitorNode(context.Self, node);
    }

    /// <summary><c>monitor_node(Node, false)</c>.</summary>
    public static void DemonitorNode(this ProcessContext context, string node)
    {
        ArgumentNullException.ThrowIfNull(context);
        Cluster.Of(context.Node).DemonitorNode(context.Self, node);
    }
}
