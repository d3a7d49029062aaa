using Otp.Net.Code;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Sys;
using Otp.Net.Terms;

namespace Otp.Net.Tests.Code;

public sealed class CodeServerTests : IDisposable
{
    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    private CodeServer Code => _node.Code;

    private async Task<Pid> StartCounter(int initial = 0) =>
        (await Code.StartGenServerAsync("counter", initial)).GetPidOrThrow();

    [Fact] // C1, C2, C8
    public void Load_NewVersionBecomesCurrent_PreviousBecomesOld_ThirdLoadIsNotPurged()
    {
        Code.Load(Fixtures.Counter(1)).Should().Be(new ModuleVersionInfo("counter", "1", ModuleStatus.Current, 0));
        Code.HasOldCode("counter").Should().BeFalse();
        Code.Load(Fixtures.Counter(2)).Version.Should().Be("2");
        Code.HasOldCode("counter").Should().BeTrue();
        Code.Versions("counter").Select(v => (v.Version, v.Status)).Should().Equal(("2", ModuleStatus.Current), ("1", ModuleStatus.Old));
        var third = () => Code.Load(Fixtures.Counter(3));
        third.Should().Throw<CodeLoadException>().Which.Kind.Should().Be(CodeErrorKind.NotPurged);
        Code.Versions("counter").Select(v => v.Version).Should().Equal("2", "1");
    }

    [Fact] // C2 and bad input: each a typed error that leaves the registry as it was
    public async Task Load_BadInput_TypedErrorsAndNothingChanges()
    {
        Code.Load(Fixtures.Kv(0), "kv");
        var garbage = Path.Combine(Path.GetTempPath(), $"otp-garbage-{Guid.NewGuid():N}.dll");
        await File.WriteAllBytesAsync(garbage, [1, 2, 3, 4, 5]);
        try
        {
            Kind(() => Code.Load("/nonexistent/module.dll")).Should().Be(CodeErrorKind.NoFile);
            Kind(() => Code.Load(garbage)).Should().Be(CodeErrorKind.BadFile);
            Kind(() => Code.Load(Fixtures.Kv(1), "no_such_module")).Should().Be(CodeErrorKind.NoModule);
            Kind(() => Code.Load(Fixtures.Kv(0), "not_a_server")).Should().Be(CodeErrorKind.NotABehaviour);
            Kind(() => Code.Load(Fixtures.Kv(0), "kv")).Should().Be(CodeErrorKind.SameVersion);
            Kind(() => Code.Spawn("kv")).Should().Be(CodeErrorKind.NotABehaviour);
            Code.Versions("kv").Should().Equal(new ModuleVersionInfo("kv", "0", ModuleStatus.Current, 0));
            Code.HasOldCode("kv").Should().BeFalse();
        }
        finally
        {
            File.Delete(garbage);
        }
    }

    private static CodeErrorKind Kind(Action act) => act.Should().Throw<CodeLoadException>().Which.Kind;

    [Fact] // C9: embedded mode never auto-loads: a module that is not loaded cannot be started
    public async Task Start_ModuleNotLoaded_UnknownModule()
    {
        var act = () => Code.StartGenServerAsync("counter");
        (await act.Should().ThrowAsync<CodeLoadException>()).Which.Kind.Should().Be(CodeErrorKind.UnknownModule);
    }

    [Fact] // C3, C4, S8: a process whose state the new version cannot take stays on its version until change_code
    public async Task Load_IncompatibleState_ProcessStaysOnOldVersionAndRunsOldCode()
    {
        Code.Load(Fixtures.Counter(1));
        var pid = await StartCounter();
        Code.Load(Fixtures.Counter(2));
        (await GenServer.CallAsync(pid, "incr")).Should().Be(1); // still v1's +1
        (await GenServer.CallAsync(pid, "version")).Should().Be("1");
        Code.CheckProcessCode(pid, "counter").Should().BeTrue();
        Code.ProcessesRunning("counter", "1").Should().Equal(pid);
        var fresh = await StartCounter();
        (await GenServer.CallAsync(fresh, "version")).Should().Be("2"); // new processes start on the current version
    }

