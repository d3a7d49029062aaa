using System.Diagnostics.Metrics;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;
using Otp.Net.Terms;

namespace Otp.Net.Tests.Diagnostics;

public sealed class MetricsTests : IDisposable
{
    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    private Dictionary<string, long> Observe()
    {
        var values = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == _node.Metrics.Meter) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => values[instrument.Name] = values.GetValueOrDefault(instrument.Name) + value);
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }

    [Fact]
    public async Task Meter_ReportsProcessesMessagesMailboxDepth()
    {
        var gate = new TaskCompletionSource();
        var got = new TaskCompletionSource();
        var pid = _node.Spawn(async ctx =>
        {
            await ctx.ReceiveAsync();
            await gate.Task;
            await ctx.ReceiveAsync();
            await ctx.ReceiveAsync();
            got.SetResult();
            await ctx.ReceiveAsync(m => m is "stop"); // the fourth message stays queued, not received
        });
        for (var i = 0; i < 4; i++) _node.Send(pid, i);
        while (_node.GetProcessInfo(pid)!.MessageQueueLength != 3) await Task.Yield(); // the first message is taken
        var before = Observe();
        before["otp.processes"].Should().Be(1);
        before["otp.mailbox.depth.max"].Should().Be(3);
        before["otp.messages.received"].Should().Be(1);
        gate.SetResult();
        await got.Task.Within();
        Observe()["otp.messages.received"].Should().Be(3);
    }

    [Fact]
    public async Task Meter_CountsSupervisorRestarts()
    {
        var restarts = 0L;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == _node.Metrics.Meter && instrument.Name == "otp.supervisor.restarts") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref restarts, value));
        listener.Start();
        var sup = (await Supervisor.StartLinkAsync(_node, new SupervisorFlags { Intensity = 5 }, [ChildSpec.ForGenServer<GenServers.TestServer>(Atom.Of("w"))])).Pid;
        for (var i = 0; i < 2; i++)
        {
            var w = (await Supervisor.WhichChildrenAsync(sup)).Single().Pid;
            _node.Exit(w, ExitReason.Kill);
            await Supervisor.WhichChildrenAsync(sup); // served after the restart
        }
        Interlocked.Read(ref restarts).Should().Be(2);
    }
}
