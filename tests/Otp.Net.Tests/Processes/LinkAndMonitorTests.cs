using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Tests.Processes;

public sealed class LinkAndMonitorTests : IDisposable
{
    private readonly TestNode _test = new();

    private Node _node => _test.Node;

    public void Dispose() => _test.Dispose();

    [Fact] // P3.1
    public async Task Link_IsTwoWay_AtMostOnePerPair_AndLinkSelfDoesNothing()
    {
        var other = _node.SpawnIdle();
        var (self, links, otherLinks) = await _node.RunAsync(async ctx =>
        {
            ctx.Link(other).Should().BeTrue();
            ctx.Link(other).Should().BeTrue();
            ctx.Link(ctx.Self).Should().BeTrue();
            await Task.Yield();
            return (ctx.Self, _node.GetProcessInfo(ctx.Self)!.Links, _node.GetProcessInfo(other)!.Links);
        });
        links.Should().Equal(other);
        otherLinks.Should().Equal(self);
    }

    [Fact] // P3.2
    public async Task Link_ToDeadPid_NonTrappingCallerGetsNoProcError()
    {
        var dead = _node.Spawn(_ => Task.CompletedTask);
        await _node.ExpectExitAsync(dead);
        var act = () => _node.RunAsync(ctx => Task.FromResult(ctx.Link(dead)));
        await act.Should().ThrowAsync<NoProcException>();
    }

    [Fact] // P3.2
    public async Task Link_ToDeadPid_TrappingCallerGetsTrueThenExitNoProc()
    {
        var dead = _node.Spawn(_ => Task.CompletedTask);
        await _node.ExpectExitAsync(dead);
        var probe = _test.CreateProbe(trapExit: true);
        (await probe.RunAsync(ctx => Task.FromResult(ctx.Link(dead)))).Should().BeTrue();
        await probe.ExpectExitMessageAsync(dead, ExitReason.NoProc);
    }

    [Fact] // P3.3
    public async Task Unlink_StopsFutureExits_ButAQueuedExitStays()
    {
        var result = await _node.RunAsync(async ctx =>
        {
            ctx.TrapExit = true;
            var child = ctx.SpawnLink(_ => throw new OtpExitException(ExitReason.Of(Atom.Of("boom"))));
            var down = ctx.Monitor(child);
            await ctx.ReceiveAsync<DownMessage>(d => d.Ref == down); // the EXIT is queued before the DOWN
            ctx.Unlink(child);
            return await ctx.ReceiveAsync(null, TimeSpan.Zero);
        });
        result.Should().BeOfType<ExitMessage>().Which.Reason.Should().Be(ExitReason.Of(Atom.Of("boom")));
    }

    [Fact] // P3.3
    public async Task Unlink_BeforePartnerDies_NoExitSignal()
    {
        var go = new TaskCompletionSource();
        var survived = await _node.RunAsync(async ctx =>
        {
            var child = ctx.SpawnLink(async _ =>
            {
                await go.Task;
                throw new OtpExitException(ExitReason.Of(Atom.Of("boom")));
            });
            ctx.Unlink(child);
            var m = ctx.Monitor(child);
            go.SetResult();
            var down = await ctx.ReceiveAsync<DownMessage>();
            return down.Reason;
        });
        survived.Should().Be(ExitReason.Of(Atom.Of("boom")));
    }

    [Fact] // P4.1
    public async Task Monitors_AreOneWayAndStackable_TwoMonitorsGiveTwoDowns()
    {
        var probe = _test.CreateProbe(trapExit: false);
        var target = _node.SpawnIdle();
        var r1 = await probe.WatchAsync(target);
        var r2 = await probe.WatchAsync(target);
        _node.Exit(target, ExitReason.Of(Atom.Of("bye")));
        (await probe.ExpectDownAsync(r1, ExitReason.Of(Atom.Of("bye")))).Pid.Should().Be(target);
        await probe.ExpectDownAsync(r2, ExitReason.Of(Atom.Of("bye")));
        await probe.ExpectNoMsgAsync();
        _node.IsAlive(probe).Should().BeTrue(); // one-way: the watcher did not die
    }

    [Fact] // P4.2
    public async Task Monitor_DeadPid_ImmediateDownWithNoProc()
    {
        var dead = _node.Spawn(_ => Task.CompletedTask);
        await _node.ExpectExitAsync(dead);
        var probe = _test.CreateProbe();
        var r = await probe.WatchAsync(dead);
        var down = await probe.ExpectMsgAsync<DownMessage>();
        down.Should().Be(new DownMessage(r, dead, ExitReason.NoProc));
    }

    [Fact] // P4.2
    public async Task Monitor_UnregisteredName_DownWithNameAndNoProc()
    {
        var down = await _node.RunAsync(async ctx =>
        {
            ctx.Monitor("nobody");
            return await ctx.ReceiveAsync<DownMessage>();
        });
        down.Reason.Should().Be(ExitReason.NoProc);
        down.Name.Should().Be("nobody");
        TermFormatter.Format(down, v => v is Ref ? "#Ref" : null).Should().Be("{'DOWN',#Ref,process,{nobody,nonode@nohost},noproc}");
    }

    [Fact] // P4.3
    public async Task Demonitor_WithFlush_RemovesQueuedDown_AndRepeatingReturnsTrue()
    {
        var (first, second, leftover) = await _node.RunAsync(async ctx =>
        {
            var target = ctx.Spawn(_ => Task.CompletedTask);
            var r = ctx.Monitor(target);
            var other = ctx.Monitor(target);
            await ctx.ReceiveAsync<DownMessage>(d => d.Ref == other); // r's DOWN is queued before other's
            var a = ctx.Demonitor(r, flush: true);
            var b = ctx.Demonitor(r, flush: true);
            return (a, b, await ctx.ReceiveAsync(null, TimeSpan.Zero));
        });
        first.Should().BeTrue();
        second.Should().BeTrue();
        leftover.Should().BeNull();
    }

    [Fact] // P4.3
    public async Task Demonitor_BeforeTargetDies_NoDownArrives()
    {
        var go = new TaskCompletionSource();
        var result = await _node.RunAsync(async ctx =>
        {
            var target = ctx.Spawn(async _ => await go.Task);
            var r = ctx.Monitor(target);
            ctx.Demonitor(r);
            var sentinel = ctx.Monitor(target);
            go.SetResult();
            var d = await ctx.ReceiveAsync<DownMessage>();
            return d.Ref == sentinel && await ctx.ReceiveAsync(null, TimeSpan.Zero) is null;
        });
        result.Should().BeTrue();
    }

    [Fact] // spawn_monitor: the monitor exists before the process runs
    public async Task SpawnMonitor_ProcessThatEndsAtOnce_StillGivesDownWithItsReason()
    {
        var down = await _node.RunAsync(async ctx =>
        {
            var (pid, r) = ctx.SpawnMonitor(_ => throw new OtpExitException(ExitReason.Of(Atom.Of("early"))));
            return await ctx.ReceiveAsync<DownMessage>(d => d.Ref == r);
        });
        down.Reason.Should().Be(ExitReason.Of(Atom.Of("early")));
    }
}