    [Fact] // S8, C4: after a plain load, a GenServer whose state the new version accepts runs new code at its next message
    public async Task Load_CompatibleState_NextMessageRunsNewCode_NotCountedAsOldCode()
    {
        Code.Load(Fixtures.Kv(0));
        var kv = (await Code.StartGenServerAsync("kv")).Pid;
        await GenServer.CallAsync(kv, ("put", "a", (object)42));
        Code.Load(Fixtures.Kv(1));
        (await GenServer.CallAsync(kv, ("get", "a"))).Should().Be(42);
        Code.CheckProcessCode(kv, "kv").Should().BeFalse();
        Code.ProcessesRunning("kv", "1").Should().Equal(kv);
        _node.GetProcessInfo(kv)!.CurrentModule.Should().Be("kv 1");
    }

    [Fact] // S4, S5, S8: suspend -> change_code -> resume moves the process and converts its state
    public async Task ChangeCode_WhileSuspended_RunsNewVersionsCodeChangeAndRebinds()
    {
        Code.Load(Fixtures.Counter(1));
        var pid = await StartCounter(7);
        Code.Load(Fixtures.Counter(2));
        await SysOps.SuspendAsync(pid);
        (await SysOps.ChangeCodeAsync(pid, null, "1", null)).IsOk.Should().BeTrue();
        await SysOps.ResumeAsync(pid);
        (await GenServer.CallAsync(pid, "state")).Should().Be(6); // odd count evened out
        (await GenServer.CallAsync(pid, "upgraded")).Should().Be(true);
        (await GenServer.CallAsync(pid, "incr")).Should().Be(8); // v2's +2
        Code.CheckProcessCode(pid, "counter").Should().BeFalse();
    }

    [Fact] // S6: a downgrade runs the newer version's CodeChange with {down, Vsn} and binds back to the older version
    public async Task ChangeCode_Down_NewerCodeConvertsAndProcessBindsBack()
    {
        Code.Load(Fixtures.Counter(1));
        var pid = await StartCounter(4);
        Code.Load(Fixtures.Counter(2));
        await SysOps.SuspendAsync(pid);
        await SysOps.ChangeCodeAsync(pid, null, "1", null);
        (await SysOps.ChangeCodeAsync(pid, null, TermTuple.Of(Atom.Of("down"), "1"), null)).IsOk.Should().BeTrue();
        await SysOps.ResumeAsync(pid);
        (await GenServer.CallAsync(pid, "version")).Should().Be("1");
        (await GenServer.CallAsync(pid, "incr")).Should().Be(5);
    }

    [Fact] // hotswap constraint 3: an old state of a module type reaches new code as a StateTerm
    public async Task ChangeCode_ModuleTypedState_ArrivesAsStateTerm_MappedOntoOldShape()
    {
        Code.Load(Fixtures.Counter(2));
        var pid = await StartCounter(3);
        await GenServer.CallAsync(pid, "incr");
        await Code.SoftPurgeAsync("counter");
        var report = await Code.UpgradeAsync("counter", Fixtures.Counter(3), purge: false);
        report.ToVersion.Should().Be("3");
        (await GenServer.CallAsync(pid, "state")).Should().Be(5);
        (await GenServer.CallAsync(pid, "log")).Should().Be("from 2");
        var state = await SysOps.GetStateAsync(pid);
        state!.GetType().Assembly.GetName().Version!.Major.Should().Be(3);
    }

    [Fact] // C5, seed 000: purge kills a bare process looping in old code; a GenServer that moved survives
    public async Task Purge_KillsBareProcessOnOldCode_ReturnsTrue_ThenFalse()
    {
        Code.Load(Fixtures.CodePurge(1), "pi");
        var pi = Code.Spawn("pi");
        (await Ask(pi)).Should().Be(3.14);
        Code.Load(Fixtures.CodePurge(2), "pi");
        (await Ask(pi)).Should().Be(3.14); // still the old code: it never makes an external call
        var exit = _node.WaitForExitAsync(pi);
        (await Code.PurgeAsync("pi")).Should().BeTrue();
        (await exit.Within()).Should().Be(ExitReason.Killed);
        (await Code.PurgeAsync("pi")).Should().BeFalse(); // no old code left
        (await Ask(Code.Spawn("pi"))).Should().Be(3.142);
    }

