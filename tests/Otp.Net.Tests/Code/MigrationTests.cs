using System.Collections;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Otp.Net.Code;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Tests.Code;

/// <summary>States the new code cannot own, cyclic states, and the code server's serialization.</summary>
public sealed class MigrationTests : IDisposable
{
    private static readonly TimeSpan UnloadTimeout = TimeSpan.FromSeconds(15);

    private readonly LogCapture _logs = new();
    private readonly LoggerFactory _factory;
    private readonly Node _node;

    public MigrationTests()
    {
        _factory = new LoggerFactory([_logs]);
        _node = new Node(new NodeOptions { LoggerFactory = _factory });
    }

    public void Dispose()
    {
        _node.Dispose();
        _factory.Dispose();
    }

    private CodeServer Code => _node.Code;

    [Fact] // S8, C4, C5: a state typed object, a shared list holding an old record, is not "compatible"
    public async Task Load_ObjectTypedStateHoldingOldRecord_StaysOnOldVersion_CheckProcessCodeTrue_PurgeKillsIt()
    {
        await Code.LoadAsync(Fixtures.Recorder(1), "bag");
        var bag = (await Code.StartGenServerAsync("bag")).GetPidOrThrow();
        await Code.LoadAsync(Fixtures.Recorder(2), "bag");
        (await GenServer.CallAsync(bag, "version")).Should().Be("1"); // the next message still runs v1
        Code.CheckProcessCode(bag, "bag").Should().BeTrue();
        (await Code.SoftPurgeAsync("bag")).Should().BeFalse();
        var exit = _node.WaitForExitAsync(bag);
        (await Code.PurgeAsync("bag")).Should().BeTrue();
        (await exit.Within()).Should().Be(ExitReason.Killed);
        (await Code.WaitForUnloadAsync("bag", UnloadTimeout)).Should().BeTrue();
    }

    [Fact] // S4, S8: the same state is migrated by an upgrade: the old record reaches the new code as a StateTerm
    public async Task Upgrade_ObjectTypedStateHoldingOldRecord_MigratedAsStateTerm_OldVersionCollected()
    {
        await Code.LoadAsync(Fixtures.Recorder(1), "bag");
        var bag = (await Code.StartGenServerAsync("bag")).GetPidOrThrow();
        var report = await Code.UpgradeAsync("bag", Fixtures.Recorder(2));
        report.OldVersionPurged.Should().BeTrue();
        (await Code.WaitForUnloadAsync("bag", UnloadTimeout)).Should().BeTrue();
        (await GenServer.CallAsync(bag, "peek")).Should().Be("1:bagged");
    }

    [Fact] // C1 (review): a self-referencing state fails the upgrade with a typed error; everything is back on v1
    public async Task Upgrade_SelfReferencingState_TypedCycleError_RollsBack_CrashReportTruncated()
    {
        await Code.LoadAsync(Fixtures.Recorder(1), "cyclic");
        var plain = (await Code.StartGenServerAsync("cyclic")).GetPidOrThrow();
        var looped = (await Code.StartGenServerAsync("cyclic")).GetPidOrThrow();
        await GenServer.CallAsync(looped, "loop");

        var failure = (await FluentActions.Awaiting(() => Code.UpgradeAsync("cyclic", Fixtures.Recorder(2))).Should().ThrowAsync<UpgradeFailedException>()).Which;
        failure.Process.Should().Be(looped);
        failure.Failure.ToString().Should().Contain("bad_state").And.Contain("'Cycle'");
        (await GenServer.CallAsync(plain, "version")).Should().Be("1");
        (await GenServer.CallAsync(looped, "version")).Should().Be("1");
        Code.Versions("cyclic").Select(v => (v.Version, v.Status)).Should().StartWith([("1", ModuleStatus.Current)]);
        (await Code.WaitForUnloadAsync("cyclic", UnloadTimeout)).Should().BeTrue();

        await FluentActions.Awaiting(() => GenServer.CallAsync(looped, "crash")).Should().ThrowAsync<CallException>();
        await _node.ExpectExitAsync(looped);
        var report = _logs.Entries.Single(e => e.Level == LogLevel.Error && e.Message.Contains("crashed on purpose", StringComparison.Ordinal));
        report.Message.Should().Contain("{\"g\",[").And.Contain("...");
        report.Message.Length.Should().BeLessThan(3 * TermFormatter.MaxLength);
    }

