using Otp.Net.Distribution;
using Otp.Net.Processes;
using Otp.Net.Terms;
using Otp.Net.TestKit;

namespace Otp.Net.Tests.Distribution;

/// <summary>Messages, links, monitors and exit signals between nodes, on the in-memory carrier (otp-semantics §11).</summary>
public sealed class RemoteSignalTests : IAsyncLifetime
{
    private InMemoryCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await InMemoryCluster.StartAsync(3);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private static ExitReason Boom => ExitReason.Of(Atom.Of("boom"));

    [Fact]
    public async Task APid_CrossesNodes_PrintsWithItsNodeIndex_AndComesBackAsTheSamePid()
    {
        var a = _cluster.Probe(0);
        var b = _cluster.Probe(1);
        a.Send(_cluster.PidAt(0, b.Pid), new Ping(1, a.Pid));
        var ping = await b.ExpectMsgAsync<Ping>();
        ping.ReplyTo.IsRemote.Should().BeTrue();
        ping.ReplyTo.Node.Name.Should().Be("a@test");
        ping.ReplyTo.ToString().Should().MatchRegex(@"^<[1-9]\d*\.\d+\.0>$");
        b.Send(ping.ReplyTo, new Pong(ping.N, "b"));
        (await a.ExpectMsgAsync<Pong>()).Should().Be(new Pong(1, "b"));
        // The pid sent back is the original local pid again.
        b.Send(ping.ReplyTo, TermTuple.Of(Atom.Of("me"), ping.ReplyTo));
        var back = await a.ExpectMsgAsync<TermTuple>();
        ((Pid)back[1]!).Should().Be(a.Pid);
        ((Pid)back[1]!).IsRemote.Should().BeFalse();
    }

    [Fact]
    public async Task Terms_RoundTrip_WithTheirTypes()
    {
        var a = _cluster.Probe(0);
        var b = _cluster.Probe(1);
        var r = new Ref();
        var map = new Dictionary<object, object?> { [Atom.Of("k")] = 1L, ["s"] = new TermList(1L, 2.5, "x") };
        object[] terms =
        [
            42, 42L, 3.5, 2.5f, "text", true, new byte[] { 1, 2, 3 }, Atom.Of("ok"), (short)7, 'c', 12.5m,
            Guid.Parse("8a4f7f39-5f0a-4b8a-9c7e-1b2c3d4e5f60"), TimeSpan.FromSeconds(3),
            TermTuple.Of(Atom.Of("t"), 1L), ExitReason.Of(TermTuple.Of(Atom.Of("shutdown"), "why")),
            new Nested(TermTuple.Of(1L, "two"), [1, 2, 3], new Dictionary<string, long> { ["x"] = 9 }),
        ];
        var bAtA = _cluster.PidAt(0, b.Pid);
        foreach (var term in terms) a.Send(bAtA, term);
        a.Send(bAtA, map);
        a.Send(bAtA, r);
        foreach (var term in terms)
        {
            var got = await b.ExpectMsgAsync<object>();
            got.GetType().Should().Be(term.GetType());
            if (term is byte[] bytes)
            {
                ((byte[])got).Should().Equal(bytes);
            }
            else if (term is Nested n)
            {
                var m = (Nested)got;
                m.Inner.Should().Be(n.Inner);
                m.Numbers.Should().Equal(n.Numbers);
                m.Counts.Should().BeEquivalentTo(n.Counts);
            }
            else
            {
                TermEquality.Equal(got, term).Should().BeTrue($"{TermFormatter.Format(term)} came back as {TermFormatter.Format(got)}");
            }
        }
        var gotMap = await b.ExpectMsgAsync<Dictionary<object, object?>>();
        gotMap[Atom.Of("k")].Should().Be(1L);
        var gotRef = await b.ExpectMsgAsync<Ref>();
        gotRef.Should().NotBeSameAs(r);
        b.Send(_cluster.PidAt(1, a.Pid), gotRef);
        (await a.ExpectMsgAsync<Ref>()).Should().Be(r, "a ref that returns to its program equals the original");
    }