    private Task<object?> Ask(Pid pi) => _node.RunAsync(async ctx =>
    {
        ctx.Send(pi, (ctx.Self, "get"));
        return (object?)await ctx.ReceiveAsync(m => m is double);
    });

    [Fact] // C5, seed 000: a GenServer survives repeated load/purge when each version takes its state
    public async Task Purge_GenServerWithCompatibleState_SurvivesRepeatedLoadAndPurge()
    {
        Code.Load(Fixtures.Kv(0));
        var kv = (await Code.StartGenServerAsync("kv")).Pid;
        await GenServer.CallAsync(kv, ("put", "k", (object)"v"));
        for (var i = 0; i < 3; i++)
        {
            Code.Load(Fixtures.Kv(i % 2 == 0 ? 1 : 0));
            (await Code.PurgeAsync("kv")).Should().BeFalse();
        }
        (await GenServer.CallAsync(kv, ("get", "k"))).Should().Be("v");
    }

    [Fact] // C6
    public async Task SoftPurge_RefusesWhileProcessRunsOldCode_ThenSucceeds()
    {
        Code.Load(Fixtures.Counter(1));
        var pid = await StartCounter();
        Code.Load(Fixtures.Counter(2));
        (await Code.SoftPurgeAsync("counter")).Should().BeFalse();
        Code.HasOldCode("counter").Should().BeTrue();
        _node.IsAlive(pid).Should().BeTrue();
        await SysOps.SuspendAsync(pid);
        await SysOps.ChangeCodeAsync(pid, null, "1", null);
        await SysOps.ResumeAsync(pid);
        (await Code.SoftPurgeAsync("counter")).Should().BeTrue();
        Code.HasOldCode("counter").Should().BeFalse();
        (await Code.SoftPurgeAsync("counter")).Should().BeTrue(); // no old code: true
    }

    [Fact] // C7
    public async Task Delete_MakesCurrentOld_FalseIfOldExists()
    {
        Code.Load(Fixtures.Counter(1));
        Code.Delete("counter").Should().BeTrue();
        Code.IsLoaded("counter").Should().BeFalse();
        Code.HasOldCode("counter").Should().BeTrue();
        Code.Delete("counter").Should().BeFalse();
        await FluentActions.Awaiting(() => Code.StartGenServerAsync("counter")).Should().ThrowAsync<CodeLoadException>();
        (await Code.PurgeAsync("counter")).Should().BeFalse();
        Code.Load(Fixtures.Counter(1)).Status.Should().Be(ModuleStatus.Current);
    }

