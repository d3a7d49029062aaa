using Microsoft.Extensions.Time.Testing;
using Otp.Net.Processes;
using Otp.Net.Terms;
using Otp.Net.Timers;

namespace Otp.Net.Tests.Processes;

public sealed class TimerTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new();
    private readonly Node _node;

    public TimerTests() => _node = new Node(new NodeOptions { TimeProvider = _clock });

    public void Dispose() => _node.Dispose();

    private (Pid Pid, Task<object> First) Inbox()
    {
        var got = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pid = _node.Spawn(async ctx => got.SetResult(await ctx.ReceiveAsync()));
        return (pid, got.Task);
    }

    [Fact] // T1
    public async Task SendAfter_DeliversMessageWhenDue()
    {
        var (pid, first) = Inbox();
        _node.SendAfter(TimeSpan.FromMilliseconds(100), pid, "tick");
        _clock.Advance(TimeSpan.FromMilliseconds(99));
        first.IsCompleted.Should().BeFalse();
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        (await first.Within()).Should().Be("tick");
    }

    [Fact] // T1
    public async Task StartTimer_DeliversTimeoutTuple()
    {
        var (pid, first) = Inbox();
        var tref = _node.StartTimer(TimeSpan.FromMilliseconds(50), pid, Atom.Of("tick"));
        _clock.Advance(TimeSpan.FromMilliseconds(50));
        (await first.Within()).Should().Be(new TimeoutMessage(tref, Atom.Of("tick")));
    }

    [Fact] // T2
    public void CancelTimer_ReturnsRemainingMs_ThenFalse()
    {
        var pid = _node.SpawnIdle();
        var tref = _node.SendAfter(TimeSpan.FromMilliseconds(1000), pid, "x");
        _clock.Advance(TimeSpan.FromMilliseconds(400));
        _node.ReadTimer(tref).Should().Be(600);
        _node.CancelTimer(tref).Should().Be(600);
        _node.CancelTimer(tref).Should().BeNull();
        _node.ReadTimer(tref).Should().BeNull();
    }

    [Fact] // T2
    public async Task CancelTimer_AfterItFired_ReturnsFalse()
    {
        var (pid, first) = Inbox();
        var tref = _node.SendAfter(TimeSpan.FromMilliseconds(10), pid, "x");
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        await first.Within();
        _node.CancelTimer(tref).Should().BeNull();
    }

    [Fact] // T3
    public async Task CancelTimerAsync_SendsResultToCaller()
    {
        var (pid, _) = Inbox();
        var result = await _node.RunAsync(async ctx =>
        {
            var tref = _node.SendAfter(TimeSpan.FromMilliseconds(500), pid, "x");
            _node.CancelTimerAsync(tref);
            var first = await ctx.ReceiveAsync<CancelTimerResult>();
            _node.CancelTimerAsync(tref);
            var second = await ctx.ReceiveAsync<CancelTimerResult>();
            return (first, second);
        });
        result.first.RemainingMs.Should().Be(500);
        result.second.RemainingMs.Should().BeNull();
        TermFormatter.Format(result.second, v => v is Ref ? "#Ref" : null).Should().Be("{cancel_timer,#Ref,false}");
    }

    [Fact] // T4
    public async Task Timer_AimedAtPid_DiesWithThePid()
    {
        var go = new TaskCompletionSource();
        var pid = _node.Spawn(async _ => await go.Task);
        var tref = _node.SendAfter(TimeSpan.FromMilliseconds(100), pid, "x");
        go.SetResult();
        await _node.ExpectExitAsync(pid);
        _node.ReadTimer(tref).Should().BeNull();
    }

    [Fact] // T4
    public async Task Timer_AimedAtName_ResolvedAtExpiry()
    {
        var tref = _node.SendAfter(TimeSpan.FromMilliseconds(100), "late", "found you");
        var (pid, first) = Inbox();
        _node.Register("late", pid);
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        (await first.Within()).Should().Be("found you");
    }

    [Fact] // T4
    public void Timer_AimedAtUnregisteredName_IsSilentlyDropped()
    {
        var tref = _node.SendAfter(TimeSpan.FromMilliseconds(10), "nobody", "lost");
        var act = () => _clock.Advance(TimeSpan.FromMilliseconds(10));
        act.Should().NotThrow();
        _node.ReadTimer(tref).Should().BeNull();
    }

    [Fact] // T5
    public async Task Timer_ZeroFiresImmediately_NegativeIsBadArgument()
    {
        var (pid, first) = Inbox();
        _node.SendAfter(TimeSpan.Zero, pid, "now");
        (await first.Within()).Should().Be("now");
        var act = () => _node.SendAfter(TimeSpan.FromMilliseconds(-1), pid, "never");
        act.Should().Throw<BadArgumentException>();
    }

    [Fact] // T6, T7: the timer-module and Elixir forms are the same primitives: ref back, cancel gives ms or false
    public void CancelTwice_IsHarmless_AndSecondCancelReportsFalse()
    {
        var pid = _node.SpawnIdle();
        var tref = _node.SendAfter(TimeSpan.FromSeconds(1), pid, "x");
        _node.CancelTimer(tref).Should().NotBeNull();
        _node.CancelTimer(tref).Should().BeNull();
    }

    [Fact] // receive ... after uses the node's clock
    public async Task ReceiveTimeout_FiresWhenClockAdvances()
    {
        var waiting = new TaskCompletionSource();
        var result = new TaskCompletionSource<object?>();
        _node.Spawn(async ctx =>
        {
            var t = ctx.ReceiveAsync(null, TimeSpan.FromSeconds(5));
            waiting.SetResult();
            result.SetResult(await t);
        });
        await waiting.Task.Within();
        _clock.Advance(TimeSpan.FromSeconds(5));
        (await result.Task.Within()).Should().BeNull();
    }
}
