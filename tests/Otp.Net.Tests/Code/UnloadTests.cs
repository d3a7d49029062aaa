using Otp.Net.Code;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using System.Runtime.CompilerServices;
using Otp.Net.Terms;

namespace Otp.Net.Tests.Code;

/// <summary>
/// After an upgrade or a purge no framework structure keeps an old version reachable, whatever the state and the
/// messages hold, and with no further traffic to the processes (conventions: "assert the old version is collected
/// without further traffic").
/// </summary>
public sealed class UnloadTests : IDisposable
{
    private static readonly TimeSpan UnloadTimeout = TimeSpan.FromSeconds(15);

    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    private CodeServer Code => _node.Code;

    [Fact] // C1, C5, S4: a record state of the module's own assembly, upgraded v1→v2→v3→v4 with no call in between
    public async Task Upgrade_RecordStateOfModuleAssembly_FourVersionsInARow_EachOldVersionCollectedWithoutTraffic()
    {
        await Code.LoadAsync(Fixtures.Recorder(1), "recorder");
        var pids = new List<Pid>();
        for (var i = 0; i < 3; i++)
        {
            var pid = (await Code.StartGenServerAsync("recorder")).GetPidOrThrow();
            await GenServer.CallAsync(pid, ("add", "a"));
            await GenServer.CallAsync(pid, ("add", "b"));
            await GenServer.CallAsync(pid, "remind"); // the last message each process handles is a v1 record
            pids.Add(pid);
        }
        for (var version = 2; version <= 4; version++)
        {
            var report = await Code.UpgradeAsync("recorder", Fixtures.Recorder(version));
            report.Processes.Should().Be(3);
            report.OldVersionPurged.Should().BeTrue();
            (await Code.WaitForUnloadAsync("recorder", UnloadTimeout)).Should().BeTrue($"version {version - 1} must be collected before version {version + 1} loads");
            Code.Versions("recorder").Where(v => v.Status == ModuleStatus.PendingUnload).Should().BeEmpty();
        }
        foreach (var pid in pids)
        {
            (await GenServer.CallAsync(pid, "summary")).Should().Be("v4 2 0:a,1:b,2:reminder from-v1 2");
        }
    }

