using Microsoft.Extensions.Logging;
using Otp.Net.GenServers;
using Otp.Net.Hosting;
using Otp.Net.Supervision;
using Otp.Net.Tasks;

namespace Counters;

/// <summary>
/// The seed's App (003 Part 2): before the tree is shut down, PrepStop asks every counter to stop gracefully and
/// waits for all of them (Task.await_many), so each one ends on a multiple of 10.
/// </summary>
public sealed class CountersApp(ILogger<CountersApp> logger) : SupervisedApplication
{
    public override async Task<object?> PrepStopAsync(object? state, CancellationToken cancellationToken)
    {
        var counterSup = (await Supervisor.WhichChildrenAsync(TopSupervisor, cancellationToken: cancellationToken)).Single(c => c.Type == ChildType.Supervisor).Pid;
        var counters = await Supervisor.WhichChildrenAsync(counterSup, cancellationToken: cancellationToken);
        logger.LogInformation("prep_stop: asking {Count} counters to stop at a multiple of 10", counters.Count);
        var tasks = counters.Where(c => !c.Pid.IsUndefined)
            .Select(c => OtpTask.Async(async ct => await GenServer.CallAsync(c.Pid, "stop_gracefully", Timeout.InfiniteTimeSpan, ct)))
            .ToArray();
        await OtpTask.AwaitManyAsync(tasks, cancellationToken: cancellationToken);
        logger.LogInformation("prep_stop: every counter stopped gracefully");
        return state;
    }

    public override Task StopAsync(object? state, CancellationToken cancellationToken)
    {
        logger.LogInformation("stop: the tree is gone");
        return Task.CompletedTask;
    }
}
