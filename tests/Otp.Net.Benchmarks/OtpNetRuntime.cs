using Microsoft.Extensions.Logging.Abstractions;
using System.Diagnostics;
using System.Globalization;
using Otp.Net.Processes;

namespace Otp.Net.Benchmarks;

/// <summary>The workloads on Otp.Net, with the defaults a user gets.</summary>
internal sealed class OtpNetRuntime(bool dashboard = false) : IRuntime
{
    private static readonly object Stop = new();
    private static readonly object Ping = new();
    private static readonly object Pong = new();
    private static readonly object Go = new();

    public string Name => dashboard ? "otpnet-dashboard" : "otpnet";

    public async Task<bool> RunAsync(string workload, string[] args)
    {
        Nodes.WithDashboard = dashboard;
        switch (workload)
        {
            case "spawn":
                await SpawnAsync(int.Parse(args[0], CultureInfo.InvariantCulture));
                return true;
            case "pingpong":
                await PingPongAsync(int.Parse(args[0], CultureInfo.InvariantCulture));
                return true;
            case "oneway":
                await OneWayAsync(int.Parse(args[0], CultureInfo.InvariantCulture));
                return true;
            case "pairs":
                await OtpNetWorkloads.PairsAsync(Name, int.Parse(args[0], CultureInfo.InvariantCulture), long.Parse(args[1], CultureInfo.InvariantCulture));
                return true;
            case "call":
                await OtpNetWorkloads.CallAsync(Name, int.Parse(args[0], CultureInfo.InvariantCulture), int.Parse(args[1], CultureInfo.InvariantCulture));
                return true;
            case "callbytes":
                await OtpNetWorkloads.CallBytesAsync(Name, int.Parse(args[0], CultureInfo.InvariantCulture));
                return true;
            case "callphases":
                await OtpNetWorkloads.CallPhasesAsync(Name, int.Parse(args[0], CultureInfo.InvariantCulture));
                return true;
            case "restart":
                await OtpNetWorkloads.RestartAsync(Name, int.Parse(args[0], CultureInfo.InvariantCulture));
                return true;
            case "upgrade":
                await UpgradeWorkload.RunAsync(Name, int.Parse(args[0], CultureInfo.InvariantCulture), int.Parse(args[1], CultureInfo.InvariantCulture));
                return true;
            case "upgrade_release":
                await ReleaseUpgradeWorkload.RunAsync(Name, int.Parse(args[0], CultureInfo.InvariantCulture), int.Parse(args[1], CultureInfo.InvariantCulture), args.Length > 2 && args[2] == "rolling", args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1000);
                return true;
            default:
                return args.Length == 1 && await ScalingWorkloads.RunAsync(Name, workload, int.Parse(args[0], CultureInfo.InvariantCulture));
        }
    }

    // W1
    private async Task SpawnAsync(int n)
    {
        await using var node = Nodes.New();
        await SpawnRoundAsync(node, 1000, measure: false);
        await SpawnRoundAsync(node, n, measure: true);
    }

    private Task SpawnRoundAsync(Node node, int n, bool measure) =>
        Measure.SpawnAsync<Pid>(Name, n, measure, lifecycle =>
        {
            Func<ProcessContext, Task> body = async ctx =>
            {
                lifecycle.Started();
                await ctx.ReceiveAsync();
                lifecycle.Stopped();
            };
            return () => node.Spawn(body);
        }, p => node.Send(p, Stop));

    // W2
    private async Task PingPongAsync(int n)
    {
        await using var node = Nodes.New();
        await PingPongRoundAsync(node, Math.Max(1, n / 10));
        var seconds = await PingPongRoundAsync(node, n);
        Report.Result(Name, "pingpong", n, "rate", n / seconds, "roundtrips/s");
    }

    private static async Task<double> PingPongRoundAsync(Node node, int n)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pong = node.Spawn(async ctx =>
        {
            while (true)
            {
                var m = (Pid)await ctx.ReceiveAsync();
                ctx.Send(m, Pong);
            }
        });
        var ping = node.Spawn(async ctx =>
        {
            await ctx.ReceiveAsync(); // start
            var self = (object)ctx.Self;
            for (var i = 0; i < n; i++)
            {
                ctx.Send(pong, self);
                await ctx.ReceiveAsync();
            }
            done.SetResult();
        });
        var t0 = Stopwatch.GetTimestamp();
        node.Send(ping, Go);
        await done.Task;
        var t1 = Stopwatch.GetTimestamp();
        node.Exit(pong, ExitReason.Kill);
        return Report.Seconds(t0, t1);
    }

    // W3
    private async Task OneWayAsync(int n)
    {
        await using var node = Nodes.New();
        await OneWayRoundAsync(node, Math.Max(1, n / 10));
        var seconds = await OneWayRoundAsync(node, n);
        Report.Result(Name, "oneway", n, "rate", n / seconds, "msgs/s");
    }

    private static async Task<double> OneWayRoundAsync(Node node, int n)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = node.Spawn(async ctx =>
        {
            for (var i = 0; i < n; i++) await ctx.ReceiveAsync();
            done.SetResult();
        });
        var producer = node.Spawn(async ctx =>
        {
            await ctx.ReceiveAsync(); // go
            for (var i = 0; i < n; i++) ctx.Send(consumer, i);
        });
        var t0 = Stopwatch.GetTimestamp();
        node.Send(producer, Go);
        await done.Task;
        var t1 = Stopwatch.GetTimestamp();
        return Report.Seconds(t0, t1);
    }
}
