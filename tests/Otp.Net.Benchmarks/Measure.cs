using System.Diagnostics;

namespace Otp.Net.Benchmarks;

/// <summary>
/// The measuring code shared by every runtime: each runtime says how to spawn, stop or ask; this class times the
/// phases, reads memory and prints the contract's metrics.
/// </summary>
internal static class Measure
{
    /// <summary>"Started" and "stopped" signals: O(1) per actor, the last one completes the task.</summary>
    internal sealed class Lifecycle(int n)
    {
        private int _count;
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task AllStarted => _started.Task;

        public Task AllStopped => _stopped.Task;

        public void Started()
        {
            if (Interlocked.Increment(ref _count) == n) _started.TrySetResult();
        }

        public void Stopped()
        {
            if (Interlocked.Decrement(ref _count) == 0) _stopped.TrySetResult();
        }
    }

    /// <summary>W1: spawn n actors, measure time and memory, stop them all.</summary>
    public static async Task SpawnAsync<TRef>(string runtime, int n, bool report, Func<Lifecycle, Func<TRef>> prepare, Action<TRef> stop)
    {
        var lifecycle = new Lifecycle(n);
        var spawnOne = prepare(lifecycle);
        GC.GetTotalMemory(true);
        var managed0 = GC.GetTotalMemory(true);
        var rss0 = Report.RssBytes();
        var refs = new TRef[n];
        var t0 = Stopwatch.GetTimestamp();
        for (var i = 0; i < n; i++) refs[i] = spawnOne();
        await lifecycle.AllStarted;
        var t1 = Stopwatch.GetTimestamp();
        var managed1 = GC.GetTotalMemory(true);
        var rss1 = Report.RssBytes();
        var t2 = Stopwatch.GetTimestamp();
        foreach (var r in refs) stop(r);
        await lifecycle.AllStopped;
        var t3 = Stopwatch.GetTimestamp();
        if (!report) return;
        Report.Result(runtime, "spawn", n, "spawn_s", Report.Seconds(t0, t1), "s");
        Report.Result(runtime, "spawn", n, "rss_per_proc", (rss1 - rss0) / (double)n, "bytes");
        Report.Result(runtime, "spawn", n, "managed_per_proc", (managed1 - managed0) / (double)n, "bytes");
        Report.Result(runtime, "spawn", n, "teardown_s", Report.Seconds(t2, t3), "s");
    }

    /// <summary>W5: C clients, each doing calls/C sequential requests; per-call latency and overall rate.</summary>
    public static async Task CallAsync(string runtime, int clients, int calls, Func<Func<Task>> prepareServer, string workload = "call")
    {
        await CallRoundAsync(runtime, clients, Math.Max(clients, calls / 10), prepareServer, report: false, workload);
        await CallRoundAsync(runtime, clients, calls, prepareServer, report: true, workload);
    }

    private static async Task CallRoundAsync(string runtime, int clients, int calls, Func<Func<Task>> prepareServer, bool report, string workload)
    {
        var call = prepareServer();
        var perClient = calls / clients;
        var latencies = new double[perClient * clients];
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            await release.Task;
            for (var i = 0; i < perClient; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                await call();
                latencies[c * perClient + i] = Stats.TicksToMicros(Stopwatch.GetTimestamp() - t0);
            }
        })).ToArray();
        var start = Stopwatch.GetTimestamp();
        release.SetResult();
        await Task.WhenAll(tasks);
        var seconds = Report.Seconds(start, Stopwatch.GetTimestamp());
        if (!report) return;
        Array.Sort(latencies);
        Report.Result(runtime, workload, clients, "rate", latencies.Length / seconds, "calls/s");
        Report.Result(runtime, workload, clients, "p50_us", Stats.Percentile(latencies, 0.50), "us");
        Report.Result(runtime, workload, clients, "p99_us", Stats.Percentile(latencies, 0.99), "us");
        Report.Result(runtime, workload, clients, "p999_us", Stats.Percentile(latencies, 0.999), "us");
        Report.Result(runtime, workload, clients, "max_us", latencies[^1], "us");
    }

    /// <summary>W6: the restart metrics from per-crash samples.</summary>
    public static void Restart(string runtime, int crashes, double[] samples, long retries)
    {
        var sorted = samples.ToArray();
        Array.Sort(sorted);
        void R(string metric, double value, string unit) => Report.Result(runtime, "restart", crashes, metric, value, unit);
        R("mean_us", samples.Average(), "us");
        R("p50_us", Stats.Percentile(sorted, 0.50), "us");
        R("p99_us", Stats.Percentile(sorted, 0.99), "us");
        R("mean_first1k_us", samples.Take(1000).Average(), "us");
        R("mean_last1k_us", samples.Skip(Math.Max(0, samples.Length - 1000)).Average(), "us");
        R("retries_per_crash", retries / (double)crashes, "count");
    }
}
