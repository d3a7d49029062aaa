using System.Globalization;

namespace Otp.Net.Benchmarks;

/// <summary>Prints result lines exactly as the workload contract (WORKLOADS.md §1) requires.</summary>
internal static class Report
{
    public static void Result(string runtime, string workload, long n, string metric, double value, string unit) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT runtime={runtime} workload={workload} n={n} metric={metric} value={value.ToString("0.######", CultureInfo.InvariantCulture)} unit={unit}"));

    public static void Info(string text) => Console.Error.WriteLine("INFO " + text);

    public static long RssBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kb = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                return kb * 1024;
            }
        }
        return 0;
    }

    public static double Seconds(long start, long end) => (end - start) / (double)System.Diagnostics.Stopwatch.Frequency;
}