    [Fact]
    public async Task AnUnlistedType_IsATypedErrorForTheSender_AndNothingIsSent()
    {
        var a = _cluster.Probe(0);
        var b = _cluster.Probe(1);
        var bAtA = _cluster.PidAt(0, b.Pid);
        var act = () => a.RunAsync(ctx =>
        {
            ctx.Send(bAtA, new Unlisted { X = 1 });
            return Task.CompletedTask;
        });
        (await act.Should().ThrowAsync<MessageNotSerializableException>()).Which.Type.Should().Be<Unlisted>();
        var unserializable = () => a.RunAsync(ctx =>
        {
            ctx.Send(bAtA, new Action(() => { }));
            return Task.CompletedTask;
        });
        await unserializable.Should().ThrowAsync<MessageNotSerializableException>();
        // The connection goes on.
        a.Send(bAtA, "after");
        (await b.ExpectMsgAsync<string>()).Should().Be("after");
    }

    [Fact]
    public async Task AFrameTheReceiverCannotRead_IsDropped_AndTheConnectionGoesOn()
    {
        // z allows a type that a does not: a's node drops the frame that names it, logs why, and takes the next one.
        var z = await _cluster.StartNodeAsync("z@test", o => o.Messages.Allow<Unlisted>());
        await _cluster.WaitConnectedAsync();
        var receiver = _cluster.Probe(0);
        await using var sender = new TestProbe(z.Node);
        var target = z.PidOf(_cluster[0].Identity, receiver.Pid.Id);
        sender.Send(target, new Unlisted { X = 1 });
        sender.Send(target, new Ping(2, sender.Pid));
        (await receiver.ExpectMsgAsync<object>()).Should().BeOfType<Ping>().Which.N.Should().Be(2);
        _cluster.Test(0).Logs.Entries.Should().Contain(e => e.EventId.Id == 8003 && e.Message.Contains(typeof(Unlisted).FullName!));
    }

    [Fact]
    public async Task ANodeEventHandlerThatThrows_DoesNotStopTheOtherHandlers_NorTheNode()
    {
        var a = _cluster.Cluster(0);
        var seen = new List<string>();
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        a.NodeDisconnected += _ => throw new InvalidOperationException("a user's handler fails");
        a.NodeConnected += _ => throw new InvalidOperationException("a user's handler fails");
        a.NodeDisconnected += n =>
        {
            lock (seen) seen.Add($"down {n.Name}");
        };
        a.NodeConnected += n =>
        {
            lock (seen) seen.Add($"up {n.Name}");
            up.TrySetResult();
        };
        _cluster.Network.Disconnect("a@test", "c@test");
        await _cluster.WaitDisconnectedAsync(0, "c@test");
        _cluster.Network.Reconnect("a@test", "c@test");
        await _cluster.WaitConnectedAsync();
        // The handlers run on the node's own event path, which may come after the connection is visible: wait for
        // the second handler itself (the first one threw before it).
        await up.Task.Within();
        lock (seen) seen.Should().StartWith(["down c@test", "up c@test"]);
        var probe = _cluster.Probe(0);
        _cluster.Probe(2).Send(_cluster.PidAt(2, probe.Pid), "still delivered");
        (await probe.ExpectMsgAsync<string>()).Should().Be("still delivered");
    }

    [Fact] // X12
    public async Task Messages_FromOneSender_ArriveInOrder()
    {
        var a = _cluster.Probe(0);
        var b = _cluster.Probe(1);
        var bAtA = _cluster.PidAt(0, b.Pid);
        await a.RunAsync(ctx =>
        {
            for (var i = 0; i < 2000; i++) ctx.Send(bAtA, i);
            return Task.CompletedTask;
        });
        for (var i = 0; i < 2000; i++) (await b.ExpectMsgAsync<int>()).Should().Be(i);
    }

    [Fact] // X12: an exit signal does not overtake the messages sent before it by the same process
    public async Task AnExit_FollowsTheMessagesSentBeforeIt()
    {
        var b = _cluster.Probe(1);
        var bAtA = _cluster.PidAt(0, b.Pid);
        await _cluster.Probe(0).RunAsync(ctx =>
        {
            var sender = ctx.Spawn(async c =>
            {
                c.Link(bAtA);
                for (var i = 0; i < 100; i++) c.Send(bAtA, i);
                await Task.Yield();
                throw new OtpExitException(Boom);
            });
            return Task.CompletedTask;
        });
        for (var i = 0; i < 100; i++) (await b.ExpectMsgAsync<int>()).Should().Be(i);
        (await b.ExpectMsgAsync<ExitMessage>()).Reason.Should().Be(Boom);
    }

