using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Otp.Net.Processes;

namespace Otp.Net.Dashboard.Tests.Api;

/// <summary>The event stream: live changes, zero cost when nobody watches, a bounded buffer for slow viewers.</summary>
public sealed class DashboardStreamTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(10);

    private static async Task UntilAsync(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > Safety) throw new TimeoutException("condition not met");
            await Task.Yield();
            await Task.Delay(1);
        }
    }

    [Fact]
    public async Task AKilledChild_IsStreamedAsARestart_WithTheBudgetLeft() // U7
    {
        await using var host = await ApiHost.StartAsync();
        await using var events = await EventStreamReader.OpenAsync(host.Client);
        var vault = host.Named("vault");
        host.Node.Exit(vault, ExitReason.Kill);
        var exited = await events.WaitForAsync("exited", e => e.GetProperty("pid").GetString() == vault.ToString(), Safety);
        exited.GetProperty("reason").GetString().Should().Be("killed");
        var restarted = await events.WaitForAsync("restarted", e => e.GetProperty("childId").GetString() == "vault", Safety);
        restarted.GetProperty("supervisor").GetString().Should().Be(host.Named("workers").ToString());
        restarted.GetProperty("reason").GetString().Should().Be("killed");
        restarted.GetProperty("restartsInWindow").GetInt32().Should().Be(1);
        restarted.GetProperty("intensity").GetInt32().Should().Be(3);
        restarted.GetProperty("budgetLeft").GetInt32().Should().Be(2);
        restarted.GetProperty("pid").GetString().Should().Be(host.Named("vault").ToString());
    }

    [Fact]
    public async Task CrashReports_AreStreamed_AndKeptForTheReportsView()
    {
        await using var host = await ApiHost.StartAsync();
        await using var events = await EventStreamReader.OpenAsync(host.Client);
        host.Node.Exit(host.Named("vault"), ExitReason.Kill);
        var report = await events.WaitForAsync("report", e => e.GetProperty("level").GetString() == "error", Safety);
        report.GetProperty("category").GetString().Should().StartWith("Otp.Net");
        report.GetProperty("message").GetString().Should().Contain("vault");
        var kept = await host.Client.GetFromJsonAsync<JsonElement>("/otp/api/reports");
        kept.EnumerateArray().Select(r => r.GetProperty("seq").GetInt64()).Should().Contain(report.GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task Samples_CarryMessageRates_OnlyWhileSomeoneWatches()
    {
        await using var host = await ApiHost.StartAsync(o => o.SampleInterval = TimeSpan.FromMilliseconds(100));
        var teller = host.Named("teller");
        await using var events = await EventStreamReader.OpenAsync(host.Client);
        using var busy = new CancellationTokenSource();
        var calls = Task.Run(async () =>
        {
            while (!busy.IsCancellationRequested) await GenServers.GenServer.CallAsync(teller, "balance", Safety);
        });
        var sample = await events.WaitForAsync("sample", e => e.GetProperty("rates").TryGetProperty(teller.ToString(), out var r) && r.GetDouble() > 0, Safety);
        sample.GetProperty("processCount").GetInt32().Should().BePositive();
        await busy.CancelAsync();
        await calls;
    }

    [Fact]
    public async Task NobodyWatching_TheNodeIsNotObserved_AndTheFirstAndLastViewerTurnItOnAndOff()
    {
        await using var host = await ApiHost.StartAsync();
        var stream = host.App.Services.GetRequiredService<DashboardStream>();
        host.Node.Events.IsObserved.Should().BeFalse("a mapped dashboard with no viewer costs the node nothing");
        (await host.Client.GetAsync("/otp/api/trees")).EnsureSuccessStatusCode();
        host.Node.Events.IsObserved.Should().BeFalse("reading the API does not subscribe");

        var first = await EventStreamReader.OpenAsync(host.Client);
        var second = await EventStreamReader.OpenAsync(host.NewClient());
        host.Node.Events.IsObserved.Should().BeTrue();
        stream.ViewerCount.Should().Be(2);
        await first.DisposeAsync();
        await UntilAsync(() => stream.ViewerCount == 1);
        host.Node.Events.IsObserved.Should().BeTrue();
        await second.DisposeAsync();
        await UntilAsync(() => stream.ViewerCount == 0);
        host.Node.Events.IsObserved.Should().BeFalse();
        stream.Rates.Should().BeEmpty();
    }

    [Fact]
    public async Task ASlowViewer_LosesItsOldestEvents_AndIsToldHowMany_TheNodeNeverWaits()
    {
        await using var node = new Node(new NodeOptions { LoggerFactory = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance });
        var options = new OtpDashboardOptions { EventBufferSize = 16, SampleInterval = TimeSpan.FromHours(1) };
        using var stream = new DashboardStream(node, options);
        using var viewer = stream.Join();
        var pids = new List<Pid>();
        for (var i = 0; i < 100; i++) pids.Add(node.Spawn(async ctx => await ctx.ReceiveAsync()));
        viewer.TakeDropped().Should().Be(100 - 16);
        var kept = new List<string>();
        while (viewer.Events.TryRead(out var e)) kept.Add(JsonSerializer.Serialize(e.Data, OtpDashboardEndpointRouteBuilderExtensions.Json));
        kept.Should().HaveCount(16);
        kept[0].Should().Contain(pids[84].ToString(), "the oldest were dropped, the newest kept");
        kept[^1].Should().Contain(pids[99].ToString());
        foreach (var pid in pids) node.Exit(pid, ExitReason.Kill);
    }
}
