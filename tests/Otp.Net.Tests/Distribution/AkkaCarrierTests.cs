using System.Net.Sockets;
using Otp.Net.Distribution;
using Otp.Net.Distribution.Akka;
using Otp.Net.Processes;
using Otp.Net.Terms;
using Otp.Net.TestKit;

namespace Otp.Net.Tests.Distribution;

/// <summary>The Akka.NET carrier's frame connections, with two nodes in this program on 127.0.0.1.</summary>
public sealed class AkkaCarrierTests : IAsyncLifetime
{
    private readonly List<(TestNode Test, Cluster Cluster, AkkaCarrier Carrier)> _nodes = [];

    public async Task InitializeAsync()
    {
        await StartNodeAsync("a@127.0.0.1", seed: null);
        await StartNodeAsync("b@127.0.0.1", seed: _nodes[0].Carrier.Address![(_nodes[0].Carrier.Address!.LastIndexOf('@') + 1)..]);
        await WaitAsync(() => _nodes[0].Cluster.IsConnected("b@127.0.0.1") && _nodes[1].Cluster.IsConnected("a@127.0.0.1"));
    }

    public async Task DisposeAsync()
    {
        foreach (var (test, cluster, _) in _nodes)
        {
            await cluster.DisposeAsync();
            await test.DisposeAsync();
        }
    }