    [Fact] // C2, m5: code server requests do not interleave: a load asked during an upgrade waits for it to finish
    public async Task Upgrade_LoadAskedMeanwhile_WaitsForUpgrade_ThenRefusedNotPurged()
    {
        await Code.LoadAsync(Fixtures.Recorder(1), "recorder");
        var busy = (await Code.StartGenServerAsync("recorder")).GetPidOrThrow();
        var idle = (await Code.StartGenServerAsync("recorder")).GetPidOrThrow();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var busyCall = GenServer.CallAsync(busy, ("wait", entered, gate.Task), Timeout.InfiniteTimeSpan);
        await entered.Task.Within(); // busy sits in a callback: the upgrade cannot suspend it yet
        var upgrade = Code.UpgradeAsync("recorder", Fixtures.Recorder(2), purge: false);
        var load = Code.LoadAsync(Fixtures.Recorder(3), "recorder");
        gate.SetResult();
        var outcomes = await Task.WhenAll(Settle(upgrade), Settle(load), Settle(busyCall)).Within();
        outcomes[0].Should().BeNull(); // the upgrade ran whole
        outcomes[1].Should().BeOfType<CodeLoadException>().Which.Kind.Should().Be(CodeErrorKind.NotPurged);
        Code.Versions("recorder").Select(v => v.Version).Should().Equal("2", "1");
        (await GenServer.CallAsync(busy, "summary")).Should().Be("v2 0  from-v1");
        (await GenServer.CallAsync(idle, "summary")).Should().Be("v2 0  from-v1");
    }

    private static async Task<Exception?> Settle(Task task)
    {
        try
        {
            await task;
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    [Fact] // C3: a server whose start was asked before a load, and whose body runs after it, starts on the new version
    public async Task Start_AskedOnOldVersion_BodyRunsAfterLoad_BindsToCurrentVersion()
    {
        await Code.LoadAsync(Fixtures.Counter(1));
        var v1 = EntryOf("counter").Current!;
        await Code.LoadAsync(Fixtures.Counter(2));
        var pid = (await GenServer.StartCoreAsync(_node, (GenServerBase)v1.Instance!, 3, null, false, "gen_server", default, v1)).GetPidOrThrow();
        (await GenServer.CallAsync(pid, "version")).Should().Be("2");
        Code.CheckProcessCode(pid, "counter").Should().BeFalse();
        Code.ProcessesRunning("counter", "1").Should().BeEmpty();
    }

    private ModuleEntry EntryOf(string module)
    {
        var modules = (IDictionary)typeof(CodeServer).GetField("_modules", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(Code)!;
        return (ModuleEntry)modules[module]!;
    }

    [Fact] // C6, m5: a soft purge refused at the end of an upgrade is reported and logged, never swallowed
    public async Task Upgrade_SoftPurgeRefused_ReportedAndLoggedWithStableEventId()
    {
        await Code.LoadAsync(Fixtures.Recorder(1), "echo");
        var echo = Code.Spawn("echo"); // a bare process: it stays on v1 for life
        var report = await Code.UpgradeAsync("echo", Fixtures.Recorder(2));
        report.OldVersionPurged.Should().BeFalse();
        Code.HasOldCode("echo").Should().BeTrue();
        var logged = _logs.Entries.Single(e => e.EventId.Id == 3003);
        logged.EventId.Name.Should().Be("OldCodeNotPurged");
        logged.Message.Should().Contain(echo.ToString());
        (await Code.PurgeAsync("echo")).Should().BeTrue();
    }

    [Fact] // bad input: an assembly whose types cannot load (a missing dependency) is a typed badfile error
    public async Task Load_TypesCannotLoad_TypedBadFile()
    {
        var act = () => Code.LoadAsync(Fixtures.Broken());
        (await act.Should().ThrowAsync<CodeLoadException>()).Which.Kind.Should().Be(CodeErrorKind.BadFile);
        Code.Versions("broken").Should().BeEmpty();
    }
}
