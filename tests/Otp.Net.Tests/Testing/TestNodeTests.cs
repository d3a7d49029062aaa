using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;
using Otp.Net.Terms;
using Otp.Net.Tests.Supervision;
using static Otp.Net.Tests.TestKit;

namespace Otp.Net.Tests.Testing;

public sealed class TestNodeTests
{
    private readonly ConcurrentQueue<string> _journal = new();

    [Fact] // ExUnit's start_supervised!: what the test started stops at its end, in reverse start order (U11)
    public async Task StartSupervisedAsync_DisposeStopsChildrenInReverseOrder()
    {
        var test = new TestNode();
        var a = await test.StartSupervisedAsync(new JournalWorker("a", _journal).Spec());
        var b = await test.StartSupervisedAsync(new JournalWorker("b", _journal).Spec());
        test.Node.IsAlive(a).Should().BeTrue();
        await test.DisposeAsync();
        _journal.Should().Equal("init a", "init b", "terminate b shutdown", "terminate a shutdown");
        test.Node.ProcessCount.Should().Be(0);
    }

    [Fact]
    public async Task StartSupervisedAsync_InitFails_ThrowsWithTheStartError()
    {
        await using var test = new TestNode();
        var act = () => test.StartSupervisedAsync(new JournalWorker("f", _journal, init: _ => InitResult<int>.Stop(R("bad_config"))).Spec());
        (await act.Should().ThrowAsync<TestKitAssertionException>()).Which.Message.Should().StartWith("StartSupervisedAsync: the child f (ChildId) failed to start: {bad_config,");
        var ignored = () => test.StartSupervisedAsync(new JournalWorker("i", _journal, init: _ => InitResult<int>.Ignore()).Spec());
        (await ignored.Should().ThrowAsync<TestKitAssertionException>()).Which.Message.Should().Contain("returned ignore");
    }

    [Fact]
    public async Task StartSupervisedAsync_SameIdTwice_Throws_StopSupervisedFreesTheId()
    {
        await using var test = new TestNode();
        var first = await test.StartSupervisedAsync(new JournalWorker("a", _journal).Spec());
        var again = () => test.StartSupervisedAsync(new JournalWorker("a", _journal).Spec());
        (await again.Should().ThrowAsync<TestKitAssertionException>()).Which.Message.Should().Contain($"failed to start: {{already_started,{first}}}");
        await test.StopSupervisedAsync(Atom.Of("a"));
        (await test.ExpectExitAsync(first)).Should().Be(ExitReason.Shutdown);
        var second = await test.StartSupervisedAsync(new JournalWorker("a", _journal).Spec());
        second.Should().NotBe(first);
        var unknown = () => test.StopSupervisedAsync(Atom.Of("nope"));
        (await unknown.Should().ThrowAsync<TestKitAssertionException>()).Which.Message.Should().Contain("no child nope (ChildId) was started by this test");
    }

    [Fact] // the test supervisor restarts as the spec says
    public async Task StartSupervisedAsync_ChildCrashes_IsRestartedByTheTestSupervisor()
    {
        await using var test = new TestNode();
        var a = await test.StartSupervisedAsync(new JournalWorker("a", _journal).Spec());
        var supervisor = test.Node.GetProcessInfo(a)!.Parent;
        var probe = test.CreateProbe();
        await probe.WatchAsync(a);
        test.Node.Exit(a, ExitReason.Kill);
        await probe.ExpectDownAsync(a, ExitReason.Killed);
        var children = await test.ExpectChildrenSettledAsync(supervisor);
        children.Should().ContainSingle().Which.Pid.Should().NotBe(a);
    }

    [Fact] // reports are captured with their structured properties; ExpectLogAsync waits for one
    public async Task Logs_CaptureCrashReports_ExpectLogAsyncWaitsForTheEvent()
    {
        await using var test = new TestNode();
        var a = await test.StartSupervisedAsync(new JournalWorker("a", _journal).Spec());
        var supervisor = test.Node.GetProcessInfo(a)!.Parent;
        await FluentActions.Awaiting(() => GenServer.CallAsync(a, ("crash", R("boom")))).Should().ThrowAsync<CallException>();
        var report = await test.Logs.ExpectLogAsync(e => e.EventId.Id == 2001); // the supervisor's child_terminated report
        report.Level.Should().Be(LogLevel.Error);
        report["ChildId"]?.ToString().Should().Be("a");
        test.Logs.Entries.Should().Contain(e => e.EventId.Id == 1000); // the server's crash report
        await test.ExpectChildrenSettledAsync(supervisor); // the restart (and its progress report) is over
        test.Logs.Clear();
        test.Logs.Entries.Should().BeEmpty();
        var none = () => test.Logs.ExpectLogAsync(e => e.EventId.Id == 9999, TimeSpan.FromMilliseconds(20));
        (await none.Should().ThrowAsync<TestKitAssertionException>()).Which.Message
            .Should().Be("ExpectLogAsync: no log event matching e => e.EventId.Id == 9999 within 20 ms; nothing was logged.");
    }

    [Fact]
    public async Task Dispose_KillsProbesAndProcesses()
    {
        var test = new TestNode();
        var probe = test.CreateProbe();
        test.Dispose();
        (await probe.Exited.Within()).Should().Be(ExitReason.Killed);
        test.Node.ProcessCount.Should().Be(0);
        FluentActions.Invoking(() => test.CreateProbe()).Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void Settings_TimeFactor_FromTheEnvironmentValueOrOne()
    {
        TestKitSettings.ReadTimeFactor("2.5").Should().Be(2.5);
        TestKitSettings.ReadTimeFactor(null).Should().Be(1);
        TestKitSettings.ReadTimeFactor("fast").Should().Be(1);
        TestKitSettings.ReadTimeFactor("-3").Should().Be(1);
        var slow = new TestKitSettings { TimeFactor = 3 };
        slow.Dilated(TimeSpan.FromSeconds(2)).Should().Be(TimeSpan.FromSeconds(6));
        slow.Dilated(Timeout.InfiniteTimeSpan).Should().Be(Timeout.InfiniteTimeSpan);
        FluentActions.Invoking(() => new TestKitSettings { TimeFactor = 0 }).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new TestKitSettings { TimeFactor = double.NaN }).Should().Throw<ArgumentOutOfRangeException>();
    }
}
