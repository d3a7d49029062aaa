using Otp.Net.Applications;
using Otp.Net.Processes;
using Otp.Net.Supervision;

namespace Otp.Net.Tests.Applications;

/// <summary>Cancelling a wait on the application controller changes nothing and leaves the controller usable.</summary>
public sealed class ApplicationCancellationTests : IDisposable
{
    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    /// <summary>An application whose start waits on a gate the test opens.</summary>
    private sealed class GatedApp(Node node, Task gate, TaskCompletionSource entered) : Application
    {
        public override async Task<ApplicationStart> StartAsync(StartType startType, object? args, CancellationToken cancellationToken)
        {
            entered.TrySetResult();
            await gate.ConfigureAwait(false);
            var top = (await Supervisor.StartLinkAsync(node, new SupervisorFlags(), [], null, cancellationToken)).GetPidOrThrow();
            return ApplicationStart.Ok(top);
        }
    }

    private TaskCompletionSource Load(string name, Task gate)
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _node.Applications.Load(new ApplicationSpec(name) { Mod = () => new GatedApp(_node, gate, entered) }).IsOk.Should().BeTrue();
        return entered;
    }

    private string[] Running() => _node.Applications.WhichApplications().Select(a => a.Name).ToArray();

    [Fact] // A2: a start waiting behind a blocked start is cancelled; nothing of it starts, the blocked one finishes
    public async Task Start_CancelledWhileQueuedBehindBlockedStart_ThrowsOperationCanceled_NothingStarted()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = Load("slow", gate.Task);
        Load("quick", Task.CompletedTask);
        var slow = _node.Applications.StartAsync("slow");
        await entered.Task;
        using var cts = new CancellationTokenSource();
        var quick = _node.Applications.StartAsync("quick", cancellationToken: cts.Token);
        var ensure = _node.Applications.EnsureAllStartedAsync("quick", cancellationToken: cts.Token);
        var stop = _node.Applications.StopAsync("slow", cts.Token);
        cts.Cancel();

        await FluentActions.Awaiting(() => quick).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(() => ensure).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(() => stop).Should().ThrowAsync<OperationCanceledException>();
        slow.IsCompleted.Should().BeFalse();

        gate.SetResult();
        (await slow).IsOk.Should().BeTrue();
        Running().Should().Equal("slow");
        (await _node.Applications.StartAsync("quick")).IsOk.Should().BeTrue(); // the controller was left free
        Running().Should().Equal("quick", "slow");
    }

    [Fact] // A7: stop_all with a cancelled token stops nothing; a later call stops everything
    public async Task StopAll_AlreadyCancelledToken_ThrowsOperationCanceled_ApplicationsKeepRunning()
    {
        Load("a", Task.CompletedTask);
        (await _node.Applications.StartAsync("a")).IsOk.Should().BeTrue();
        await FluentActions.Awaiting(() => _node.Applications.StopAllAsync(new CancellationToken(true))).Should().ThrowAsync<OperationCanceledException>();
        Running().Should().Equal("a");
        await _node.Applications.StopAllAsync();
        Running().Should().BeEmpty();
    }

    [Fact] // A8: change_config with a cancelled token leaves the environment as it was
    public async Task ChangeConfig_AlreadyCancelledToken_ThrowsOperationCanceled_EnvironmentUnchanged()
    {
        _node.Applications.Load(new ApplicationSpec("env") { Env = new Dictionary<string, object?> { ["port"] = 80 } }).IsOk.Should().BeTrue();
        var change = new Dictionary<string, object?> { ["port"] = 81 };
        await FluentActions.Awaiting(() => _node.Applications.ChangeConfigAsync("env", change, new CancellationToken(true))).Should().ThrowAsync<OperationCanceledException>();
        _node.Applications.TryGetEnv("env", "port", out var port).Should().BeTrue();
        port.Should().Be(80);
    }
}
