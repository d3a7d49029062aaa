using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Otp.Net.Benchmarks;

/// <summary>
/// Runs workloads for every runtime, three times each in fresh processes, and prints a markdown table of medians
/// with the ratio Otp.Net / best peer and, for W1–W3, Otp.Net / bare Channel.
/// </summary>
internal static class Suite
{
    private static readonly string[] Runtimes = ["otpnet", "akka", "proto", "channel"];
    private static readonly string[] Peers = ["akka", "proto"];

    public static readonly (string Workload, string[] Args)[] Standard =
    [
        ("spawn", ["100000"]), ("spawn", ["1000000"]), ("pingpong", ["1000000"]), ("oneway", ["10000000"]),
        ("pairs", ["1000", "10000000"]), ("pairs", ["10000", "10000000"]), ("call", ["1", "200000"]), ("call", ["8", "200000"]),
        ("restart", ["10000"]), ("upgrade", ["10000", "0"]), ("upgrade", ["100000", "0"]), ("upgrade", ["100000", "4"]),
        ("upgrade_release", ["100000", "4"]), ("upgrade_release", ["100000", "4", "rolling"]),
    ];

    /// <summary>Between two node processes (run when named: <c>bash build/bench.sh remote_pingpong remote_call</c>).</summary>
    public static readonly (string Workload, string[] Args)[] Remote =
    [
        ("remote_pingpong", ["20000"]), ("remote_call", ["1", "20000"]), ("remote_call", ["8", "40000"]),
    ];

    private static bool LowerIsBetter(string metric) =>
        metric.EndsWith("_s", StringComparison.Ordinal) || metric.EndsWith("_us", StringComparison.Ordinal)
        || metric.EndsWith("_ms", StringComparison.Ordinal) || metric.EndsWith("per_proc", StringComparison.Ordinal)
        || metric is "retries_per_crash" or "client_calls_failed";

    public static async Task<int> RunAsync(string[] filter, int runs)
    {
        if (filter.Length > 0 && filter[0] == "--dashboard") return await DashboardAsync(filter[1..], runs);
        if (filter.Length > 0 && filter[0] == "--quick") return await QuickGuard.RunAsync(filter[1..], runs: 5);
        var selected = filter.Length == 0 ? Standard : Standard.Concat(Remote).Where(w => filter.Contains(w.Workload)).ToArray();
        // Between nodes, the prototype carrier on Proto.Cluster runs beside the shipped one; there is no bare-Channel floor.
        string[] runtimes = selected.Any(Remote.Contains) ? ["otpnet", "otpproto", "akka", "proto"] : Runtimes;
        Console.WriteLine($"| workload | args | metric | {string.Join(" | ", runtimes)} | otpnet / best peer | otpnet / channel |");
        Console.WriteLine($"|---|---|---|{string.Concat(runtimes.Select(_ => "---|"))}---|---|");
        foreach (var (workload, args) in selected)
        {
            var values = new Dictionary<(string Runtime, string Metric), List<double>>();
            var metrics = new List<string>();
            foreach (var runtime in runtimes)
            {
                for (var run = 0; run < runs; run++)
                {
                    var results = await RunOnceAsync(runtime, workload, args);
                    if (results is null) break; // unsupported or failed
                    foreach (var (metric, value) in results)
                    {
                        if (!metrics.Contains(metric)) metrics.Add(metric);
                        if (!values.TryGetValue((runtime, metric), out var list)) values[(runtime, metric)] = list = [];
                        list.Add(value);
                    }
                }
            }
            foreach (var metric in metrics)
            {
                double? Median(string runtime) => values.TryGetValue((runtime, metric), out var l) && l.Count > 0 ? l.Order().ElementAt(l.Count / 2) : null;
                var cells = runtimes.Select(r => Median(r) is { } v ? Format(v) : "n/a");
                var ours = Median("otpnet");
                var peers = Peers.Select(Median).Where(v => v is not null).Select(v => v!.Value).ToArray();
                var best = peers.Length == 0 ? (double?)null : LowerIsBetter(metric) ? peers.Min() : peers.Max();
                var channel = Median("channel");
                var line = new StringBuilder($"| {workload} | {string.Join(' ', args)} | {metric} | {string.Join(" | ", cells)} | ");
                line.Append(ours is { } o && best is { } b && b != 0 ? (o / b).ToString("0.00", CultureInfo.InvariantCulture) : "–").Append(" | ");
                line.Append(ours is { } o2 && channel is { } c && c != 0 ? (o2 / c).ToString("0.00", CultureInfo.InvariantCulture) : "–").Append(" |");
                Console.WriteLine(line);
            }
        }
        Console.WriteLine();
        Console.WriteLine($"Medians of {runs} runs in fresh processes; {Environment.ProcessorCount} cores, .NET {Environment.Version}, Release, workstation GC. " +
            "Ratios compare medians: for rates higher is better, for times, bytes and latencies lower is better.");
        return 0;
    }

