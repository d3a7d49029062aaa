using System.Diagnostics.Metrics;

namespace Otp.Net.Diagnostics;

/// <summary>
/// A node's instruments, on a <see cref="Meter"/> named <c>Otp.Net</c> (watch them with
/// <c>dotnet-counters monitor --counters Otp.Net</c>): live processes, messages received, the deepest mailbox,
/// supervisor restarts, module loads and upgrades. Nothing is counted on a shared location per message: each
/// process counts its own messages, and observable instruments add them up only when observed.
/// </summary>
internal sealed class OtpMetrics : IDisposable
{
    public const string MeterName = "Otp.Net";

    private readonly Meter _meter;
    private readonly Counter<long> _restarts;
    private readonly Counter<long> _upgrades;
    private readonly Counter<long> _loads;
    private long _receivedByExited;

    public OtpMetrics(Node node)
    {
        _meter = new Meter(MeterName);
        _meter.CreateObservableUpDownCounter("otp.processes", () => (long)node.ProcessCount, "{process}", "Live processes");
        _meter.CreateObservableCounter("otp.messages.received", () => Volatile.Read(ref _receivedByExited) + node.LiveProcesses.Sum(p => p.MessagesReceived), "{message}", "Messages taken from mailboxes");
        _meter.CreateObservableGauge("otp.mailbox.depth.max", () => node.LiveProcesses.Select(p => (long)p.Mailbox.CountApprox()).DefaultIfEmpty(0).Max(), "{message}", "The deepest mailbox");
        _restarts = _meter.CreateCounter<long>("otp.supervisor.restarts", "{restart}", "Children restarted by supervisors");
        _loads = _meter.CreateCounter<long>("otp.code.loads", "{load}", "Module versions loaded");
        _upgrades = _meter.CreateCounter<long>("otp.code.upgrades", "{upgrade}", "Module upgrades completed");
    }

    internal Meter Meter => _meter;

    public void ProcessExited(long received) => Interlocked.Add(ref _receivedByExited, received);

    public void Restarted() => _restarts.Add(1);

    public void Loaded() => _loads.Add(1);

    public void Upgraded() => _upgrades.Add(1);

    public void Dispose() => _meter.Dispose();
}
