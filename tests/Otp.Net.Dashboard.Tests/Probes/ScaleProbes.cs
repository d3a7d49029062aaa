using System.Diagnostics;
using System.Net;
using Otp.Net.Processes;

namespace Otp.Net.Dashboard.Tests.Probes;

/// <summary>A node with many processes: the list stays capped and counted, the node view answers.</summary>
public sealed class ScaleProbes
{
    [Fact]
    public async Task FiftyThousandProcesses_ListIsCappedAndCounted()
    {
        await using var host = await ProbeHost.StartAsync();
        var pids = new List<Pid>(50_000);
        for (var i = 0; i < 50_000; i++) pids.Add(host.Node.Spawn(async ctx => await ctx.ReceiveAsync()));
        var watch = Stopwatch.StartNew();
        using var response = await host.Client.GetAsync("/otp/api/processes");
        var body = await response.Content.ReadAsStringAsync();
        watch.Stop();
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var total = int.Parse(response.Headers.GetValues("X-Total-Count").Single(), System.Globalization.CultureInfo.InvariantCulture);
        total.Should().BeGreaterThanOrEqualTo(50_000).And.BeLessThanOrEqualTo(host.Node.ProcessCount + 10);
        System.Text.Json.JsonDocument.Parse(body).RootElement.GetArrayLength().Should().Be(2000, "MaxProcessRows defaults to 2000");
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
        (await host.JsonAsync("/otp/api/node")).GetProperty("processCount").GetInt32().Should().BeGreaterThanOrEqualTo(50_000);
        (await host.JsonAsync("/otp/api/trees")).GetArrayLength().Should().BeGreaterThanOrEqualTo(0);
        foreach (var pid in pids) host.Node.Exit(pid, ExitReason.Kill);
    }

    [Fact]
    public async Task ARawProcessWith100kQueued_IsFirstInTheList_AndItsDetailAnswers()
    {
        await using var host = await ProbeHost.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pid = host.Node.Spawn(async _ => await release.Task.WaitAsync(ProbeHost.Safety));
        for (var i = 0; i < 100_000; i++) host.Node.Send(pid, i);
        var rows = await host.JsonAsync("/otp/api/processes");
        rows[0].GetProperty("pid").GetString().Should().Be(pid.ToString());
        rows[0].GetProperty("messageQueueLength").GetInt32().Should().Be(100_000);
        var detail = await host.JsonAsync($"/otp/api/processes/{ProbeHost.Url(pid)}");
        detail.GetProperty("messageQueueLength").GetInt32().Should().Be(100_000);
        detail.GetProperty("stateVisible").GetBoolean().Should().BeFalse();
        (await host.JsonAsync("/otp/api/node")).GetProperty("mailboxMax").GetInt32().Should().Be(100_000);
        release.SetResult();
    }
}