    /// <summary>
    /// Otp.Net alone and Otp.Net with the dashboard mapped and nobody watching, runs interleaved (plain, dashboard,
    /// plain, ...) so that drift of the machine hits both alike: the ratio column should stay within the noise the
    /// spread columns show.
    /// </summary>
    private static async Task<int> DashboardAsync(string[] filter, int runs)
    {
        string[] runtimes = ["otpnet", "otpnet-dashboard"];
        var selected = Standard.Where(w => filter.Length == 0 ? w.Workload is "spawn" or "pingpong" or "call" or "restart" : filter.Contains(w.Workload)).ToArray();
        Console.WriteLine("| workload | args | metric | otpnet | otpnet + idle dashboard | dashboard / plain | spread plain | spread dashboard |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var (workload, args) in selected)
        {
            var values = new Dictionary<(string Runtime, string Metric), List<double>>();
            var metrics = new List<string>();
            for (var run = 0; run < runs; run++)
            {
                foreach (var runtime in runtimes)
                {
                    var results = await RunOnceAsync(runtime, workload, args) ?? throw new InvalidOperationException($"{runtime} {workload} failed");
                    foreach (var (metric, value) in results)
                    {
                        if (!metrics.Contains(metric)) metrics.Add(metric);
                        if (!values.TryGetValue((runtime, metric), out var list)) values[(runtime, metric)] = list = [];
                        list.Add(value);
                    }
                }
            }
            foreach (var metric in metrics)
            {
                var plain = values[("otpnet", metric)];
                var dash = values[("otpnet-dashboard", metric)];
                double Median(List<double> l) => l.Order().ElementAt(l.Count / 2);
                string Spread(List<double> l) => Median(l) == 0 ? "–" : ((l.Max() - l.Min()) / Median(l) * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
                var ratio = Median(plain) == 0 ? "–" : (Median(dash) / Median(plain)).ToString("0.00", CultureInfo.InvariantCulture);
                Console.WriteLine($"| {workload} | {string.Join(' ', args)} | {metric} | {Format(Median(plain))} | {Format(Median(dash))} | {ratio} | {Spread(plain)} | {Spread(dash)} |");
            }
        }
        Console.WriteLine();
        Console.WriteLine($"Medians of {runs} interleaved runs in fresh processes; {Environment.ProcessorCount} cores, .NET {Environment.Version}, Release. " +
            "Spread is (max - min) / median of each side's runs: a ratio within it is noise.");
        return 0;
    }

    internal static bool IsLowerBetter(string metric) => LowerIsBetter(metric);

    internal static string Format(double v) => v >= 1000 ? v.ToString("#,0", CultureInfo.InvariantCulture) : v.ToString("0.###", CultureInfo.InvariantCulture);

    internal static async Task<List<(string Metric, double Value)>?> RunOnceAsync(string runtime, string workload, string[] args)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(runtime);
        start.ArgumentList.Add(workload);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var output = await stdout;
        await stderr;
        if (process.ExitCode != 0) return null;
        var results = new List<(string, double)>();
        foreach (var line in output.Split('\n'))
        {
            if (!line.StartsWith("RESULT ", StringComparison.Ordinal)) continue;
            var fields = line.Split(' ').Skip(1).Select(f => f.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
            results.Add((fields["metric"], double.Parse(fields["value"], CultureInfo.InvariantCulture)));
        }
        return results;
    }
}