    [Fact] // upgrade from code: calls made during the upgrade complete, nothing is lost, the old version is unloaded
    public async Task Upgrade_UnderConcurrentCalls_NoCallFails_StatesMigrated_OldVersionCollected()
    {
        Code.Load(Fixtures.Counter(1));
        var pids = new List<Pid>();
        for (var i = 0; i < 20; i++) pids.Add(await StartCounter(i));
        using var stop = new CancellationTokenSource();
        var calls = 0;
        var clients = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            var rnd = new Random(c);
            while (!stop.IsCancellationRequested)
            {
                await GenServer.CallAsync(pids[rnd.Next(pids.Count)], "incr");
                Interlocked.Increment(ref calls);
            }
        })).ToArray();
        while (Volatile.Read(ref calls) < 200) await Task.Yield();
        var report = await Code.UpgradeAsync("counter", Fixtures.Counter(2), purge: true);
        var before = Volatile.Read(ref calls);
        while (Volatile.Read(ref calls) < before + 200) await Task.Yield();
        stop.Cancel();
        await Task.WhenAll(clients).Within(); // no call failed
        report.Processes.Should().Be(20);
        foreach (var p in pids) (await GenServer.CallAsync(p, "upgraded")).Should().Be(true);
        Code.Versions("counter").Select(v => v.Version).Should().Equal("2", "1");
        (await Code.WaitForUnloadAsync("counter", TimeSpan.FromSeconds(10))).Should().BeTrue();
        Code.Versions("counter")[1].Status.Should().Be(ModuleStatus.Unloaded);
    }

    [Fact] // upgrade from code: messages sent during the upgrade are served after it, in order
    public async Task Upgrade_MessagesSentMeanwhile_ServedInOrderAfterwards()
    {
        Code.Load(Fixtures.Counter(1));
        var pid = await StartCounter();
        await SysOps.SuspendAsync(pid); // hold the process so the calls queue up before the upgrade starts
        var calls = Enumerable.Range(0, 5).Select(_ => GenServer.CallAsync(pid, "incr")).ToArray();
        var upgrade = Code.UpgradeAsync("counter", Fixtures.Counter(2));
        await upgrade;
        await SysOps.ResumeAsync(pid);
        (await Task.WhenAll(calls)).Should().Equal(2, 4, 6, 8, 10); // all served by v2, in order
    }

    [Fact] // a failing CodeChange rolls every process back to its old version and state; the new version is unloaded
    public async Task Upgrade_CodeChangeFails_EveryProcessRestored_NewVersionUnloaded_ErrorNamesProcess()
    {
        Code.Load(Fixtures.Counter(1));
        var pids = new List<Pid>();
        for (var i = 0; i < 8; i++) pids.Add(await StartCounter(i)); // counts 5..7 make v4's CodeChange throw
        var pending = GenServer.CallAsync(pids[0], "state");
        var ex = await FluentActions.Awaiting(() => Code.UpgradeAsync("counter", Fixtures.Counter(4))).Should().ThrowAsync<UpgradeFailedException>();
        ex.Which.Process.Should().Be(pids[5]);
        ex.Which.Failure.ToString().Should().Contain("cannot migrate a count of 5");
        for (var i = 0; i < pids.Count; i++)
        {
            (await GenServer.CallAsync(pids[i], "version")).Should().Be("1");
            (await GenServer.CallAsync(pids[i], "state")).Should().Be(i);
        }
        (await pending).Should().Be(0);
        Code.Versions("counter").Select(v => (v.Version, v.Status)).Should().StartWith([("1", ModuleStatus.Current)]);
        Code.HasOldCode("counter").Should().BeFalse();
        (await Code.WaitForUnloadAsync("counter", TimeSpan.FromSeconds(10))).Should().BeTrue();
        Code.Load(Fixtures.Counter(2)).Version.Should().Be("2"); // the registry accepts the next upgrade
    }

    [Fact] // unloading is real: a CountServer whose own code keeps a tick timer running is upgraded, and v1 is collected
    public async Task Upgrade_ProcessWithTimersStartedByModuleCode_OldContextIsCollected()
    {
        Code.Load(Fixtures.Counter(1));
        var pid = (await Code.StartGenServerAsync("counter", ("tick", 1))).GetPidOrThrow();
        await NextTick(pid).Within(); // it has ticked on v1's code
        await Code.UpgradeAsync("counter", Fixtures.Counter(2), purge: true);
        (await Code.WaitForUnloadAsync("counter", TimeSpan.FromSeconds(10))).Should().BeTrue();
        await NextTick(pid).Within(); // and it keeps ticking on v2's
        (await GenServer.CallAsync(pid, "version")).Should().Be("2");
    }

    private static async Task NextTick(Pid pid)
    {
        var before = await SysOps.GetStateAsync(pid);
        while (Equals(await SysOps.GetStateAsync(pid), before)) await Task.Yield();
    }

    [Fact] // unloading is real: after processes ran old code, used timers, logged and threw, the old context is collected
    public async Task Purge_AfterTimersLogsAndExceptions_OldContextIsCollected()
    {
        using var factory = new Microsoft.Extensions.Logging.LoggerFactory([new LogCapture()]);
        using var node = new Node(new NodeOptions { LoggerFactory = factory });
        node.Code.Load(Fixtures.Kv(1));
        var kv = (await node.Code.StartGenServerAsync("kv")).Pid;
        await GenServer.CallAsync(kv, ("put", "a", (object)1)); // logs through the node's factory
        node.SendAfter(TimeSpan.FromMilliseconds(1), kv, "tick");
        node.SendAfter(TimeSpan.FromHours(1), kv, "later"); // a pending timer at purge time
        node.Code.Load(Fixtures.Counter(1));
        var crashing = (await node.Code.StartGenServerAsync("counter")).Pid;
        var exit = node.WaitForExitAsync(crashing);
        node.Exit(crashing, ExitReason.Of(Atom.Of("boom")));
        await exit;
        node.Code.Load(Fixtures.Kv(0));
        await GenServer.CallAsync(kv, ("get", "a"));
        (await node.Code.PurgeAsync("kv")).Should().BeFalse(); // kv moved to v0: nothing killed
        (await node.Code.WaitForUnloadAsync("kv", TimeSpan.FromSeconds(10))).Should().BeTrue();
        node.Code.PendingUnload.Should().BeEmpty();
    }

    [Fact] // C5, C6: a cancelled token cancels the wait for the code server's queue; nothing is purged or upgraded
    public async Task PurgeSoftPurgeUpgrade_CancelledToken_ThrowOperationCanceled_ModuleStateUnchanged()
    {
        await _node.Code.LoadAsync(Fixtures.Recorder(1), "recorder");
        var pid = (await _node.Code.StartGenServerAsync("recorder")).GetPidOrThrow();
        await _node.Code.LoadAsync(Fixtures.Recorder(2), "recorder");
        var cancelled = new CancellationToken(true);
        var before = _node.Code.Versions("recorder");

        await FluentActions.Awaiting(() => _node.Code.PurgeAsync("recorder", cancelled)).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(() => _node.Code.SoftPurgeAsync("recorder", cancelled)).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(() => _node.Code.UpgradeAsync("recorder", Fixtures.Recorder(3), cancellationToken: cancelled)).Should().ThrowAsync<OperationCanceledException>();

        _node.IsAlive(pid).Should().BeTrue();
        _node.Code.HasOldCode("recorder").Should().BeTrue();
        _node.Code.Versions("recorder").Should().BeEquivalentTo(before);
        (await _node.Code.PurgeAsync("recorder")).Should().BeTrue(); // the queue was left free
    }
}

