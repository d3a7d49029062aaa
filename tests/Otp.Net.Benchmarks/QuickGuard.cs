using System.Globalization;

namespace Otp.Net.Benchmarks;

/// <summary>
/// The regression guard (<c>bash build/bench.sh --quick</c>): a subset of the workloads for Otp.Net alone, smaller,
/// medians of 5 fresh runs (about a minute on 2 cores), compared with the figures last committed in
/// <c>tests/Otp.Net.Benchmarks/quick-baseline.tsv</c>; every metric more than 15 % worse is named, and the exit code
/// is 1 when there is one. <c>--quick --record</c> writes the file from this run instead (commit it with the change it
/// measures).
/// </summary>
internal static class QuickGuard
{
    private const double Tolerance = 0.15;

    private static readonly (string Workload, string[] Args)[] Subset =
    [
        ("spawn", ["100000"]), ("pingpong", ["1000000"]), ("oneway", ["3000000"]), ("call", ["1", "200000"]),
        ("call", ["8", "200000"]), ("restart", ["10000"]),
    ];

    private static string BaselinePath => Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "quick-baseline.tsv");

    public static async Task<int> RunAsync(string[] options, int runs)
    {
        var record = options.Contains("--record");
        var baseline = record ? [] : Read();
        var measured = new List<(string Key, string Metric, double Value)>();
        Console.WriteLine("| workload | args | metric | now | baseline | change |");
        Console.WriteLine("|---|---|---|---|---|---|");
        var worse = new List<string>();
        foreach (var (workload, args) in Subset)
        {
            var values = new Dictionary<string, List<double>>();
            for (var run = 0; run < runs; run++)
            {
                var results = await Suite.RunOnceAsync("otpnet", workload, args) ?? throw new InvalidOperationException($"{workload} failed");
                foreach (var (metric, value) in results)
                {
                    if (!values.TryGetValue(metric, out var list)) values[metric] = list = [];
                    list.Add(value);
                }
            }
            var key = $"{workload} {string.Join(' ', args)}";
            foreach (var (metric, list) in values)
            {
                var median = list.Order().ElementAt(list.Count / 2);
                measured.Add((key, metric, median));
                var line = $"| {workload} | {string.Join(' ', args)} | {metric} | {Suite.Format(median)} | ";
                if (baseline.TryGetValue((key, metric), out var before) && before != 0)
                {
                    // Positive: better; negative: worse, whichever way the metric goes.
                    var change = Suite.IsLowerBetter(metric) ? (before - median) / before : (median - before) / before;
                    line += $"{Suite.Format(before)} | {change.ToString("+0%;-0%", CultureInfo.InvariantCulture)} |";
                    if (change < -Tolerance) worse.Add($"{key} {metric}: {Suite.Format(median)} against {Suite.Format(before)}");
                }
                else
                {
                    line += "– | – |";
                }
                Console.WriteLine(line);
            }
        }
        Console.WriteLine();
        if (record)
        {
            await File.WriteAllLinesAsync(BaselinePath, measured.Select(m => $"{m.Key}\t{m.Metric}\t{m.Value.ToString("R", CultureInfo.InvariantCulture)}"));
            Console.WriteLine($"Recorded as the baseline: {Path.GetFullPath(BaselinePath)}");
            return 0;
        }
        if (worse.Count == 0)
        {
            Console.WriteLine($"No metric more than {Tolerance:P0} worse than the committed baseline (medians of {runs}).");
            return 0;
        }
        Console.WriteLine($"More than {Tolerance:P0} worse than the committed baseline:");
        foreach (var w in worse) Console.WriteLine($"  {w}");
        return 1;
    }

    private static Dictionary<(string Key, string Metric), double> Read()
    {
        var baseline = new Dictionary<(string, string), double>();
        if (!File.Exists(BaselinePath))
        {
            Console.Error.WriteLine($"no baseline at {Path.GetFullPath(BaselinePath)}: run bash build/bench.sh --quick --record");
            return baseline;
        }
        foreach (var line in File.ReadAllLines(BaselinePath))
        {
            var fields = line.Split('\t');
            if (fields.Length == 3 && double.TryParse(fields[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) baseline[(fields[0], fields[1])] = v;
        }
        return baseline;
    }
}
