using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Otp.Net.Distribution;
using Otp.Net.Distribution.Akka;

namespace Otp.Net.Tests.Distribution;

/// <summary>The Akka.NET carrier's frame connections on their own, with the membership played by the test.</summary>
public sealed class FrameLinksTests
{
    private static readonly NodeIdentity A = new("a@127.0.0.1", 1);
    private static readonly NodeIdentity B = new("b@127.0.0.1", 2);

    private sealed class Recorder : ICarrierListener
    {
        public ConcurrentQueue<string> Events { get; } = new();

        public void OnNodeUp(NodeIdentity node) => Events.Enqueue($"up {node.Name}");

        public void OnNodeDown(NodeIdentity node) => Events.Enqueue($"down {node.Name}");

        public void OnFrame(NodeIdentity from, ReadOnlyMemory<byte> frame) => Events.Enqueue($"frame {from.Name} {frame.Length}");
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (deadline.IsCancellationRequested) throw new TimeoutException(what);
            await Task.Delay(10, CancellationToken.None);
        }
    }

    [Fact]
    public async Task ANodeThatTakesNoFrames_IsGivenUp_ABoundedQueueLater()
    {
        // A peer that completes the handshake, then never reads.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepting = Task.Run(async () =>
        {
            var client = await silent.AcceptTcpClientAsync();
            var head = new byte[4];
            await client.GetStream().ReadExactlyAsync(head);
            await client.GetStream().ReadExactlyAsync(new byte[BitConverter.ToInt32(head)]);
            await client.GetStream().WriteAsync(new byte[] { 1 });
            return client;
        });
        await using var a = FrameLinks.Bind("127.0.0.1", 0, 1024 * 1024);
        var recorder = new Recorder();
        a.Start(A, recorder);
        a.Want(B, silent.LocalEndpoint);
        await WaitAsync(() => recorder.Events.Contains("up b@127.0.0.1"), "b up");
        using var client = await accepting;
        var frame = new byte[1024 * 1024];
        for (var i = 0; i < 200 && !recorder.Events.Contains("down b@127.0.0.1"); i++)
        {
            a.Send(B, frame);
            await Task.Yield();
        }
        await WaitAsync(() => recorder.Events.Contains("down b@127.0.0.1"), "b given up once 64 MiB wait for it");
    }

    [Fact]
    public async Task AMemberSeenUnreachable_CannotConnect_UntilItIsReachableAgain()
    {
        await using var a = FrameLinks.Bind("127.0.0.1", 0, 1024 * 1024);
        await using var b = FrameLinks.Bind("127.0.0.1", 0, 1024 * 1024);
        var atA = new Recorder();
        var atB = new Recorder();
        a.Start(A, atA);
        b.Start(B, atB);
        a.Want(B, new IPEndPoint(IPAddress.Loopback, b.Port));
        b.Want(A, new IPEndPoint(IPAddress.Loopback, a.Port));
        await WaitAsync(() => atA.Events.Contains("up b@127.0.0.1") && atB.Events.Contains("up a@127.0.0.1"), "both up");

        // b finds a unreachable; a still sees b (reachability is per observer).
        b.Unwant(A);
        await WaitAsync(() => atA.Events.Contains("down b@127.0.0.1"), "a sees the break too");
        await WaitAsync(() => atB.Events.Contains("down a@127.0.0.1"), "b reports a down");
        // a keeps trying and b keeps refusing: a does not come up on its own.
        a.Send(B, new byte[] { 1, 2, 3 });
        await Task.Delay(300);
        atA.Events.Count(e => e == "up b@127.0.0.1").Should().Be(1, "b refuses a's connection while it sees a unreachable");

        b.Want(A, new IPEndPoint(IPAddress.Loopback, a.Port));
        await WaitAsync(() => atA.Events.Count(e => e == "up b@127.0.0.1") == 2 && atB.Events.Count(e => e == "up a@127.0.0.1") == 2, "both up again");
        a.Send(B, new byte[] { 4, 5 });
        await WaitAsync(() => atB.Events.Contains("frame a@127.0.0.1 2"), "a frame after the heal");
        atB.Events.Should().NotContain("frame a@127.0.0.1 3", "a frame sent while b saw a down is never delivered");
    }
}