    [Fact] // X1
    public async Task ALink_ToAProcessOnANodeThatCrashes_DeliversNoConnection()
    {
        var remote = _cluster.PidAt(0, _cluster[2].Spawn(ctx => ctx.ReceiveAsync().AsTask()));
        var trapping = _cluster.Probe(0);
        await trapping.LinkAsync(remote);
        var notTrapping = _cluster[0].Spawn(async ctx =>
        {
            ctx.Link(remote);
            await ctx.ReceiveAsync();
        });
        var watcher = _cluster.Probe(0);
        await watcher.WatchAsync(notTrapping);
        await _cluster.CrashAsync(2);
        (await trapping.ExpectExitMessageAsync(remote)).Reason.Should().Be(ExitReason.NoConnection);
        (await watcher.ExpectDownAsync(notTrapping)).Reason.Should().Be(ExitReason.NoConnection);
    }

    [Fact] // X2
    public async Task AMonitor_OfAProcessOnANodeThatCrashes_DeliversDownNoConnection()
    {
        var remote = _cluster.PidAt(0, _cluster[2].Spawn(ctx => ctx.ReceiveAsync().AsTask()));
        var watcher = _cluster.Probe(0);
        var monitor = await watcher.WatchAsync(remote);
        await _cluster.CrashAsync(2);
        var down = await watcher.ExpectDownAsync(monitor);
        down.Reason.Should().Be(ExitReason.NoConnection);
        down.Pid.Should().Be(remote);
    }

    [Fact] // P4: a remote monitor delivers the process's own reason, and demonitor stops it
    public async Task AMonitor_OfARemoteProcess_DeliversItsReason_AndDemonitorStopsIt()
    {
        var gate = _cluster.Probe(1);
        var remote = _cluster[1].Spawn(async ctx =>
        {
            await ctx.ReceiveAsync();
            throw new OtpExitException(Boom);
        });
        var other = _cluster[1].Spawn(ctx => ctx.ReceiveAsync().AsTask());
        var watcher = _cluster.Probe(0);
        var monitor = await watcher.WatchAsync(_cluster.PidAt(0, remote));
        var cancelled = await watcher.WatchAsync(_cluster.PidAt(0, other));
        await watcher.UnwatchAsync(cancelled);
        gate.Send(remote, "go");
        gate.Send(other, "go");
        var down = await watcher.ExpectDownAsync(monitor);
        down.Reason.Should().Be(Boom);
        await _cluster[1].WaitForExitAsync(other);
        // Both exits are signalled; the second monitor was removed first, so only one DOWN came.
        watcher.Send(watcher.Pid, "marker");
        (await watcher.ExpectMsgAsync<string>()).Should().Be("marker");
    }

    [Fact] // X3
    public async Task MonitorNode_DeliversNodeDown_WhenTheNodeCrashes_AndAtOnceForANodeNotConnected()
    {
        var probe = _cluster.Probe(0);
        await probe.RunAsync(ctx =>
        {
            ctx.MonitorNode("c@test");
            ctx.MonitorNode("nowhere@test");
            return Task.CompletedTask;
        });
        (await probe.ExpectMsgAsync<NodeDown>()).Node.Should().Be("nowhere@test");
        await _cluster.CrashAsync(2);
        (await probe.ExpectMsgAsync<NodeDown>()).Should().Be(new NodeDown("c@test"));
        TermFormatter.Format(new NodeDown("c@test")).Should().Be("{nodedown,c@test}");
    }

    [Fact] // X4
    public async Task SendingToANodeThatIsDown_OrToANameNotRegisteredThere_IsSilentlyDropped()
    {
        var onC = _cluster[2].Spawn(ctx => ctx.ReceiveAsync().AsTask());
        var remote = _cluster.PidAt(0, onC);
        var b = _cluster.Probe(1);
        var watch = await b.WatchAsync(_cluster.PidAt(1, onC));
        await _cluster.CrashAsync(2);
        await b.ExpectDownAsync(watch);
        var probe = _cluster.Probe(0);
        await probe.RunAsync(ctx =>
        {
            ctx.Send(remote, "lost");
            ctx.Send("nobody", "b@test", "lost");
            ctx.Send("nobody", "c@test", "lost");
            return Task.CompletedTask;
        });
        // A name that is registered there gets it.
        _cluster[1].Register("named", b.Pid);
        await probe.RunAsync(ctx =>
        {
            ctx.Send("named", "b@test", "found");
            return Task.CompletedTask;
        });
        (await b.ExpectMsgAsync<string>()).Should().Be("found");
    }

