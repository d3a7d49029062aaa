using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Otp.Net.Diagnostics;

/// <summary>
/// A node's instruments, on a <see cref="Meter"/> named <see cref="OtpDiagnostics.MeterName"/> (watch them with
/// <c>dotnet-counters monitor --counters OtpDotNet</c>): live processes, messages received, the deepest mailbox,
/// supervisor restarts, module loads and upgrades, and the call, restart and upgrade durations. Nothing is counted on
/// a shared location per message: each process counts its own messages, and observable instruments add them up only
/// when observed. A duration is measured only while its histogram has a listener.
/// </summary>
internal sealed class OtpMetrics : IDisposable
{
    // Calls take microseconds to seconds: OpenTelemetry's default buckets start at 5 ms and would put them all in one.
    private static readonly InstrumentAdvice<double> DurationAdvice = new()
    {
        HistogramBucketBoundaries = [0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    };

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _restarts;
    private readonly Counter<long> _upgrades;
    private readonly Counter<long> _loads;
    private long _receivedByExited;
    private Node? _node;

    public OtpMetrics(Node node, IMeterFactory? factory)
    {
        if (factory is not null)
        {
            // The factory owns (and disposes) the meters it creates.
            _meter = factory.Create(new MeterOptions(OtpDiagnostics.MeterName) { Version = Version });
        }
        else
        {
            _meter = new Meter(OtpDiagnostics.MeterName, Version);
            _ownsMeter = true;
        }
        _node = node;
        // A factory's meter may outlive the node (the factory disposes it): once the node is disposed, its
        // observable instruments report nothing and no longer hold the node.
        _meter.CreateObservableUpDownCounter("otp.processes", () => Observe(n => (long)n.ProcessCount), "{process}", "Live processes");
        _meter.CreateObservableCounter("otp.messages.received", () => Observe(n => Volatile.Read(ref _receivedByExited) + n.LiveProcesses.Sum(p => p.MessagesReceived)), "{message}", "Messages taken from mailboxes");
        _meter.CreateObservableGauge("otp.mailbox.depth.max", () => Observe(n => n.LiveProcesses.Select(p => (long)p.Mailbox.CountApprox()).DefaultIfEmpty(0).Max()), "{message}", "The deepest mailbox");
        _meter.CreateObservableGauge("otp.scheduler.handoff.suspended", () => Observe(n => n.Options.HandOff && !Processes.Scheduler.HandOffSuspended ? 0 : 1), "{node}", "1 while the node's wake-ups skip hand-off slots (hand-off off, or other programs keep the cores busy)");
        _meter.CreateObservableCounter("otp.scheduler.handoff.suspensions", () => Observe(_ => Processes.ForeignLoadMonitor.Suspensions), "{suspension}", "Times hand-off slots were suspended because other programs kept the cores busy (all nodes of the program)");
        _restarts = _meter.CreateCounter<long>("otp.supervisor.restarts", "{restart}", "Children restarted by supervisors");
        _loads = _meter.CreateCounter<long>("otp.code.loads", "{load}", "Module versions loaded");
        _upgrades = _meter.CreateCounter<long>("otp.code.upgrades", "{upgrade}", "Module upgrades completed");
        CallDuration = _meter.CreateHistogram(OtpDiagnostics.CallDuration, "s", "Duration of gen_server calls, as the caller saw them", tags: null, DurationAdvice);
        RestartDuration = _meter.CreateHistogram(OtpDiagnostics.RestartDuration, "s", "Duration of supervisor restarts", tags: null, DurationAdvice);
        UpgradeDuration = _meter.CreateHistogram(OtpDiagnostics.UpgradeDuration, "s", "Duration of code server upgrades", tags: null, DurationAdvice);
    }

    internal static string? Version { get; } = typeof(OtpMetrics).Assembly.GetName().Version?.ToString();

    internal Meter Meter => _meter;

    /// <summary>Caller-side duration of a call; check <see cref="Instrument.Enabled"/> before measuring.</summary>
    public Histogram<double> CallDuration { get; }

    public Histogram<double> RestartDuration { get; }

    public Histogram<double> UpgradeDuration { get; }

    public void ProcessExited(long received) => Interlocked.Add(ref _receivedByExited, received);

    public void Restarted(string? module, string? application) => _restarts.Add(1, Tags(module, application, null));

    public void Loaded() => _loads.Add(1);

    public void Upgraded(string module) => _upgrades.Add(1, Tags(module, null, null));

    /// <summary>Records <paramref name="seconds"/> on <paramref name="histogram"/> with the module, application and error tags that are set.</summary>
    public static void Record(Histogram<double> histogram, double seconds, string? module, string? application, string? errorType) =>
        histogram.Record(seconds, Tags(module, application, errorType));

    private static TagList Tags(string? module, string? application, string? errorType)
    {
        var tags = default(TagList);
        if (module is not null) tags.Add(OtpDiagnostics.ModuleTag, module);
        if (application is not null) tags.Add(OtpDiagnostics.ApplicationTag, application);
        if (errorType is not null) tags.Add(OtpDiagnostics.ErrorTypeTag, errorType);
        return tags;
    }

    private Measurement<long>[] Observe(Func<Node, long> read) =>
        Volatile.Read(ref _node) is { } node ? [new Measurement<long>(read(node))] : [];

    public void Dispose()
    {
        Volatile.Write(ref _node, null);
        if (_ownsMeter) _meter.Dispose();
    }
}
