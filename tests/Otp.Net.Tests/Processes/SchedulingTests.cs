using Otp.Net.Processes;

namespace Otp.Net.Tests.Processes;

/// <summary>
/// A process woken by a process is handed to the waker's thread when the waker parks. These tests check that the
/// hand-off never makes a woken process wait on a waker that keeps its thread.
/// </summary>
public sealed class SchedulingTests : IDisposable
{
    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    [Fact]
    public async Task WokenProcess_Runs_WhileItsWakerBlocksItsThread()
    {
        using var received = new ManualResetEventSlim();
        var receiver = _node.Spawn(async ctx =>
        {
            await ctx.ReceiveAsync();
            received.Set();
        });
        var waker = _node.Spawn(async ctx =>
        {
            await ctx.ReceiveAsync(); // resumed by a wake-up, so the send below happens inside a turn
            ctx.Send(receiver, "wake");
            // Blocks this thread until the receiver has run: a hand-off that waited for the turn to end would hang.
            if (!received.Wait(TimeSpan.FromSeconds(30))) throw new TimeoutException("the woken process never ran");
        });
        var exit = _node.WaitForExitAsync(waker);
        await ParkedAsync(waker);
        _node.Send(waker, "go");
        (await exit.Within()).Should().Be(ExitReason.Normal);
    }

    [Fact]
    public async Task Consumer_RunsAlongside_AProducerThatNeverParks()
    {
        using var consumed = new ManualResetEventSlim();
        var producerDone = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = _node.Spawn(async ctx =>
        {
            await ctx.ReceiveAsync();
            consumed.Set();
            while (true) await ctx.ReceiveAsync();
        });
        var producer = _node.Spawn(async ctx =>
        {
            await ctx.ReceiveAsync();
            // Keeps its thread, sending now and then, until the consumer has taken a message: the consumer must not
            // wait for this turn to end. The cap only ends a failing run.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!consumed.IsSet && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                ctx.Send(consumer, "item");
                Thread.SpinWait(1000);
            }
            producerDone.SetResult(consumed.IsSet);
        });
        await ParkedAsync(producer);
        _node.Send(producer, "go");
        (await producerDone.Task.WaitAsync(TimeSpan.FromSeconds(60))).Should().BeTrue();
    }

    /// <summary>Waits until the process waits in a receive, so the next message resumes it through a wake-up.</summary>
    private async Task ParkedAsync(Pid pid)
    {
        using var cts = new CancellationTokenSource(TestKit.Patience);
        while (_node.GetProcessInfo(pid)?.Status != ProcessStatus.Waiting) await Task.Delay(1, cts.Token);
    }

    [Fact] // P6.2: hand-offs keep per-sender order, also past the hand-off budget
    public async Task LongPingPong_KeepsOrder()
    {
        const int rounds = 20_000;
        var pong = _node.Spawn(async ctx =>
        {
            while (true)
            {
                var (from, n) = ((Pid, int))await ctx.ReceiveAsync();
                ctx.Send(from, n);
            }
        });
        var last = await _node.RunAsync(async ctx =>
        {
            for (var i = 0; i < rounds; i++)
            {
                ctx.Send(pong, (ctx.Self, i));
                var n = (int)await ctx.ReceiveAsync();
                if (n != i) return n;
            }
            return rounds;
        });
        last.Should().Be(rounds);
    }
}
