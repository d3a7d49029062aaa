using System.Diagnostics;
using System.Text;
using System.Threading.Tasks.Sources;
using Otp.Net.GenServers;
using Otp.Net.Processes;

namespace Otp.Net.Tests.Processes;

/// <summary>
/// Hand-off slots are suspended while other programs keep the cores busy, and only then: this program's own load,
/// or other programs' load on a machine with idle cores left, keeps them on.
/// </summary>
public sealed class ForeignLoadTests
{
    private static readonly long Second = Stopwatch.Frequency;

    /// <summary>A reading <paramref name="seconds"/> into the test, on a machine of <paramref name="cores"/> cores.</summary>
    private static CpuReading At(double seconds, int cores, double busyCores, double ownCores) =>
        new(busyCores * seconds, cores * seconds, ownCores * seconds, (long)(seconds * Second));

    [Fact]
    public void OtherProgramsSaturatingTheCores_SuspendHandOffs()
    {
        var policy = new ForeignLoadPolicy();
        policy.Next(At(0, cores: 2, busyCores: 2, ownCores: 1)).Should().BeFalse("one reading is no period yet");
        policy.Next(At(0.25, cores: 2, busyCores: 2, ownCores: 1)).Should().BeTrue();
        policy.LastForeignCores.Should().BeApproximately(1, 1e-9);
        policy.LastIdleCores.Should().BeApproximately(0, 1e-9);
    }

    [Fact]
    public void ThisProgramsOwnLoad_NeverSuspendsThem()
    {
        var policy = new ForeignLoadPolicy();
        for (var i = 0; i < 10; i++) policy.Next(At(i * 0.25, cores: 2, busyCores: 2, ownCores: 1.95)).Should().BeFalse();
        policy.LastForeignCores.Should().BeLessThan(ForeignLoadPolicy.ForeignCores);
    }

    [Fact]
    public void OtherProgramsLoad_WithIdleCoresLeft_KeepsThemOn()
    {
        // A large machine: others use ten cores, forty-odd stay idle.
        var policy = new ForeignLoadPolicy();
        for (var i = 0; i < 4; i++) policy.Next(At(i * 0.25, cores: 64, busyCores: 12, ownCores: 2)).Should().BeFalse();
        policy.LastForeignCores.Should().BeApproximately(10, 1e-9);
    }

    [Fact]
    public void SuspendedHandOffs_ResumeAfterTwoQuietSamples_NotOne()
    {
        var policy = new ForeignLoadPolicy();
        var t = 0.0;
        var busy = 0.0;
        var own = 0.0;
        bool Step(double busyCores, double ownCores)
        {
            t += 0.25;
            busy += busyCores * 0.25;
            own += ownCores * 0.25;
            return policy.Next(new CpuReading(busy, 2 * t, own, (long)(t * Second)));
        }
        policy.Next(new CpuReading(0, 0, 0, 0));
        Step(2, 0.8).Should().BeTrue();
        Step(1, 1).Should().BeTrue("one quiet sample is not enough");
        Step(2, 0.5).Should().BeTrue("a loaded sample starts the count again");
        Step(1.2, 1.1).Should().BeTrue();
        Step(1.2, 1.1).Should().BeFalse();
        policy.Suspended.Should().BeFalse();
    }

    [Fact]
    public void ACounterGoingBack_SkipsThePeriod()
    {
        var policy = new ForeignLoadPolicy();
        policy.Next(At(1, cores: 2, busyCores: 2, ownCores: 1));
        policy.Next(At(0.5, cores: 2, busyCores: 2, ownCores: 1) with { Timestamp = (long)(1.25 * Second) }).Should().BeFalse();
        policy.Next(At(0.75, cores: 2, busyCores: 2, ownCores: 1) with { Timestamp = (long)(1.5 * Second) }).Should().BeTrue();
    }

    [Fact]
    public void Reset_ForgetsTheReadings_AndResumes()
    {
        var policy = new ForeignLoadPolicy();
        policy.Next(At(0, 2, 2, 0));
        policy.Next(At(0.25, 2, 2, 0)).Should().BeTrue();
        policy.Reset();
        policy.Suspended.Should().BeFalse();
        policy.Next(At(0.5, 2, 2, 0)).Should().BeFalse("the first reading after a reset is no period");
    }

    [Fact]
    public void CpuLine_CountsEverythingButIdleAndIowaitAsBusy()
    {
        // user nice system idle iowait irq softirq steal guest guest_nice
        const string stat = "cpu  500 40 300 6000 50 0 10 100 7 0\ncpu0 1 2 3 4 5 6 7 8 9 0\n";
        ForeignLoadMonitor.TryParseCpuLine(Encoding.ASCII.GetBytes(stat), out var busy, out var total).Should().BeTrue();
        busy.Should().Be(500 + 40 + 300 + 0 + 10 + 100);
        total.Should().Be(busy + 6000 + 50);
    }

    [Theory]
    [InlineData("")]
    [InlineData("intr 1 2 3\n")]
    [InlineData("cpu0 1 2 3 4 5\n")]
    [InlineData("cpu  1 2\n")]
    [InlineData("cpu  1 -2 3 4 5\n")]
    [InlineData("cpu  1 2 x 4 5\n")]
    public void MalformedCpuLine_IsRefused(string stat) =>
        ForeignLoadMonitor.TryParseCpuLine(Encoding.ASCII.GetBytes(stat), out _, out _).Should().BeFalse();

    [Fact]
    public void Readings_OnLinux_AreConsistent()
    {
        if (!OperatingSystem.IsLinux())
        {
            ForeignLoadMonitor.TryRead(out _).Should().BeFalse();
            return;
        }
        ForeignLoadMonitor.TryRead(out var first).Should().BeTrue();
        // Spins until this program has used a few milliseconds of processor time (the wall clock only caps a failing run).
        var cap = Stopwatch.StartNew();
        CpuReading second;
        do
        {
            Thread.SpinWait(1000);
            ForeignLoadMonitor.TryRead(out second).Should().BeTrue();
        }
        while (second.Own - first.Own < 0.005 && cap.Elapsed < TestKit.Patience);
        first.MachineBusy.Should().BeLessThanOrEqualTo(first.MachineTotal);
        second.MachineBusy.Should().BeGreaterThanOrEqualTo(first.MachineBusy);
        second.MachineTotal.Should().BeGreaterThanOrEqualTo(first.MachineTotal); // counted in 10 ms ticks, and idle time lazily
        second.Own.Should().BeGreaterThanOrEqualTo(first.Own + 0.005, "this thread spun");
        second.Timestamp.Should().BeGreaterThan(first.Timestamp);
    }

    [Fact]
    public async Task WhileSuspended_ACompletionInATurn_IsQueued_NeverHeldInTheSlot()
    {
        var token = new CallReply(default);
        token.HandOff.Should().BeTrue();
        var ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ((IValueTaskSource<object?>)token).OnCompleted(_ => ran.SetResult(), null, 0, ValueTaskSourceOnCompletedFlags.None);
        var held = true;
        lock (ForeignLoadMonitor.Gate) // the monitor's sampling waits meanwhile
        {
            var was = Scheduler.HandOffSuspended;
            Scheduler.HandOffSuspended = true;
            try
            {
                Scheduler.RunTurn(_ =>
                {
                    token.TryReply("r");
                    held = Scheduler.HoldsHandOff;
                }, null);
            }
            finally
            {
                Scheduler.HandOffSuspended = was;
            }
        }
        held.Should().BeFalse();
        await ran.Task.Within();
    }
}
