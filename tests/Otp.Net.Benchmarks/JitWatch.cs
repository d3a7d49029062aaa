using System.Diagnostics;
using System.Diagnostics.Tracing;

namespace Otp.Net.Benchmarks;

/// <summary>
/// With <c>OTPNET_JITEVENTS=1</c>, prints the runtime's tiered-compilation events (the call-counting delay's pauses
/// and resumes, background tier-1 batches) and every method compiled or first run from precompiled code, each with
/// the milliseconds since the program started, as <c>JIT</c> lines on stderr. The W6 workload marks its rounds on the
/// same clock. Shows when a workload's code leaves unoptimized tier 0 (see docs/performance.md).
/// </summary>
internal sealed class JitWatch : EventListener
{
    private const EventKeywords Jit = (EventKeywords)0x10;
    private const EventKeywords Loader = (EventKeywords)0x8;
    private const EventKeywords TieredCompilation = (EventKeywords)0x1000000000;
    private const EventKeywords CompilationDiagnostic = (EventKeywords)0x2000000000;

    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    public static JitWatch? Instance { get; } = Environment.GetEnvironmentVariable("OTPNET_JITEVENTS") == "1" ? new JitWatch() : null;

    /// <summary>Prints a marker on the events' clock (only while watching).</summary>
    public static void Mark(string what)
    {
        if (Instance is not null) Console.Error.WriteLine($"JIT {Clock.Elapsed.TotalMilliseconds:F1} mark {what}");
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, Jit | Loader | TieredCompilation | CompilationDiagnostic);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        string? detail = e.EventName switch
        {
            "MethodLoadVerbose_V2" or "R2RGetEntryPoint" => $"{Field(e, "MethodNamespace")}::{Field(e, "MethodName")}",
            "TieredCompilationPause" or "TieredCompilationResume" or "TieredCompilationBackgroundJitStart" or "TieredCompilationBackgroundJitStop" =>
                string.Join(",", e.PayloadNames!.Zip(e.Payload!, (n, v) => $"{n}={v}").Where(p => !p.StartsWith("ClrInstanceID", StringComparison.Ordinal))),
            _ => null,
        };
        if (detail is not null) Console.Error.WriteLine($"JIT {Clock.Elapsed.TotalMilliseconds:F1} {e.EventName} {detail}");
    }

    private static object? Field(EventWrittenEventArgs e, string name) => e.PayloadNames!.IndexOf(name) is >= 0 and var i ? e.Payload![i] : null;
}
