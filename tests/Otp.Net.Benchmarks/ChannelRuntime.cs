using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;

namespace Otp.Net.Benchmarks;

/// <summary>The bare-Channel baseline (WORKLOADS.md §3): plain async loops over stock unbounded channels.</summary>
internal sealed class ChannelRuntime : IRuntime
{
    private static readonly object Stop = new();
    private static readonly object Msg = new();

    public string Name => "channel";

    private static Channel<object> NewChannel() => Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });

    public async Task<bool> RunAsync(string workload, string[] args)
    {
        var n = int.Parse(args[0], CultureInfo.InvariantCulture);
        switch (workload)
        {
            case "spawn":
                await SpawnRoundAsync(1000, false);
                await SpawnRoundAsync(n, true);
                return true;
            case "pingpong":
                await PingPongAsync(Math.Max(1, n / 10));
                Report.Result(Name, "pingpong", n, "rate", n / await PingPongAsync(n), "roundtrips/s");
                return true;
            case "oneway":
                await OneWayAsync(Math.Max(1, n / 10));
                Report.Result(Name, "oneway", n, "rate", n / await OneWayAsync(n), "msgs/s");
                return true;
            default:
                return false;
        }
    }

    private Task SpawnRoundAsync(int n, bool measure) =>
        Measure.SpawnAsync<Channel<object>>(Name, n, measure, lifecycle => () =>
        {
            var ch = NewChannel();
            _ = Task.Run(async () =>
            {
                lifecycle.Started();
                await ch.Reader.ReadAsync();
                lifecycle.Stopped();
            });
            return ch;
        }, c => c.Writer.TryWrite(Stop));

    private static async Task<double> PingPongAsync(int n)
    {
        var a = NewChannel();
        var b = NewChannel();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = Task.Run(async () =>
        {
            while (true)
            {
                var m = await b.Reader.ReadAsync();
                if (m == Stop) return;
                a.Writer.TryWrite(Msg);
            }
        });
        var start = NewChannel();
        _ = Task.Run(async () =>
        {
            await start.Reader.ReadAsync();
            for (var i = 0; i < n; i++)
            {
                b.Writer.TryWrite(Msg);
                await a.Reader.ReadAsync();
            }
            done.SetResult();
        });
        var t0 = Stopwatch.GetTimestamp();
        start.Writer.TryWrite(Msg);
        await done.Task;
        var t1 = Stopwatch.GetTimestamp();
        b.Writer.TryWrite(Stop);
        return Report.Seconds(t0, t1);
    }

    private static async Task<double> OneWayAsync(int n)
    {
        var c = NewChannel();
        var start = NewChannel();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = Task.Run(async () =>
        {
            var count = 0;
            while (await c.Reader.WaitToReadAsync())
            {
                while (c.Reader.TryRead(out _))
                {
                    if (++count == n)
                    {
                        done.SetResult();
                        return;
                    }
                }
            }
        });
        _ = Task.Run(async () =>
        {
            await start.Reader.ReadAsync();
            for (var i = 0; i < n; i++) c.Writer.TryWrite(i);
        });
        var t0 = Stopwatch.GetTimestamp();
        start.Writer.TryWrite(Msg);
        await done.Task;
        return Report.Seconds(t0, Stopwatch.GetTimestamp());
    }
}
