using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Tests.Processes;

public sealed class ExitSignalTests : IDisposable
{
    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    [Fact] // P1.1, P6.2
    public async Task ExitNormal_NonTrappingTarget_IsIgnored()
    {
        var target = _node.Spawn(Echo);
        var answer = await _node.RunAsync(async ctx =>
        {
            ctx.Monitor(target);
            ctx.Exit(target, ExitReason.Normal);
            ctx.Send(target, (ctx.Self, "ping"));
            // Signals from one sender arrive in order: had the signal killed it, DOWN would come instead.
            return await ctx.ReceiveAsync();
        });
        answer.Should().Be("ping");
        _node.IsAlive(target).Should().BeTrue();
    }

    internal static async Task Echo(ProcessContext ctx)
    {
        while (true)
        {
            if (await ctx.ReceiveAsync() is ValueTuple<Pid, string>(var from, var text)) ctx.Send(from, text);
        }
    }

    [Fact] // P1.2
    public async Task ExitSelfNormal_TerminatesCallerWithNormal()
    {
        var pid = _node.Spawn(async ctx =>
        {
            ctx.Exit(ctx.Self, ExitReason.Normal);
            await ctx.ReceiveAsync();
        });
        (await _node.ExpectExitAsync(pid)).Should().Be(ExitReason.Normal);
    }

    [Fact] // P1.3
    public async Task ExitKill_TrappingTarget_DiesWithKilled()
    {
        var started = new TaskCompletionSource();
        var target = _node.Spawn(async ctx =>
        {
            started.SetResult();
            while (true) await ctx.ReceiveAsync();
        }, new SpawnOptions { TrapExit = true });
        await started.Task.Within();
        _node.Exit(target, ExitReason.Kill);
        await _node.ExpectExitAsync(target, ExitReason.Killed);
    }

    [Fact] // P1.4
    public async Task ExitCustomReason_NonTrappingTarget_DiesWithSameReason()
    {
        var target = _node.SpawnIdle();
        _node.Exit(target, ExitReason.Of(Atom.Of("boom")));
        await _node.ExpectExitAsync(target, ExitReason.Of(Atom.Of("boom")));
    }

    [Fact] // P1.5
    public async Task Trapping_ReceivesExitMessages_ForNormalAndCustomReasonsFromNonLinkedSenders()
    {
        var messages = await _node.RunAsync(async ctx =>
        {
            ctx.TrapExit = true;
            var sender = ctx.Spawn(async c =>
            {
                c.Exit(((ProcessContext)c).Parent, ExitReason.Normal);
                await Task.CompletedTask;
            }, new SpawnOptions { Parent = ctx.Self });
            ctx.Exit(ctx.Self, ExitReason.Of(Atom.Of("boom")));
            var first = await ctx.ReceiveAsync<ExitMessage>();
            var second = await ctx.ReceiveAsync<ExitMessage>();
            return new[] { first, second };
        });
        messages.Select(m => m.Reason).Should().BeEquivalentTo(new[] { ExitReason.Normal, ExitReason.Of(Atom.Of("boom")) });
    }

    [Fact] // P2 (general), P1.4
    public async Task LinkedProcessCrash_KillsNonTrappingPartner_WithSameReason()
    {
        var crashed = await _node.RunAsync(async ctx =>
        {
            ctx.TrapExit = true;
            var middle = ctx.SpawnLink(async c =>
            {
                c.SpawnLink(_ => throw new OtpExitException(ExitReason.Of(Atom.Of("boom"))));
                while (true) await c.ReceiveAsync();
            });
            return await ctx.ReceiveAsync<ExitMessage>(m => m.From == middle);
        });
        crashed.Reason.Should().Be(ExitReason.Of(Atom.Of("boom")));
    }

    [Fact] // P2.1
    public async Task KilledVictim_PropagatesKilled_AsTrappableReason()
    {
        var msg = await _node.RunAsync(async ctx =>
        {
            ctx.TrapExit = true;
            var victim = ctx.SpawnLink(async c =>
            {
                while (true) await c.ReceiveAsync();
            });
            ctx.Exit(victim, ExitReason.Kill);
            return await ctx.ReceiveAsync<ExitMessage>();
        });
        msg.Reason.Should().Be(ExitReason.Killed);
    }

    [Fact] // P2.1
    public async Task KilledVictim_NonTrappingPartnerDiesWithKilled()
    {
        var partnerReady = new TaskCompletionSource<(Pid Victim, Pid Partner)>();
        var partner = _node.Spawn(async ctx =>
        {
            var victim = ctx.SpawnLink(async c =>
            {
                while (true) await c.ReceiveAsync();
            });
            partnerReady.SetResult((victim, ctx.Self));
            while (true) await ctx.ReceiveAsync();
        });
        var (v, p) = await partnerReady.Task.Within();
        var exit = _node.WaitForExitAsync(p);
        _node.Exit(v, ExitReason.Kill);
        (await exit.Within()).Should().Be(ExitReason.Killed);
    }

