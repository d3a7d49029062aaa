namespace Otp.Net.Benchmarks;

/// <summary>Nearest-rank percentiles (WORKLOADS.md §1).</summary>
internal static class Stats
{
    public static double Percentile(double[] sortedSamples, double q)
    {
        if (sortedSamples.Length == 0) return 0;
        var rank = (int)Math.Ceiling(q * sortedSamples.Length);
        return sortedSamples[Math.Clamp(rank, 1, sortedSamples.Length) - 1];
    }

    public static double TicksToMicros(long ticks) => ticks * 1_000_000.0 / System.Diagnostics.Stopwatch.Frequency;
}
