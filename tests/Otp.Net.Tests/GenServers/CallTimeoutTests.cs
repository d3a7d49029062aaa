using Microsoft.Extensions.Time.Testing;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Sys;
using static Otp.Net.Tests.TestKit;

namespace Otp.Net.Tests.GenServers;

/// <summary>Call and sys timeouts run on the node's clock, so a fake clock decides when they expire.</summary>
public sealed class CallTimeoutTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new();
    private readonly Node _node;

    public CallTimeoutTests() => _node = new Node(new NodeOptions { TimeProvider = _clock });

    public void Dispose() => _node.Dispose();

    /// <summary>Never answers "hold"; "block" keeps the server busy until <see cref="Release"/> completes.</summary>
    private sealed class Busy(TaskCompletionSource release) : GenServer<int>
    {
        public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(0);

        public override async ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken)
        {
            switch (request)
            {
                case "hold":
                    return NoReply(state);
                case "block":
                    await release.Task;
                    return Reply("ok", state);
                default:
                    return Reply(request, state);
            }
        }
    }

    [Fact] // G5, T1: the call timeout is a timer of the node
    public async Task CallTimeout_ExpiresWhenTheNodesClockPassesIt()
    {
        var pid = (await GenServer.StartAsync(_node, new Busy(new TaskCompletionSource()))).GetPidOrThrow();
        var call = GenServer.CallAsync(pid, "hold", TimeSpan.FromMinutes(1));
        (await GenServer.CallAsync(pid, "ping")).Should().Be("ping"); // "hold" was handled
        call.IsCompleted.Should().BeFalse("no time has passed on the node's clock");

        _clock.Advance(TimeSpan.FromMinutes(1));

        var ex = (await FluentActions.Awaiting(() => call.Within()).Should().ThrowAsync<CallTimeoutException>()).Which;
        ex.CallReason.Should().Be(CallException.Timeout);
    }

    [Fact] // S1: a sys request times out like a call
    public async Task SysTimeout_ExpiresWhenTheNodesClockPassesIt()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pid = (await GenServer.StartAsync(_node, new Busy(release))).GetPidOrThrow();
        var blocked = GenServer.CallAsync(pid, "block", Timeout.InfiniteTimeSpan);
        var request = SysOps.GetStateAsync(pid, TimeSpan.FromMinutes(1));

        _clock.Advance(TimeSpan.FromMinutes(1));

        var ex = (await FluentActions.Awaiting(() => request.Within()).Should().ThrowAsync<CallTimeoutException>()).Which;
        ex.CallReason.Should().Be(CallException.Timeout);
        release.SetResult();
        (await blocked.Within()).Should().Be("ok");
    }

    [Fact] // G5, T1: the node keeps pending calls in lanes per timeout length; more lengths than lanes still time out on time
    public async Task ManyTimeoutLengths_EachCallExpiresAtItsOwnDeadline()
    {
        var pid = (await GenServer.StartAsync(_node, new Busy(new TaskCompletionSource()))).GetPidOrThrow();
        // Longest first, so each call is due before every call already waiting; 12 lengths, more than a stripe's lanes.
        var calls = Enumerable.Range(1, 12).Reverse()
            .Select(minutes => (Minutes: minutes, Call: GenServer.CallAsync(pid, "hold", TimeSpan.FromMinutes(minutes))))
            .ToList();
        (await GenServer.CallAsync(pid, "ping", Timeout.InfiniteTimeSpan)).Should().Be("ping");

        for (var minute = 1; minute <= 12; minute++)
        {
            _clock.Advance(TimeSpan.FromMinutes(1));
            foreach (var (minutes, call) in calls)
            {
                if (minutes <= minute) await FluentActions.Awaiting(() => call.Within()).Should().ThrowAsync<CallTimeoutException>();
                else call.IsCompleted.Should().BeFalse($"the {minutes}-minute call is not due after {minute} minutes");
            }
        }
    }

    [Fact] // G5: calls with the same timeout, made at different times, each expire at their own deadline
    public async Task SameTimeout_LaterCallExpiresLater()
    {
        var pid = (await GenServer.StartAsync(_node, new Busy(new TaskCompletionSource()))).GetPidOrThrow();
        var first = GenServer.CallAsync(pid, "hold", TimeSpan.FromMinutes(2));
        (await GenServer.CallAsync(pid, "ping", Timeout.InfiniteTimeSpan)).Should().Be("ping");
        _clock.Advance(TimeSpan.FromMinutes(1));
        var second = GenServer.CallAsync(pid, "hold", TimeSpan.FromMinutes(2));
        (await GenServer.CallAsync(pid, "ping", Timeout.InfiniteTimeSpan)).Should().Be("ping");
        var answered = GenServer.CallAsync(pid, "ping", TimeSpan.FromMinutes(2));
        (await answered.Within()).Should().Be("ping");

        _clock.Advance(TimeSpan.FromMinutes(1));
        await FluentActions.Awaiting(() => first.Within()).Should().ThrowAsync<CallTimeoutException>();
        second.IsCompleted.Should().BeFalse("it was made a minute later");

        _clock.Advance(TimeSpan.FromMinutes(1));
        await FluentActions.Awaiting(() => second.Within()).Should().ThrowAsync<CallTimeoutException>();
    }

    [Fact] // G5: a zero timeout is due at once, with no time passing on the node's clock
    public async Task ZeroTimeout_ExpiresWithoutTheClockMoving()
    {
        var pid = (await GenServer.StartAsync(_node, new Busy(new TaskCompletionSource()))).GetPidOrThrow();
        await FluentActions.Awaiting(() => GenServer.CallAsync(pid, "hold", TimeSpan.Zero).Within()).Should().ThrowAsync<CallTimeoutException>();
    }

    [Fact] // G5: a timeout longer than a runtime timer can take (about 50 days) still expires, at its deadline
    public async Task HundredDayTimeout_ExpiresAfterAHundredDays()
    {
        var pid = (await GenServer.StartAsync(_node, new Busy(new TaskCompletionSource()))).GetPidOrThrow();
        var call = GenServer.CallAsync(pid, "hold", TimeSpan.FromDays(100));
        (await GenServer.CallAsync(pid, "ping", Timeout.InfiniteTimeSpan)).Should().Be("ping");
        for (var day = 1; day < 100; day++)
        {
            _clock.Advance(TimeSpan.FromDays(1));
            call.IsCompleted.Should().BeFalse($"only {day} days have passed");
        }
        _clock.Advance(TimeSpan.FromDays(1));
        await FluentActions.Awaiting(() => call.Within()).Should().ThrowAsync<CallTimeoutException>();
    }

    [Fact] // G5: a timeout of TimeSpan.MaxValue never comes, and delays no other call's timeout
    public async Task MaxValueTimeout_NeverExpires_AndOtherTimeoutsStillDo()
    {
        var pid = (await GenServer.StartAsync(_node, new Busy(new TaskCompletionSource()))).GetPidOrThrow();
        var forever = GenServer.CallAsync(pid, "hold", TimeSpan.MaxValue);
        var minute = GenServer.CallAsync(pid, "hold", TimeSpan.FromMinutes(1));
        (await GenServer.CallAsync(pid, "ping", Timeout.InfiniteTimeSpan)).Should().Be("ping");

        _clock.Advance(TimeSpan.FromMinutes(1));
        await FluentActions.Awaiting(() => minute.Within()).Should().ThrowAsync<CallTimeoutException>();
        _clock.Advance(TimeSpan.FromDays(3650));
        forever.IsCompleted.Should().BeFalse();
    }

    [Fact] // G5: with every lane of a stripe taken by other timeout lengths, a 100-day timeout still waits its 100 days
    public async Task LongTimeout_WithAllLanesTaken_ExpiresAtItsDeadline()
    {
        var pid = (await GenServer.StartAsync(_node, new Busy(new TaskCompletionSource()))).GetPidOrThrow();
        var others = Enumerable.Range(1, 10).Select(hours => GenServer.CallAsync(pid, "hold", TimeSpan.FromHours(hours))).ToList();
        var call = GenServer.CallAsync(pid, "hold", TimeSpan.FromDays(100));
        (await GenServer.CallAsync(pid, "ping", Timeout.InfiniteTimeSpan)).Should().Be("ping");
        _clock.Advance(TimeSpan.FromDays(99));
        foreach (var other in others) await FluentActions.Awaiting(() => other.Within()).Should().ThrowAsync<CallTimeoutException>();
        call.IsCompleted.Should().BeFalse();
        _clock.Advance(TimeSpan.FromDays(1));
        await FluentActions.Awaiting(() => call.Within()).Should().ThrowAsync<CallTimeoutException>();
    }

    private static readonly AsyncLocal<object?> CallerLocal = new();

    [Fact] // the node's timeout timer, created by the first timed call, keeps nothing of that caller's context alive
    public async Task FirstTimedCall_LeavesItsCallersContextCollectable()
    {
        using var node = new Node();
        var pid = (await GenServer.StartAsync(node, new Busy(new TaskCompletionSource()))).GetPidOrThrow();
        var weak = await CallWithContextAsync(pid);
        for (var i = 0; i < 20 && weak.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await Task.Yield();
        }
        weak.IsAlive.Should().BeFalse("the timer would otherwise hold the first caller's execution context");
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> CallWithContextAsync(Pid pid)
    {
        var held = new object();
        var weak = new WeakReference(held);
        await Task.Run(async () =>
        {
            CallerLocal.Value = held;
            (await GenServer.CallAsync(pid, "ping", TimeSpan.FromMinutes(5))).Should().Be("ping");
        });
        return weak;
    }
}