    [Fact] // X5
    public async Task MonitoringANameNotRegisteredOnANode_DeliversDownNoProc_WithTheNameAndNode()
    {
        var probe = _cluster.Probe(0);
        var monitor = await probe.RunAsync(ctx => Task.FromResult(ctx.Monitor("nobody", "b@test")));
        var down = await probe.ExpectDownAsync(monitor);
        down.Reason.Should().Be(ExitReason.NoProc);
        down.Name.Should().Be("nobody");
        down.NodeName.Should().Be("b@test");
        TermFormatter.Format(down.ToTerm()).Should().Contain("{nobody,b@test}");
    }

    [Fact] // P4.2 across nodes: a name monitored on another node reports the name in its DOWN
    public async Task MonitoringARegisteredNameOnANode_ReportsTheNameWhenItsProcessExits()
    {
        var named = _cluster[1].Spawn(async ctx =>
        {
            await ctx.ReceiveAsync();
            throw new OtpExitException(Boom);
        });
        _cluster[1].Register("svc", named);
        var probe = _cluster.Probe(0);
        var monitor = await probe.RunAsync(ctx => Task.FromResult(ctx.Monitor("svc", "b@test")));
        _cluster[1].Send(named, "go");
        var down = await probe.ExpectDownAsync(monitor);
        down.Reason.Should().Be(Boom);
        down.Name.Should().Be("svc");
    }

    [Fact] // X7
    public async Task LinkingToAPidOnANodeThatIsNotConnected_DeliversNoConnectionAtOnce()
    {
        var remote = _cluster.PidAt(1, _cluster[2].Spawn(ctx => ctx.ReceiveAsync().AsTask()));
        var b = _cluster.Probe(1);
        var watch = await b.WatchAsync(remote);
        await _cluster.CrashAsync(2);
        await b.ExpectDownAsync(watch);
        // b now holds a pid of a node that is gone: linking to it gives noconnection.
        await b.LinkAsync(remote);
        (await b.ExpectExitMessageAsync(remote)).Reason.Should().Be(ExitReason.NoConnection);
    }

    [Fact] // X8
    public async Task ExitSignals_CrossNodes_WithTheirReasons()
    {
        var killed = _cluster[1].Spawn(ctx => ctx.ReceiveAsync().AsTask(), new SpawnOptions { TrapExit = true });
        var watcher = _cluster.Probe(2);
        var watch = await watcher.WatchAsync(_cluster.PidAt(2, killed));
        var a = _cluster.Probe(0);
        await a.ExitAsync(_cluster.PidAt(0, killed), ExitReason.Kill);
        (await watcher.ExpectDownAsync(watch)).Reason.Should().Be(ExitReason.Killed);

        var victim = _cluster.PidAt(0, _cluster[1].Spawn(ctx => ctx.ReceiveAsync().AsTask()));
        await a.LinkAsync(victim);
        await a.ExitAsync(victim, Boom);
        (await a.ExpectExitMessageAsync(victim)).Reason.Should().Be(Boom);

        // A trapping remote process gets the exit as a message.
        var trapper = _cluster.Probe(1);
        await a.ExitAsync(_cluster.PidAt(0, trapper.Pid), Boom);
        var exit = await trapper.ExpectMsgAsync<ExitMessage>();
        exit.From.Should().Be(_cluster.PidAt(1, a.Pid));
        exit.Reason.Should().Be(Boom);
    }

    [Fact] // P3.2 across nodes
    public async Task LinkingToAProcessThatHasExited_OnAConnectedNode_DeliversNoProc()
    {
        var dead = _cluster[1].Spawn(_ => Task.CompletedTask);
        await _cluster[1].WaitForExitAsync(dead);
        var a = _cluster.Probe(0);
        var pid = _cluster.PidAt(0, dead);
        await a.LinkAsync(pid);
        (await a.ExpectExitMessageAsync(pid)).Reason.Should().Be(ExitReason.NoProc);
    }