    private async Task StartNodeAsync(string name, string? seed)
    {
        var test = new TestNode();
        var options = new AkkaCarrierOptions { AkkaLogLevel = "ERROR" };
        if (seed is not null) options.Seeds.Add(seed);
        var carrier = new AkkaCarrier(options);
        var cluster = await Cluster.StartAsync(test.Node, new DistributionOptions { NodeName = name }, carrier);
        _nodes.Add((test, cluster, carrier));
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(20, deadline.Token);
        }
    }

    /// <summary>A pid of node <paramref name="owner"/> as node <paramref name="at"/> knows it.</summary>
    private Pid PidAt(int at, int owner, Pid pid) => _nodes[at].Cluster.PidOf(_nodes[owner].Cluster.Self, pid.Id);

    [Fact] // X12: frames queued by many senders at once are batched on one connection, none lost, each sender's in order
    public async Task ManySendersAtOnce_EveryMessageArrives_InOrderPerSender()
    {
        const int senders = 8;
        const int each = 5_000;
        var probe = _nodes[1].Test.CreateProbe();
        var collector = _nodes[1].Test.Node.Spawn(async ctx =>
        {
            var next = new long[senders];
            var disorder = 0;
            for (var i = 0; i < senders * each; i++)
            {
                var m = (TermTuple)(await ctx.ReceiveAsync())!;
                var (sender, n) = ((int)(long)m[0]!, (long)m[1]!);
                if (n != next[sender]) disorder++;
                next[sender] = n + 1;
            }
            ctx.Send(probe.Pid, TermTuple.Of(Atom.Of("done"), (long)disorder));
        });
        var target = PidAt(0, 1, collector);
        for (var s = 0; s < senders; s++)
        {
            var sender = (long)s;
            _nodes[0].Test.Node.Spawn(ctx =>
            {
                for (var i = 0L; i < each; i++) ctx.Send(target, TermTuple.Of(sender, i));
                return Task.CompletedTask;
            });
        }
        var done = await probe.ExpectMsgAsync<TermTuple>(timeout: TimeSpan.FromSeconds(60));
        done[0].Should().Be(Atom.Of("done"));
        done[1].Should().Be(0L, "each sender's messages arrive in the order it sent them");
    }

    [Fact] // X1, X2: a broken connection is a nodedown on both sides (as between Erlang nodes); then the nodes reconnect
    public async Task ABrokenConnection_IsANodedownOnBothSides_AndTheNodesReconnect()
    {
        var atB = _nodes[1].Test.Node.Spawn(ctx => ctx.ReceiveAsync().AsTask());
        var atA = _nodes[0].Test.Node.Spawn(ctx => ctx.ReceiveAsync().AsTask());
        var watcherA = _nodes[0].Test.CreateProbe();
        await watcherA.WatchAsync(PidAt(0, 1, atB));
        var linkedB = _nodes[1].Test.CreateProbe(trapExit: true);
        await linkedB.LinkAsync(PidAt(1, 0, atA));
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var downs = 0;
        _nodes[1].Cluster.NodeDisconnected += _ => Interlocked.Increment(ref downs);
        _nodes[1].Cluster.NodeConnected += _ =>
        {
            if (Volatile.Read(ref downs) > 0) reconnected.TrySetResult();
        };

        _nodes[0].Carrier.Sever(_nodes[1].Cluster.Self);

        (await watcherA.ExpectDownAsync(PidAt(0, 1, atB))).Reason.Should().Be(ExitReason.NoConnection);
        (await linkedB.ExpectExitMessageAsync(PidAt(1, 0, atA))).Reason.Should().Be(ExitReason.NoConnection);
        await reconnected.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await WaitAsync(() => _nodes[0].Cluster.IsConnected("b@127.0.0.1"));
        var echo = _nodes[1].Test.CreateProbe();
        var asker = _nodes[0].Test.CreateProbe();
        asker.Send(PidAt(0, 1, echo.Pid), "again");
        (await echo.ExpectMsgAsync<string>()).Should().Be("again");
    }

    [Theory]
    [InlineData(new byte[] { 0x47, 0x45, 0x54, 0x20, 0x2F, 0x20, 0x48, 0x54, 0x54, 0x50, 0x2F, 0x31, 0x2E, 0x31, 0x0D, 0x0A, 0x0D, 0x0A })]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0x7F, 1, 2, 3 })]
    [InlineData(new byte[] { 9, 0, 0, 0, 0x4E, 0x50, 0x54, 0x4F, 1, 0, 0, 0, 0 })]
    public async Task Garbage_OnTheFramePort_IsRefused_AndTheNodesGoOn(byte[] garbage)
    {
        using (var stranger = new TcpClient())
        {
            await stranger.ConnectAsync("127.0.0.1", _nodes[1].Carrier.FramePort!.Value);
            var stream = stranger.GetStream();
            await stream.WriteAsync(garbage);
            // The node answers nothing and closes the connection (at once, or when its handshake time runs out).
            (await ReadUntilClosedAsync(stream).WaitAsync(TimeSpan.FromSeconds(30))).Should().Be(0, "the node answers nothing");
        }
        _nodes[1].Cluster.IsConnected("a@127.0.0.1").Should().BeTrue();
        var echo = _nodes[1].Test.CreateProbe();
        _nodes[0].Test.CreateProbe().Send(PidAt(0, 1, echo.Pid), "still here");
        (await echo.ExpectMsgAsync<string>()).Should().Be("still here");
    }

    [Fact]
    public async Task AStrangerWithAWellFormedHandshake_IsHeldUntilItLeaves_AndLeavesNothingBehind()
    {
        var b = _nodes[1];
        b.Carrier.LinkCount.Should().Be(1);
        using (var stranger = new TcpClient())
        {
            await stranger.ConnectAsync("127.0.0.1", b.Carrier.FramePort!.Value);
            var stream = stranger.GetStream();
            await stream.WriteAsync(FrameLinks.Handshake(new NodeIdentity("stranger@127.0.0.1", 7), b.Cluster.Self));
            var ack = new byte[1];
            (await stream.ReadAsync(ack)).Should().Be(1, "a node the membership has not named yet may be about to be");
            b.Carrier.LinkCount.Should().Be(2);
            // Frames it sends wait for a membership that never comes.
            await stream.WriteAsync(new byte[] { 3, 0, 0, 0, 0x91, 0x01, 0xC0 });
        }
        await WaitAsync(() => b.Carrier.LinkCount == 1);
        b.Cluster.IsConnected("stranger@127.0.0.1").Should().BeFalse();
    }

    /// <summary>How many bytes arrive before the other side closes (or resets) the connection.</summary>
    private static async Task<int> ReadUntilClosedAsync(NetworkStream stream)
    {
        var buffer = new byte[16];
        var total = 0;
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0) total += read;
        }
        catch (IOException)
        {
        }
        return total;
    }
}
