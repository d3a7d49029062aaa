using Otp.Net.Processes;

namespace Otp.Net.Tests.Processes;

/// <summary>
/// Exit signals racing a process that is busy taking messages. The flooding sender keeps a core busy, so these
/// tests run alone, where they cannot slow the timing-sensitive tests that would otherwise run beside them.
/// </summary>
[Collection(StressCollection.Name)]
public sealed class ExitRaceTests : IDisposable
{
    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    [Fact] // P1: an exit signal takes effect at once, even while the process is busy taking messages
    public async Task Exit_WhileTheProcessIsReceiving_ReturnsAndTheProcessDies()
    {
        for (var round = 0; round < 200; round++)
        {
            var received = 0;
            var busy = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var pid = _node.Spawn(async ctx =>
            {
                while (true)
                {
                    await ctx.ReceiveAsync();
                    if (++received == 100) busy.TrySetResult();
                }
            });
            using var stop = new CancellationTokenSource();
            var flood = Task.Run(() =>
            {
                while (!stop.IsCancellationRequested) _node.Send(pid, "m");
            });
            await busy.Task.Within();
            var exit = _node.WaitForExitAsync(pid);
            // Exit runs on another thread so that a hang fails the test instead of blocking it.
            await Task.Run(() => _node.Exit(pid, ExitReason.Kill)).Within();
            (await exit.Within()).Should().Be(ExitReason.Killed);
            await stop.CancelAsync();
            await flood.Within();
        }
    }
}