    [Fact] // C1, C5, S4: the same with calls in flight through every upgrade: busy servers, each call's reply and state counted
    public async Task Upgrade_RecordStateOfModuleAssembly_UnderContinuousCalls_EachOldVersionCollected_NoCallLost()
    {
        await Code.LoadAsync(Fixtures.Recorder(1), "recorder");
        var pids = new Pid[3];
        for (var i = 0; i < pids.Length; i++) pids[i] = (await Code.StartGenServerAsync("recorder")).GetPidOrThrow();
        var added = new int[pids.Length];
        using var progress = new SemaphoreSlim(0);
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var target = (c + n) % pids.Length;
                (await GenServer.CallAsync(pids[target], ("add", "e"))).Should().Be(Atom.Of("ok"));
                Interlocked.Increment(ref added[target]);
                progress.Release();
            }
        })).ToArray();
        await CallsAsync(progress, 200);
        for (var version = 2; version <= 4; version++)
        {
            var report = await Code.UpgradeAsync("recorder", Fixtures.Recorder(version));
            report.Processes.Should().Be(3);
            await CallsAsync(progress, 200); // served by the new version before the old one must be gone
            (await Code.WaitForUnloadAsync("recorder", UnloadTimeout)).Should().BeTrue($"version {version - 1} must be collected while the servers stay busy");
        }
        await stop.CancelAsync();
        await Task.WhenAll(clients).Within();
        for (var i = 0; i < pids.Length; i++)
        {
            ((string)(await GenServer.CallAsync(pids[i], "summary"))!).Should().StartWith($"v4 {added[i]} ");
        }
    }

    private static async Task CallsAsync(SemaphoreSlim progress, int calls)
    {
        for (var i = 0; i < calls; i++) (await progress.WaitAsync(TimeSpan.FromSeconds(10))).Should().BeTrue("the clients keep calling");
    }

    [Fact] // C5: a bare process killed by purge; the test keeps its pid, the old version is collected all the same
    public async Task Purge_BareProcessOnOldVersion_CollectedWhileDeadPidIsHeld()
    {
        await Code.LoadAsync(Fixtures.Recorder(1), "echo");
        var echo = Code.Spawn("echo");
        (await Ask(echo, "hello")).Should().Be("hello");
        await Code.LoadAsync(Fixtures.Recorder(2), "echo");
        var exit = _node.WaitForExitAsync(echo);
        (await Code.PurgeAsync("echo")).Should().BeTrue();
        (await exit.Within()).Should().Be(ExitReason.Killed);
        (await Code.WaitForUnloadAsync("echo", UnloadTimeout)).Should().BeTrue();
        _node.IsAlive(echo).Should().BeFalse();
        GC.KeepAlive(echo.Process);
    }

    private Task<object?> Ask(Pid pid, string what) => _node.RunAsync(async ctx =>
    {
        ctx.Send(pid, (ctx.Self, what));
        var reply = await ctx.ReceiveAsync(m => m is ITuple);
        return (object?)((ITuple)reply)[0];
    });

    [Fact] // review of pins: exit reasons holding a module record, or the state through bad_return_value, do not pin
    public async Task Purge_ExitReasonsHoldingModuleTypedTerms_OldVersionCollectedWhileReasonsAndPidsAreHeld()
    {
        await Code.LoadAsync(Fixtures.Recorder(1), "recorder");
        var stopper = (await Code.StartGenServerAsync("recorder")).GetPidOrThrow();
        var badReturn = (await Code.StartGenServerAsync("recorder")).GetPidOrThrow();
        await GenServer.CallAsync(stopper, ("add", "x"));
        var stopped = _node.WaitForExitAsync(stopper);
        var callFailure = await FluentActions.Awaiting(() => GenServer.CallAsync(stopper, "stop_with_state")).Should().ThrowAsync<CallException>();
        var stopReason = await stopped.Within();
        var bad = _node.WaitForExitAsync(badReturn);
        GenServer.Cast(badReturn, "reply_in_cast");
        var badReason = await bad.Within();

        await Code.LoadAsync(Fixtures.Recorder(2), "recorder");
        await Code.PurgeAsync("recorder");
        (await Code.WaitForUnloadAsync("recorder", UnloadTimeout)).Should().BeTrue();
        stopReason.ToString().Should().Contain("gave_up").And.Contain("\"x\""); // the record, as a neutral term
        badReason.ToString().Should().Contain("bad_return_value");
        GC.KeepAlive(callFailure.Which);
        GC.KeepAlive(stopper.Process);
        GC.KeepAlive(badReturn.Process);
        GC.KeepAlive(stopReason);
        GC.KeepAlive(badReason);
    }

    [Fact] // S5: a CodeChange that fails with a term of the new version's type: rollback unloads the new version anyway
    public async Task Upgrade_FailureTermOfNewVersionsType_NewVersionCollectedWhileExceptionIsHeld()
    {
        await Code.LoadAsync(Fixtures.Recorder(1), "cyclic");
        var pid = (await Code.StartGenServerAsync("cyclic", "refuse")).GetPidOrThrow();
        var failure = await FluentActions.Awaiting(() => Code.UpgradeAsync("cyclic", Fixtures.Recorder(2))).Should().ThrowAsync<UpgradeFailedException>();
        failure.Which.Failure.ToString().Should().Contain("refused").And.Contain("refuse");
        (await Code.WaitForUnloadAsync("cyclic", UnloadTimeout)).Should().BeTrue();
        (await GenServer.CallAsync(pid, "version")).Should().Be("1");
        GC.KeepAlive(failure.Which);
    }

    [Fact] // C5: cancelling the wait for an unload ends the wait only; the pinned version stays pending, then unloads once released
    public async Task WaitForUnload_CancelledWhileVersionPinned_ThrowsOperationCanceled_VersionStillPendingThenUnloads()
    {
        await Code.LoadAsync(Fixtures.Recorder(1), "recorder");
        var pid = (await Code.StartGenServerAsync("recorder")).GetPidOrThrow();
        await GenServer.CallAsync(pid, ("add", "a"));
        var pin = new StrongBox<object?>(await Otp.Net.Sys.SysOps.GetStateAsync(pid)); // a v1 record: holds v1's assembly
        await Code.LoadAsync(Fixtures.Recorder(2), "recorder");
        (await Code.PurgeAsync("recorder")).Should().BeTrue();
        using var cts = new CancellationTokenSource();
        var waiting = Code.WaitForUnloadAsync("recorder", Timeout.InfiniteTimeSpan, cts.Token);
        cts.Cancel();
        await FluentActions.Awaiting(() => waiting).Should().ThrowAsync<OperationCanceledException>();
        Code.Versions("recorder").Should().Contain(v => v.Version == "1" && v.Status == ModuleStatus.PendingUnload);
        Code.Versions("recorder").Should().Contain(v => v.Version == "2" && v.Status == ModuleStatus.Current);
        pin.Value = null;
        (await Code.WaitForUnloadAsync("recorder", UnloadTimeout)).Should().BeTrue();
    }
}
