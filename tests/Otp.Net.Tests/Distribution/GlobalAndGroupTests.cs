using Otp.Net.Distribution;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Tests.Distribution;

/// <summary>Cluster-wide names (global) and process groups (pg) on the in-memory carrier.</summary>
public sealed class GlobalAndGroupTests : IAsyncLifetime
{
    private InMemoryCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await InMemoryCluster.StartAsync(3);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private static Pid Idle(Node node) => node.Spawn(ctx => ctx.ReceiveAsync().AsTask());

    [Fact] // X10
    public async Task AGlobalName_IsUniqueInTheCluster_SeenFromEveryNode_AndReleasedWithItsNode()
    {
        var onC = Idle(_cluster[2]);
        (await _cluster.Cluster(2).Global.RegisterNameAsync("leader", onC)).Should().BeTrue();
        var rival = Idle(_cluster[0]);
        (await _cluster.Cluster(0).Global.RegisterNameAsync("leader", rival)).Should().BeFalse("the name is held on c");
        (await _cluster.Cluster(1).Global.RegisterNameAsync("leader", Idle(_cluster[1]))).Should().BeFalse();
        for (var i = 0; i < 3; i++)
        {
            var seen = _cluster.Cluster(i).Global.WhereIsName("leader");
            seen.Should().NotBeNull($"node {i} sees the name");
            seen!.Value.Id.Should().Be(onC.Id);
            seen.Value.Node.Name.Should().Be("c@test");
        }
        await _cluster.CrashAsync(2);
        // Each node releases the name while it handles the down (before its processes hear of it).
        await InMemoryCluster.EventuallyAsync(() => _cluster.Cluster(0).Global.WhereIsName("leader") is null, "a releases the name");
        await InMemoryCluster.EventuallyAsync(() => _cluster.Cluster(1).Global.WhereIsName("leader") is null, "b releases the name");
        // A survivor takes it.
        (await _cluster.Cluster(1).Global.RegisterNameAsync("leader", rival.Process is null ? Idle(_cluster[1]) : _cluster.PidAt(1, rival))).Should().BeTrue();
        _cluster.Cluster(0).Global.WhereIsName("leader").Should().Be(rival);
    }

    [Fact] // X10: the name is released when its process exits
    public async Task AGlobalName_IsReleasedWhenItsProcessExits()
    {
        var holder = Idle(_cluster[1]);
        (await _cluster.Cluster(1).Global.RegisterNameAsync("worker", holder)).Should().BeTrue();
        var watcher = _cluster.Probe(0);
        await watcher.WatchAsync(_cluster.PidAt(0, holder));
        _cluster[1].Exit(holder, ExitReason.Kill);
        await watcher.ExpectDownAsync(_cluster.PidAt(0, holder));
        // b releases the name when it sees the exit, then tells every node.
        await InMemoryCluster.EventuallyAsync(() => _cluster.Cluster(0).Global.WhereIsName("worker") is null, "a sees the name released");
        (await _cluster.Cluster(0).Global.RegisterNameAsync("worker", Idle(_cluster[0]))).Should().BeTrue();
    }

    [Fact]
    public async Task AGlobalViaName_NamesAServer_CalledFromAnyNode()
    {
        var global = _cluster.Cluster(1).Global;
        var started = await GenServer.StartAsync(_cluster[1], new KvServer(), options: new GenServerOptions { Name = global.Via("kv") });
        started.Pid.IsUndefined.Should().BeFalse();
        GenServer.Cast(_cluster.Cluster(0).Global.Via("kv"), new Put("k", "v"));
        (await GenServer.CallAsync(_cluster.Cluster(2).Global.Via("kv"), new Get("k"))).Should().Be("v");
        TermFormatter.Format(global.Via("kv")).Should().Be("{global,kv}");
    }

