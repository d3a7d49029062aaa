using System.Net;
using Otp.Net.Processes;

namespace Otp.Net.Dashboard.Tests.Probes;

/// <summary>Many viewers joining and leaving the event stream while processes come and go fast.</summary>
public sealed class StreamProbes
{
    [Fact]
    public async Task ManyViewersComingAndGoing_WhileProcessesChurn_LeaveTheNodeUnobserved_AndLogNoFailure()
    {
        await using var host = await ProbeHost.StartAsync(
            otp => otp.AddApplication("shop", a => a.Supervisor(s => s.GenServer<ProbeWorker>("clerk", name: "clerk"))),
            o =>
            {
                o.SampleInterval = TimeSpan.FromMilliseconds(100);
                o.EventBufferSize = 16;
            });
        using var stop = new CancellationTokenSource();
        var churn = Task.Run(() =>
        {
            var spawned = 0;
            while (!stop.IsCancellationRequested)
            {
                var pid = host.Node.Spawn(async ctx => await ctx.ReceiveAsync());
                host.Node.Exit(pid, ExitReason.Kill);
                spawned++;
            }
            return spawned;
        });
        // A witness that sees the churn while the others come and go.
        await using (var witness = await Api.EventStreamReader.OpenAsync(host.NewClient()))
        {
            await witness.WaitForAsync("exited", _ => true, ProbeHost.Safety);
            var viewers = Enumerable.Range(0, 40).Select(async i =>
            {
                using var client = host.NewClient();
                for (var round = 0; round < 5; round++)
                {
                    await using var events = await Api.EventStreamReader.OpenAsync(client);
                    if ((i + round) % 2 == 0) await events.WaitForAsync("spawned", _ => true, ProbeHost.Safety);
                }
            }).ToArray();
            await Task.WhenAll(viewers).WaitAsync(ProbeHost.Safety * 3);
            await witness.WaitForAsync("sample", _ => true, ProbeHost.Safety);
        }
        await stop.CancelAsync();
        (await churn).Should().BePositive();
        await ProbeHost.UntilAsync(() => !host.Node.Events.IsObserved, "the node unobserved once every viewer has left");
        (await host.JsonAsync("/otp/api/node")).GetProperty("processCount").GetInt32().Should().BePositive();
        host.Log.Failures().Should().BeEmpty();
    }
}
