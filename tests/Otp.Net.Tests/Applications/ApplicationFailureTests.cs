using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Otp.Net.Applications;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;
using Otp.Net.Terms;

namespace Otp.Net.Tests.Applications;

/// <summary>Application callbacks that throw or are killed: reported, and the sequence around them completes.</summary>
public sealed class ApplicationFailureTests : IDisposable
{
    private readonly TestNode _test = new();
    private readonly ConcurrentQueue<string> _journal = new();

    private Node _node => _test.Node;

    public void Dispose() => _test.Dispose();

    [Theory] // A4: prep_stop or stop throwing is reported; the tree is still shut down and stop still runs
    [InlineData("prep_stop")]
    [InlineData("stop")]
    public async Task Stop_CallbackThrows_TreeStillStoppedAndFailureLogged(string throwing)
    {
        var app = new FailingApp(_journal, throwing);
        _node.Applications.Load(new ApplicationSpec("a") { Mod = () => app });
        (await _node.Applications.StartAsync("a")).IsOk.Should().BeTrue();
        var worker = app.Worker;
        (await _node.Applications.StopAsync("a").Within()).IsOk.Should().BeTrue();
        _node.IsAlive(worker).Should().BeFalse();
        _node.IsAlive(app.Top).Should().BeFalse();
        _journal.Should().Equal("prep_stop", "stop");
        _node.Applications.WhichApplications().Should().BeEmpty();
        _test.Logs.Entries.Should().ContainSingle(e => e.EventId.Id == 4003).Which["Callback"].Should().Be(throwing);
    }

    [Fact] // A3: an application master killed during its start callback fails the start instead of hanging it
    public async Task Start_MasterKilledDuringStart_ReturnsAnError()
    {
        var starting = new TaskCompletionSource<Pid>(TaskCreationOptions.RunContinuationsAsynchronously);
        _node.Applications.Load(new ApplicationSpec("slow") { Mod = () => new SlowApp(starting) });
        var start = _node.Applications.StartAsync("slow");
        var master = await starting.Task.Within();
        _node.Exit(master, ExitReason.Kill);
        var result = await start.Within();
        result.IsOk.Should().BeFalse();
        result.ToString().Should().Contain("killed");
    }

    private sealed class FailingApp(ConcurrentQueue<string> journal, string throwing) : Application
    {
        public Pid Top { get; private set; }

        public Pid Worker { get; private set; }

        public override async Task<ApplicationStart> StartAsync(StartType startType, object? args, CancellationToken cancellationToken)
        {
            var node = ProcessContext.Current!.Node;
            Top = (await Supervisor.StartLinkAsync(node, new SupervisorFlags(), [new ChildSpec(Atom.Of("w"), n => GenServer.StartLinkAsync(n, new GenServers.TestServer()))], null, cancellationToken)).Pid;
            Worker = (await Supervisor.WhichChildrenAsync(Top, cancellationToken: cancellationToken)).Single().Pid;
            return ApplicationStart.Ok(Top);
        }

        public override Task<object?> PrepStopAsync(object? state, CancellationToken cancellationToken)
        {
            journal.Enqueue("prep_stop");
            if (throwing == "prep_stop") throw new InvalidOperationException("prep_stop failed");
            return Task.FromResult(state);
        }

        public override Task StopAsync(object? state, CancellationToken cancellationToken)
        {
            journal.Enqueue("stop");
            if (throwing == "stop") throw new InvalidOperationException("stop failed");
            return Task.CompletedTask;
        }
    }

    private sealed class SlowApp(TaskCompletionSource<Pid> starting) : Application
    {
        public override async Task<ApplicationStart> StartAsync(StartType startType, object? args, CancellationToken cancellationToken)
        {
            starting.SetResult(ProcessContext.Current!.Self);
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return ApplicationStart.Failed(ExitReason.Normal);
        }
    }
}