    [Fact] // A partition that heals: one holder keeps the name, the other is sent {global_name_conflict, Name}
    public async Task AfterAPartitionHeals_AConflictingNameKeepsOneHolder()
    {
        _cluster.Network.Disconnect("a@test", "b@test");
        _cluster.Network.Disconnect("c@test", "b@test");
        await _cluster.WaitDisconnectedAsync(0, "b@test");
        await _cluster.WaitDisconnectedAsync(2, "b@test");
        await _cluster.WaitDisconnectedAsync(1, "a@test");
        await _cluster.WaitDisconnectedAsync(1, "c@test");
        var onA = Idle(_cluster[0]);
        var onB = Idle(_cluster[1]);
        (await _cluster.Cluster(0).Global.RegisterNameAsync("db", onA)).Should().BeTrue();
        (await _cluster.Cluster(1).Global.RegisterNameAsync("db", onB)).Should().BeTrue("b is alone on its side");
        var watchB = _cluster.Probe(1);
        await watchB.WatchAsync(onB);
        _cluster.Network.Reconnect("a@test", "b@test");
        _cluster.Network.Reconnect("c@test", "b@test");
        await _cluster.WaitConnectedAsync();
        // a's holder wins (a@test sorts first); b's is told to exit.
        (await watchB.ExpectDownAsync(onB)).Reason.Should().Be(ExitReason.Of(TermTuple.Of(Atom.Of("global_name_conflict"), Atom.Of("db"))));
        // Healing settles asynchronously: both sides saw the break, so each tells the other to drop the connection
        // once more and the tables are exchanged again; b ends up with a's holder.
        await InMemoryCluster.EventuallyAsync(() => _cluster.Cluster(1).Global.WhereIsName("db") == _cluster.PidAt(1, onA), "b takes a's holder");
        _cluster.Cluster(0).Global.WhereIsName("db").Should().Be(onA);
    }

    [Fact] // X11
    public async Task AGroupMember_IsSeenOnEveryNode_AndRemovedWithItsNode()
    {
        var onA = Idle(_cluster[0]);
        var onC = Idle(_cluster[2]);
        _cluster.Cluster(0).Groups.Join("workers", onA);
        _cluster.Cluster(2).Groups.Join("workers", onC);
        // The joins reach b: a message sent after each join, from the same node, arrives after it.
        await RoundTripAsync(0, 1);
        await RoundTripAsync(2, 1);
        var members = _cluster.Cluster(1).Groups.GetMembers("workers");
        members.Should().BeEquivalentTo([_cluster.PidAt(1, onA), _cluster.PidAt(1, onC)]);
        _cluster.Cluster(1).Groups.GetLocalMembers("workers").Should().BeEmpty();
        _cluster.Cluster(0).Groups.GetLocalMembers("workers").Should().Equal(onA);
        await _cluster.CrashAsync(2);
        await InMemoryCluster.EventuallyAsync(() => _cluster.Cluster(1).Groups.GetMembers("workers").Count == 1, "b removes c's member");
        _cluster.Cluster(1).Groups.GetMembers("workers").Should().Equal(_cluster.PidAt(1, onA));
    }

    [Fact] // pg: a member that exits leaves its groups on every node; a node that joins later sees current members
    public async Task AMemberThatExits_Leaves_AndALateNodeSeesTheMembers()
    {
        var stays = Idle(_cluster[0]);
        var leaves = Idle(_cluster[0]);
        _cluster.Cluster(0).Groups.Join("g", [stays, leaves]);
        _cluster[0].Exit(leaves, ExitReason.Kill);
        await _cluster[0].WaitForExitAsync(leaves);
        await InMemoryCluster.EventuallyAsync(() => _cluster.Cluster(0).Groups.GetLocalMembers("g").Count == 1, "the member that exited has left");
        var late = await _cluster.StartNodeAsync("d@test");
        await _cluster.WaitConnectedAsync();
        await RoundTripAsync(0, 1);
        await RoundTripAsync(0, 3);
        _cluster.Cluster(1).Groups.GetMembers("g").Should().Equal(_cluster.PidAt(1, stays));
        late.Groups.GetMembers("g").Should().Equal(_cluster.PidAt(3, stays));
        late.Groups.WhichGroups().Should().Equal("g");
        var act = () => late.Groups.Join("g", _cluster.PidAt(3, stays));
        act.Should().Throw<ArgumentException>("only local processes join");
    }

    /// <summary>A message from node <paramref name="from"/> to node <paramref name="to"/> and back: what node <paramref name="from"/> sent before has arrived.</summary>
    private async Task RoundTripAsync(int from, int to)
    {
        var there = _cluster.Probe(to);
        var here = _cluster.Probe(from);
        here.Send(_cluster.PidAt(from, there.Pid), "ping");
        await there.ExpectMsgAsync<string>();
        there.Send(_cluster.PidAt(to, here.Pid), "pong");
        await here.ExpectMsgAsync<string>();
    }
}