public sealed class CodeServerDependencyInjectionTests
{
    [Fact] // hotswap constraint 10: a module created through DI (ILogger<T>, a host singleton) still unloads after purge
    public async Task ModuleCreatedThroughDi_LogsAndUsesHostService_StillUnloads()
    {
        var logs = new CapturingLoggerProvider();
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        Microsoft.Extensions.DependencyInjection.LoggingServiceCollectionExtensions.AddLogging(services);
        Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(services, logs);
        Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<TimeProvider>(services, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        await using var provider = Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(services);
        var factory = (Microsoft.Extensions.Logging.ILoggerFactory)provider.GetService(typeof(Microsoft.Extensions.Logging.ILoggerFactory))!;
        using var node = new Node(new NodeOptions { Services = provider, LoggerFactory = factory });

        node.Code.Load(Fixtures.Kv(1));
        var kv = (await node.Code.StartGenServerAsync("kv")).Pid;
        await GenServer.CallAsync(kv, ("put", "a", (object)1));
        (await GenServer.CallAsync(kv, "now")).Should().Be(2031); // the host's singleton was injected
        logs.Events.Should().Contain(e => e.Category == "Fixtures.Kv.Kv" && e.Message.Contains("put request for a:1", StringComparison.Ordinal));

        node.Code.Load(Fixtures.Kv(0));
        (await GenServer.CallAsync(kv, ("get", "a"))).Should().Be(1);
        (await node.Code.PurgeAsync("kv")).Should().BeFalse();
        (await node.Code.WaitForUnloadAsync("kv", TimeSpan.FromSeconds(10))).Should().BeTrue();
    }
}
