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

    private async Task SpawnRoundAsync(int n, bool measure)
    {
        var counter = 0;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        GC.GetTotalMemory(true);
        var managed0 = GC.GetTotalMemory(true);
        var rss0 = Report.RssBytes();
        var chans = new Channel<object>[n];
        var t0 = Stopwatch.GetTimestamp();
        for (var i = 0; i < n; i++)
        {
            var ch = NewChannel();
            chans[i] = ch;
            _ = Task.Run(async () =>
            {
                if (Interlocked.Increment(ref counter) == n) started.TrySetResult();
                await ch.Reader.ReadAsync();
                if (Interlocked.Decrement(ref counter) == 0) stopped.TrySetResult();
            });
        }
        await started.Task;
        var t1 = Stopwatch.GetTimestamp();
        var managed1 = GC.GetTotalMemory(true);
        var rss1 = Report.RssBytes();
        var t2 = Stopwatch.GetTimestamp();
        foreach (var c in chans) c.Writer.TryWrite(Stop);
        await stopped.Task;
        var t3 = Stopwatch.GetTimestamp();
        if (!measure) return;
        Report.Result(Name, "spawn", n, "spawn_s", Report.Seconds(t0, t1), "s");
        Report.Result(Name, "spawn", n, "rss_per_proc", (rss1 - rss0) / (double)n, "bytes");
        Report.Result(Name, "spawn", n, "managed_per_proc", (managed1 - managed0) / (double)n, "bytes");
        Report.Result(Name, "spawn", n, "teardown_s", Report.Seconds(t2, t3), "s");
    }

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