    [Fact] // P3: a link is two-way across nodes, and unlink removes both sides
    public async Task ALink_IsTwoWay_AcrossNodes_AndUnlinkRemovesIt()
    {
        var a = _cluster.Probe(0);
        var b = _cluster.Probe(1);
        var bOnA = _cluster.PidAt(0, b.Pid);
        await a.LinkAsync(bOnA);
        // The link frame arrives before this message, sent after it from the same node.
        a.Send(bOnA, "linked?");
        (await b.ExpectMsgAsync<string>()).Should().Be("linked?");
        _cluster[1].GetProcessInfo(b.Pid)!.Links.Should().ContainSingle().Which.Node.Name.Should().Be("a@test");
        await a.UnlinkAsync(bOnA);
        a.Send(bOnA, "after unlink");
        (await b.ExpectMsgAsync<string>()).Should().Be("after unlink");
        _cluster[1].GetProcessInfo(b.Pid)!.Links.Should().BeEmpty();
        await a.DisposeAsync(); // killed: no exit reaches b
        b.Send(b.Pid, "marker");
        (await b.ExpectMsgAsync<string>()).Should().Be("marker");
    }

    [Fact] // X9
    public async Task APidOfAnEarlierIncarnation_RefersToNoProcess()
    {
        var old = _cluster[2].Spawn(ctx => ctx.ReceiveAsync().AsTask());
        var a = _cluster.Probe(0);
        var oldOnA = _cluster.PidAt(0, old);
        var firstCreation = oldOnA.Node.Creation;
        await _cluster.CrashAsync(2);
        await _cluster.WaitDisconnectedAsync(0, "c@test");
        var restarted = await _cluster.StartNodeAsync("c@test");
        await _cluster.WaitConnectedAsync();
        restarted.Self.Creation.Should().NotBe(firstCreation);
        // Same number, new incarnation: the old pid is not the new process.
        var monitor = await a.WatchAsync(oldOnA);
        (await a.ExpectDownAsync(monitor)).Reason.Should().Be(ExitReason.NoProc);
        a.Send(oldOnA, "lost");
        _cluster[2].IsAlive(oldOnA).Should().BeFalse();
    }

    [Fact] // X1 when only one side saw the connection break: both sides drop the link, as when an Erlang connection breaks
    public async Task ABreakOnlyOneSideSaw_EndsLinksAndMonitorsOnBothSides()
    {
        var onA = _cluster.Probe(0);
        var onB = _cluster.Probe(1);
        var bAtA = _cluster.PidAt(0, onB.Pid);
        await onA.LinkAsync(bAtA);
        var monitor = await onB.WatchAsync(_cluster.PidAt(1, onA.Pid));
        onA.Send(bAtA, "linked");
        await onB.ExpectMsgAsync<string>();
        _cluster.Network.Flap("a@test", "b@test");
        (await onA.ExpectExitMessageAsync(bAtA)).Reason.Should().Be(ExitReason.NoConnection);
        // b did not see a go down; a tells it when b comes back, and b's side ends too.
        (await onB.ExpectExitMessageAsync(_cluster.PidAt(1, onA.Pid))).Reason.Should().Be(ExitReason.NoConnection);
        (await onB.ExpectDownAsync(monitor)).Reason.Should().Be(ExitReason.NoConnection);
        // The new connection works.
        onA.Send(bAtA, "again");
        (await onB.ExpectMsgAsync<string>()).Should().Be("again");
        _cluster[1].GetProcessInfo(onB.Pid)!.Links.Should().BeEmpty();
    }

    [Fact] // a cyclic message (a list holding itself, a record reaching itself through an object member) is refused
    public async Task ACyclicMessage_IsATypedErrorForTheSender_AndTheConnectionGoesOn()
    {
        var a = _cluster.Probe(0);
        var b = _cluster.Probe(1);
        var bAtA = _cluster.PidAt(0, b.Pid);
        var list = new List<object> { 1 };
        list.Add(list);
        var map = new Dictionary<string, object>();
        map["self"] = new Nested(map, [1], []);
        foreach (var cyclic in new object[] { list, map })
        {
            var act = () => a.RunAsync(ctx =>
            {
                ctx.Send(bAtA, cyclic);
                return Task.CompletedTask;
            });
            (await act.Should().ThrowAsync<MessageNotSerializableException>()).Which.Message.Should().Contain("deeper");
        }
        a.Send(bAtA, new Ping(7, a.Pid));
        (await b.ExpectMsgAsync<object>()).Should().BeOfType<Ping>().Which.N.Should().Be(7);
    }
}