    [Fact] // P2.2
    public async Task ProcessExitingItselfWithKill_PropagatesTrappableKill()
    {
        var msg = await _node.RunAsync(async ctx =>
        {
            ctx.TrapExit = true;
            ctx.SpawnLink(_ => throw new OtpExitException(ExitReason.Kill));
            return await ctx.ReceiveAsync<ExitMessage>();
        });
        msg.Reason.Should().Be(ExitReason.Kill);
    }

    [Fact] // P2.2
    public async Task ProcessExitingItselfWithKill_NonTrappingPartnerDiesWithKill()
    {
        var ready = new TaskCompletionSource<Pid>();
        var go = new TaskCompletionSource();
        var partner = _node.Spawn(async ctx =>
        {
            ctx.SpawnLink(async _ =>
            {
                await go.Task;
                throw new OtpExitException(ExitReason.Kill);
            });
            ready.SetResult(ctx.Self);
            while (true) await ctx.ReceiveAsync();
        });
        await ready.Task.Within();
        var exit = _node.WaitForExitAsync(partner);
        go.SetResult();
        (await exit.Within()).Should().Be(ExitReason.Kill);
    }

    [Fact] // P5
    public async Task CrashReasons_ReturnIsNormal_ThrowIsError_ExitIsReason()
    {
        var returned = _node.Spawn(_ => Task.CompletedTask);
        var threw = _node.Spawn(_ => throw new InvalidOperationException("bad"));
        var exited = _node.Spawn(_ => throw new OtpExitException(ExitReason.ShutdownWith(Atom.Of("x"))));
        (await _node.ExpectExitAsync(returned)).Should().Be(ExitReason.Normal);
        var error = await _node.ExpectExitAsync(threw);
        error.Kind.Should().Be(ExitReasonKind.Error);
        error.Exception!.Type.Should().Be(typeof(InvalidOperationException).FullName);
        error.Exception.Message.Should().Be("bad");
        (await _node.ExpectExitAsync(exited)).ToString().Should().Be("{shutdown,x}");
    }

    [Fact] // P8
    public async Task SetTrapExit_ReturnsPreviousValue()
    {
        var values = await _node.RunAsync(ctx => Task.FromResult(new[] { ctx.SetTrapExit(true), ctx.SetTrapExit(false), ctx.SetTrapExit(false) }));
        values.Should().Equal(false, true, false);
    }

    [Fact] // design.md §4: an exit signal takes effect on arrival, even with messages queued
    public async Task ExitSignal_NonTrappingProcessWithBacklog_DiesAtOnce()
    {
        var gate = new TaskCompletionSource();
        var handled = 0;
        var pid = _node.Spawn(async ctx =>
        {
            await gate.Task;
            while (true)
            {
                await ctx.ReceiveAsync();
                Interlocked.Increment(ref handled);
            }
        });
        for (var i = 0; i < 1000; i++) _node.Send(pid, i);
        var exit = _node.WaitForExitAsync(pid);
        _node.Exit(pid, ExitReason.Of(Atom.Of("stop_now")));
        (await exit.Within()).Should().Be(ExitReason.Of(Atom.Of("stop_now")));
        gate.SetResult();
        Volatile.Read(ref handled).Should().Be(0);
    }

    [Fact] // design.md §4: kill cannot pre-empt running code; the process is dead at once and its token fires
    public async Task Kill_ProcessBusyInUserCode_IsDeadAtOnceAndItsTokenIsCancelled()
    {
        var busy = new TaskCompletionSource<CancellationToken>();
        var release = new TaskCompletionSource();
        var pid = _node.Spawn(async ctx =>
        {
            busy.SetResult(ctx.CancellationToken);
            await release.Task; // user code that ignores the token
        }, new SpawnOptions { Name = "busy" });
        var token = await busy.Task.Within();
        _node.Exit(pid, ExitReason.Kill);
        (await _node.ExpectExitAsync(pid)).Should().Be(ExitReason.Killed);
        _node.IsAlive(pid).Should().BeFalse();
        _node.WhereIs("busy").Should().BeNull();
        // The token is cancelled after the death was signalled, off the killer's thread.
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (token.Register(() => cancelled.SetResult())) await cancelled.Task.Within();
        release.SetResult(); // whatever the abandoned code does now is discarded
    }

    [Fact] // P2 chains run iteratively: a long chain of links dies without deep recursion
    public async Task LinkChain_TenThousandProcesses_AllDie()
    {
        var ready = new TaskCompletionSource<Pid>();
        const int depth = 10_000;
        Func<ProcessContext, Task> Chain(int n) => async ctx =>
        {
            if (n == 0) ready.SetResult(ctx.Self);
            else ctx.SpawnLink(Chain(n - 1));
            while (true) await ctx.ReceiveAsync();
        };
        var head = _node.Spawn(Chain(depth));
        var tail = await ready.Task.Within();
        var headExit = _node.WaitForExitAsync(head);
        _node.Exit(tail, ExitReason.Of(Atom.Of("boom")));
        (await headExit.Within()).Should().Be(ExitReason.Of(Atom.Of("boom")));
    }
}
