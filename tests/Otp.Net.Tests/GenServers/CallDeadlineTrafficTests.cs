using Otp.Net.GenServers;
using Otp.Net.Processes;

namespace Otp.Net.Tests.GenServers;

/// <summary>Call timeouts on the real clock, under traffic: many callers, many timeout lengths, replies racing timeouts.</summary>
public sealed class CallDeadlineTrafficTests : IDisposable
{
    private static readonly int[] HeldTimeouts = [300, 100, 200];

    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    /// <summary>Answers at once, except "hold", which it never answers.</summary>
    private sealed class Echo : GenServer<List<string>>
    {
        public override ValueTask<InitResult<List<string>>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(new List<string>());

        public override ValueTask<ServerResult<List<string>>> HandleCallAsync(object request, From from, List<string> state, CancellationToken cancellationToken) =>
            request is "hold" ? NoReply(state) : Reply(request, state);
    }

    [Fact] // G5, G7: answered calls never time out, whatever their timeout length; unanswered ones still do afterwards
    public async Task ManyCallers_ManyTimeoutLengths_AllAnswered_ThenAHeldCallTimesOut()
    {
        var server = (await GenServer.StartAsync(_node, new Echo())).GetPidOrThrow();
        // Twelve timeout lengths (more than a stripe's lanes) from eight processes and eight plain tasks at once.
        async Task<int> Caller(int id)
        {
            var answered = 0;
            for (var i = 0; i < 500; i++)
            {
                var timeout = TimeSpan.FromSeconds(30 + (id + i) % 12);
                if ((int)(await GenServer.CallAsync(server, id * 1000 + i, timeout))! == id * 1000 + i) answered++;
            }
            return answered;
        }
        var inProcesses = Enumerable.Range(0, 8).Select(id =>
        {
            var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            _node.Spawn(async _ => done.SetResult(await Caller(id)));
            return done.Task;
        });
        var outside = Enumerable.Range(8, 8).Select(id => Task.Run(() => Caller(id)));
        var counts = await Task.WhenAll(inProcesses.Concat(outside)).Within(TimeSpan.FromSeconds(60));
        counts.Should().AllSatisfy(c => c.Should().Be(500));

        // The lanes and their timers are still in order: short timeouts of several lengths expire, longest last.
        var held = HeldTimeouts.Select(ms => (Ms: ms, Call: GenServer.CallAsync(server, "hold", TimeSpan.FromMilliseconds(ms)))).ToList();
        foreach (var (_, call) in held.OrderBy(h => h.Ms))
        {
            await FluentActions.Awaiting(() => call.Within()).Should().ThrowAsync<CallTimeoutException>();
        }
        (await GenServer.CallAsync(server, "after")).Should().Be("after");
    }
}
