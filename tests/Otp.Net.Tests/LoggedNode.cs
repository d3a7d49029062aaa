using Microsoft.Extensions.Logging;

namespace Otp.Net.Tests;

/// <summary>A node whose reports are captured, for tests of what the runtime logs.</summary>
internal sealed class LoggedNode : IDisposable
{
    public LoggedNode(Func<NodeOptions, NodeOptions>? configure = null)
    {
        Factory = new LoggerFactory([Logs]);
        var options = new NodeOptions { LoggerFactory = Factory };
        Node = new Node(configure is null ? options : configure(options));
    }

    public CapturingLoggerProvider Logs { get; } = new();

    public LoggerFactory Factory { get; }

    public Node Node { get; }

    public void Dispose()
    {
        Node.Dispose();
        Factory.Dispose();
    }
}
