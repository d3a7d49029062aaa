using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Otp.Net.Applications;
using Otp.Net.Code;
using Otp.Net.Diagnostics;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;
using Otp.Net.Terms;
using Otp.Net.Tests.Code;

namespace Otp.Net.Tests.Diagnostics;

public sealed class DurationMetricsTests : IDisposable
{
    private readonly Node _node = new();
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();

    public DurationMetricsTests()
    {
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == _node.Metrics.Meter && instrument is Histogram<double>) l.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            var copy = new Dictionary<string, object?>();
            foreach (var tag in tags) copy[tag.Key] = tag.Value;
            _measurements.Enqueue((instrument.Name, value, copy));
        });
        _listener.Start();
    }

    public void Dispose()
    {
        _listener.Dispose();
        _node.Dispose();
    }

    private (double Value, Dictionary<string, object?> Tags)[] Of(string instrument) =>
        _measurements.Where(m => m.Instrument == instrument).Select(m => (m.Value, m.Tags)).ToArray();

    /// <summary>An application whose tree is one supervisor with an <see cref="Echo"/> worker.</summary>
    private sealed class EchoApp : Application
    {
        public override async Task<ApplicationStart> StartAsync(StartType startType, object? args, CancellationToken cancellationToken)
        {
            var sup = await Supervisor.StartLinkAsync(ProcessContext.Current!.Node, new SupervisorFlags { Intensity = 5 }, [ChildSpec.ForGenServer<Echo>(Atom.Of("echo"))], cancellationToken: cancellationToken);
            return ApplicationStart.Ok(sup.GetPidOrThrow());
        }
    }

    [Fact]
    public async Task CallDuration_RecordedWithModuleAndApplicationTags_ErrorTypeOnFailure()
    {
        _node.Applications.Load(new ApplicationSpec("metered") { Mod = () => new EchoApp() });
        (await _node.Applications.StartAsync("metered")).IsOk.Should().BeTrue();
        var echo = _node.Processes.Single(p => _node.GetProcessInfo(p)?.CurrentModule == "echo");
        (await GenServer.CallAsync(echo, "hello")).Should().Be("hello");
        var crash = () => GenServer.CallAsync(echo, "crash");
        await crash.Should().ThrowAsync<CallException>();
        var calls = Of(OtpDiagnostics.CallDuration);
        calls.Should().HaveCount(2);
        calls.Should().OnlyContain(c => c.Value >= 0);
        calls[0].Tags.Should().BeEquivalentTo(new Dictionary<string, object?>
        {
            [OtpDiagnostics.ModuleTag] = "echo",
            [OtpDiagnostics.ApplicationTag] = "metered",
        });
        calls[1].Tags[OtpDiagnostics.ErrorTypeTag].Should().Be(typeof(InvalidOperationException).FullName);
    }

    [Fact]
    public async Task CallDuration_OutsideAnyApplication_NoApplicationTag()
    {
        var echo = (await GenServer.StartAsync(_node, new Echo())).GetPidOrThrow();
        await GenServer.CallAsync(echo, "x");
        Of(OtpDiagnostics.CallDuration).Single().Tags.Should().BeEquivalentTo(new Dictionary<string, object?> { [OtpDiagnostics.ModuleTag] = "echo" });
    }

    [Fact]
    public async Task RestartDuration_RecordedWithSupervisorModuleAndApplication()
    {
        _node.Applications.Load(new ApplicationSpec("metered") { Mod = () => new EchoApp() });
        (await _node.Applications.StartAsync("metered")).IsOk.Should().BeTrue();
        var echo = _node.Processes.Single(p => _node.GetProcessInfo(p)?.CurrentModule == "echo");
        var sup = _node.GetProcessInfo(echo)!.Parent;
        _node.Exit(echo, ExitReason.Kill);
        await Supervisor.WhichChildrenAsync(sup); // served after the restart
        var restart = Of(OtpDiagnostics.RestartDuration).Single();
        restart.Value.Should().BeGreaterThanOrEqualTo(0);
        restart.Tags[OtpDiagnostics.ApplicationTag].Should().Be("metered");
        restart.Tags.Should().ContainKey(OtpDiagnostics.ModuleTag);
        restart.Tags.Should().NotContainKey(OtpDiagnostics.ErrorTypeTag);
    }

    [Fact]
    public async Task UpgradeDuration_RecordedWithModule_ErrorTypeWhenRolledBack()
    {
        _node.Code.Load(Fixtures.Counter(1));
        await _node.Code.StartGenServerAsync("counter", 5); // counts 5..7 make Counter V4's CodeChange throw
        var failing = () => _node.Code.UpgradeAsync("counter", Fixtures.Counter(4));
        await failing.Should().ThrowAsync<UpgradeFailedException>();
        await _node.Code.UpgradeAsync("counter", Fixtures.Counter(2));
        var upgrades = Of(OtpDiagnostics.UpgradeDuration);
        upgrades.Should().HaveCount(2);
        upgrades[0].Tags.Should().BeEquivalentTo(new Dictionary<string, object?> { [OtpDiagnostics.ModuleTag] = "counter", [OtpDiagnostics.ErrorTypeTag] = "upgrade_failed" });
        upgrades[1].Tags.Should().BeEquivalentTo(new Dictionary<string, object?> { [OtpDiagnostics.ModuleTag] = "counter" });
    }

    [Fact]
    public async Task MeterFactory_NodeMeterComesFromIt_DisposedNodeReportsNothing()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var node = new Node(new NodeOptions { MeterFactory = factory });
        var meter = node.Metrics.Meter;
        meter.Name.Should().Be(OtpDiagnostics.MeterName);
        meter.Scope.Should().BeSameAs(factory);
        node.SpawnIdle();
        var processes = new List<long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == meter && instrument.Name == "otp.processes") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => processes.Add(value));
        listener.Start();
        listener.RecordObservableInstruments();
        processes.Should().Equal(1);
        await node.DisposeAsync();
        listener.RecordObservableInstruments(); // the factory's meter lives on; the disposed node no longer reports
        processes.Should().Equal(1);
    }
}
