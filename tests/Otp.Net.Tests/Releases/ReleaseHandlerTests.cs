using Otp.Net.Applications;
using Otp.Net.Code;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Releases;
using Otp.Net.Supervision;
using Otp.Net.Terms;

namespace Otp.Net.Tests.Releases;

/// <summary>
/// The release handler on the shop releases (tests/fixtures/Shop.V1, Shop.V2, Legacy.V1, Reports.V1): install,
/// downgrade, rehearsal, rollback at each step, boot, permanence. All installs here run all at once unless a test says
/// it uses the rolling mode.
/// </summary>
public sealed class ReleaseHandlerTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly ShopReleases _releases = new();
    private readonly List<Node> _nodes = [];

    public void Dispose()
    {
        foreach (var node in _nodes) node.Dispose();
        _releases.Dispose();
    }

    private async Task<Node> Boot(ReleaseManifest? v1 = null, ReleaseManifest? v2 = null)
    {
        var node = await _releases.BootV1Async(v1, v2);
        _nodes.Add(node);
        return node;
    }

    private static Task<object?> Call(Node node, string name, object request) => GenServer.CallAsync(ServerRef.Named(node, name), request, Wait);

    private static async Task<object?> CallPid(Pid pid, object request) => await GenServer.CallAsync(pid, request, Wait);

    private static async Task AddItems(Node node, int count)
    {
        for (var i = 0; i < count; i++) await Call(node, "cart", "add");
    }

    private static IReadOnlyList<string> Running(Node node) => node.Applications.WhichApplications().Select(a => a.Name).Order().ToArray();

    private static async Task<IReadOnlyList<string>> ChildIds(Node node)
    {
        var sup = node.WhereIs("shop_sup") ?? throw new InvalidOperationException("no shop_sup");
        return (await Supervisor.WhichChildrenAsync(sup)).Select(c => c.Id.ToString()).ToArray();
    }

    /// <summary>What a test checks to be sure the node runs release 1.0 as booted, with the cart holding <paramref name="items"/>.</summary>
    private static async Task ShouldRunV1(Node node, int items)
    {
        (await Call(node, "cart", "version")).Should().Be("1");
        (await Call(node, "cart", "count")).Should().Be(items);
        (await Call(node, "stock", "version")).Should().Be("1");
        node.WhereIs("audit").Should().BeNull();
        Running(node).Should().Equal("legacy", "shop");
        node.Code.Versions("cart").Select(v => (v.Version, v.Status)).Should().Contain(("1", ModuleStatus.Current));
        node.Code.IsLoaded("audit").Should().BeFalse();
        node.Applications.TryGetEnv("shop", "max_items", out var max).Should().BeTrue();
        max.Should().Be(10L);
        node.Releases.CurrentVersion.Should().Be("1.0");
    }

    [Fact] // R1, R3, R8, R9, R11: up, down and up again; the cart's record state migrates each way and old versions unload
    public async Task Install_UpgradeDowngradeUpgrade_StateMigrates_ChildrenAndApplicationsFollow_OldVersionsUnload()
    {
        var node = await Boot();
        var cartBefore = node.WhereIs("cart");
        await AddItems(node, 3);

        var up = await node.Releases.InstallAsync("2.0");
        up.OtherVersion.Should().Be("1.0"); // R3: the from-version on upgrade
        (await Call(node, "cart", "version")).Should().Be("2");
        (await Call(node, "cart", "count")).Should().Be(3);
        (await Call(node, "cart", "upgraded")).Should().Be(true);
        node.WhereIs("cart").Should().Be(cartBefore); // R11.2: kept id, not restarted
        (await ChildIds(node)).Should().BeEquivalentTo("cart", "audit"); // new id started, removed id stopped and deleted
        node.WhereIs("stock").Should().BeNull();
        Running(node).Should().Equal("reports", "shop");
        node.Applications.TryGetEnv("shop", "max_items", out var max).Should().BeTrue();
        max.Should().Be(20L); // R4
        node.Releases.WhichReleases().Select(r => (r.Version, r.Status)).Should().BeEquivalentTo(new[] { ("1.0", ReleaseStatus.Permanent), ("2.0", ReleaseStatus.Current) }); // R1
        node.Code.HasOldCode("cart").Should().BeFalse(); // R7: old code nobody runs is removed right away
        (await node.Code.WaitForUnloadAsync("cart", Wait)).Should().BeTrue();

        await AddItems(node, 2);
        var down = await node.Releases.InstallAsync("1.0");
        down.Direction.Should().Be(ChangeDirection.Down);
        down.OtherVersion.Should().Be("1.0"); // R3: the target on downgrade
        await ShouldRunV1(node, 5);
        node.WhereIs("cart").Should().Be(cartBefore);
        (await ChildIds(node)).Should().BeEquivalentTo("cart", "stock");
        (await node.Code.WaitForUnloadAsync("cart", Wait)).Should().BeTrue();
        (await node.Code.WaitForUnloadAsync("audit", Wait)).Should().BeTrue();

        // The second upgrade of a module whose state is a record from its own assembly.
        await node.Releases.InstallAsync("2.0");
        (await Call(node, "cart", "version")).Should().Be("2");
        (await Call(node, "cart", "count")).Should().Be(5);
        node.Code.Versions("cart").Where(v => v.Status is ModuleStatus.Current or ModuleStatus.Old).Select(v => v.Version).Should().Equal("2");
        foreach (var module in new[] { "cart", "shop_sup", "shop_app", "stock" })
        {
            (await node.Code.WaitForUnloadAsync(module, Wait)).Should().BeTrue(module); // nothing keeps a replaced version loaded
        }
    }

    [Fact] // R3
    public async Task Install_CurrentOrUnknownRelease_TypedErrors()
    {
        var node = await Boot();
        (await Kind(() => node.Releases.InstallAsync("1.0"))).Should().Be(ReleaseErrorKind.AlreadyInstalled);
        (await Kind(() => node.Releases.InstallAsync("9.9"))).Should().Be(ReleaseErrorKind.NoSuchRelease);
        (await Kind(() => node.Releases.CheckInstallAsync("9.9"))).Should().Be(ReleaseErrorKind.NoSuchRelease);
        await ShouldRunV1(node, 0);
    }

    private static async Task<ReleaseErrorKind> Kind(Func<Task> act) => (await act.Should().ThrowAsync<ReleaseException>()).Which.Kind;

    [Fact] // R2 and beyond: the new CodeChange runs on a copy of each live state; the one failure among 1,001 carts is named
    public async Task CheckInstall_CodeChangeFailsForOneProcessOutOf1000_ReportsIt_NothingChanges()
    {
        var node = await Boot(v2: ShopReleases.V2(cartExtra: "fail-on-13"));
        var carts = new List<Pid>();
        for (var i = 0; i < 1000; i++) carts.Add((await node.Code.StartGenServerAsync("cart", i)).GetPidOrThrow());

        var report = await node.Releases.CheckInstallAsync("2.0");

        report.IsOk.Should().BeFalse();
        report.Processes.Where(p => p.Module == "cart").Should().HaveCount(1001);
        var failed = report.Processes.Where(p => !p.Ok).Should().ContainSingle().Subject;
        failed.Pid.Should().Be(carts[13]);
        failed.Error.Should().Contain("unlucky");
        report.Problems.Should().ContainSingle().Which.Should().Contain("code_change_failed").And.Contain(carts[13].ToString());
        var sup = report.Supervisors.Should().ContainSingle().Subject;
        sup.Added.Should().Equal("audit");
        sup.Removed.Should().Equal("stock");
        sup.Kept.Should().Equal("cart");
        sup.FlagsChanged.Should().BeTrue();
        report.Steps.OfType<CodeChangeStep>().Select(s => s.Module).Should().Equal("cart", "shop_sup");

        // Nothing live changed: every cart runs v1 with its state, and the staged code is gone.
        (await CallPid(carts[13], "version")).Should().Be("1");
        (await CallPid(carts[999], "count")).Should().Be(999);
        await ShouldRunV1(node, 0);
        node.Code.Versions("cart").Where(v => v.Status is ModuleStatus.Current or ModuleStatus.Old).Select(v => v.Version).Should().Equal("1");
        (await node.Code.WaitForUnloadAsync("cart", Wait)).Should().BeTrue();
        node.Releases.WhichReleases().Should().NotContain(r => r.Status == ReleaseStatus.Current);
    }

    [Fact] // R2: a clean rehearsal lists the steps (R8 order) and every process each touches
    public async Task CheckInstall_Clean_ListsStepsInR8Order()
    {
        var node = await Boot();
        var report = await node.Releases.CheckInstallAsync("2.0");
        report.IsOk.Should().BeTrue(string.Join("; ", report.Problems));
        report.Steps[0].Should().BeOfType<LoadObjectCodeStep>(); // R8.1
        report.Steps[1].Should().BeOfType<PointOfNoReturnStep>(); // R8.2
        report.Steps.Skip(2).Take(4).Select(s => s.GetType()).Should().Equal(typeof(SuspendStep), typeof(LoadStep), typeof(CodeChangeStep), typeof(ResumeStep)); // R8.3
        report.Processes.Should().Contain(p => p.Module == "cart" && p.Pid == node.WhereIs("cart") && p.Ok);
        report.Warnings.Should().Contain(w => w.Contains("legacy", StringComparison.Ordinal));
    }

    public enum Failure
    {
        SuspendTimeout,
        CodeChange,
        NewChildInit,
        Apply,
        ConfigChange,
        HealthProbe,
    }

    [Theory] // R5, R6 done better: a failure at any step puts every process back on its old version and state, restores children and env
    [InlineData(Failure.SuspendTimeout)]
    [InlineData(Failure.CodeChange)]
    [InlineData(Failure.NewChildInit)]
    [InlineData(Failure.Apply)]
    [InlineData(Failure.ConfigChange)]
    [InlineData(Failure.HealthProbe)]
    public async Task Install_FailsAtAStep_RollsBackEverything(Failure failure)
    {
        var v2 = failure switch
        {
            Failure.CodeChange => ShopReleases.V2(cartExtra: "fail-on-13"),
            Failure.ConfigChange => ShopReleases.V2(shopEnv: new Dictionary<string, object?> { ["currency"] = "EUR", ["max_items"] = 20L, ["fail_config_change"] = true }),
            Failure.Apply => ShopReleases.V2(extraUp: [new ApplyInstruction("shop_app", "fail")]),
            _ => ShopReleases.V2(),
        };
        var node = await Boot(v2: v2);
        await AddItems(node, failure == Failure.CodeChange ? 13 : 4);
        var items = failure == Failure.CodeChange ? 13 : 4;
        var cart = node.WhereIs("cart");
        var extraCarts = new List<Pid>();
        for (var i = 0; i < 20; i++) extraCarts.Add((await node.Code.StartGenServerAsync("cart", 100 + i)).GetPidOrThrow());
        Pid? blocked = null;
        Task<object?>? blockedCall = null;
        if (failure == Failure.SuspendTimeout)
        {
            blocked = (await node.Code.StartGenServerAsync("cart", 7)).GetPidOrThrow();
            blockedCall = GenServer.CallAsync(blocked.Value, "block", Timeout.InfiniteTimeSpan);
        }
        using var blocker = failure == Failure.NewChildInit ? new BlockerProcess(node, "audit_blocker") : null;
        var options = new InstallOptions
        {
            SuspendTimeout = failure == Failure.SuspendTimeout ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(10),
            HealthProbe = failure == Failure.HealthProbe ? _ => Task.FromResult(false) : null,
        };

        var error = (await node.Releases.Invoking(r => r.InstallAsync("2.0", options)).Should().ThrowAsync<ReleaseInstallException>()).Which;

        error.UndoFailures.Should().BeEmpty(string.Join("\n", error.Journal));
        error.Journal.Should().Contain(j => j.Outcome == StepOutcome.Failed);
        switch (failure)
        {
            case Failure.SuspendTimeout:
                error.FailedStep.Should().BeOfType<SuspendStep>();
                error.Process.Should().Be(blocked);
                break;
            case Failure.CodeChange:
                error.FailedStep.Should().BeOfType<CodeChangeStep>();
                error.Reason.Should().Contain("code_change_failed").And.Contain("unlucky"); // R6's reason, without the node restart
                error.Process.Should().Be(cart);
                break;
            case Failure.NewChildInit:
                error.FailedStep.Should().BeOfType<SupervisorChildrenStep>();
                error.Reason.Should().Contain("audit_blocked");
                break;
            case Failure.Apply:
                error.FailedStep.Should().BeOfType<ApplyStep>();
                break;
            case Failure.ConfigChange:
                error.FailedStep.Should().BeOfType<ConfigChangeStep>();
                break;
            case Failure.HealthProbe:
                error.FailedStep.Should().BeOfType<HealthProbeStep>();
                break;
        }
        if (blocked is { } b)
        {
            node.Exit(b, ExitReason.Kill);
            await blockedCall!.Invoking(t => t).Should().ThrowAsync<CallServerExitedException>();
        }

        await ShouldRunV1(node, items);
        node.WhereIs("cart").Should().Be(cart);
        foreach (var (pid, i) in extraCarts.Select((p, i) => (p, i)))
        {
            (await CallPid(pid, "version")).Should().Be("1");
            (await CallPid(pid, "count")).Should().Be(100 + i);
        }
        (await ChildIds(node)).Should().BeEquivalentTo("cart", "stock");
        node.Applications.TryGetEnv("shop", "fail_config_change", out _).Should().BeFalse();
        node.Code.IsLoaded("report_server").Should().BeFalse();
        node.Releases.WhichReleases().Select(r => (r.Version, r.Status)).Should().BeEquivalentTo(new[] { ("1.0", ReleaseStatus.Permanent), ("2.0", ReleaseStatus.Unpacked) });
        (await node.Code.WaitForUnloadAsync("cart", Wait)).Should().BeTrue();
        node.Code.Versions("cart").Where(v => v.Status is ModuleStatus.Current or ModuleStatus.Old).Select(v => v.Version).Should().Equal("1");

        // And the same release installs once the cause is gone (here: a clean package of it is not needed, only the cause).
        if (failure is Failure.SuspendTimeout or Failure.NewChildInit or Failure.HealthProbe)
        {
            blocker?.Dispose();
            await node.Releases.InstallAsync("2.0");
            (await Call(node, "cart", "count")).Should().Be(items);
            (await Call(node, "cart", "version")).Should().Be("2");
        }
    }

    [Theory] // R11 beyond OTP: the supervisor gains audit and loses stock under one_for_one and rest_for_one, kept children untouched
    [InlineData("one_for_one")]
    [InlineData("rest_for_one")]
    public async Task Install_SupervisorGainsAndLosesChildren(string strategy)
    {
        var node = await Boot(ShopReleases.V1(supArgs: strategy), ShopReleases.V2(supArgs: strategy));
        var cart = node.WhereIs("cart");
        await node.Releases.InstallAsync("2.0");
        var children = await Supervisor.WhichChildrenAsync(node.WhereIs("shop_sup")!.Value);
        children.Select(c => c.Id.ToString()).Should().BeEquivalentTo("cart", "audit");
        children.Should().OnlyContain(c => !c.Pid.IsUndefined);
        node.WhereIs("cart").Should().Be(cart);
        (await Call(node, "audit", "x")).Should().Be(0);
    }

    [Fact] // R11.3-4: with OTP's behaviour the new id is added but not started, the removed one keeps running
    public async Task Install_SupervisorChildrenOtpMode_NewIdNotStarted_RemovedIdKeepsRunning()
    {
        // Without delete_module stock: deleting a module purges it, which kills what runs it, as in OTP.
        var v2 = ShopReleases.V2();
        v2 = v2 with { Upgrades = [new RelupEntry("1.0") { Instructions = v2.Upgrades[0].Instructions.Where(i => i is not DeleteModuleInstruction).ToArray() }] };
        var node = await Boot(v2: v2);
        var stock = node.WhereIs("stock");
        await node.Releases.InstallAsync("2.0", new InstallOptions { SupervisorChildren = SupervisorChildrenMode.Otp });
        var children = await Supervisor.WhichChildrenAsync(node.WhereIs("shop_sup")!.Value);
        children.Single(c => c.Id.ToString() == "audit").Pid.IsUndefined.Should().BeTrue();
        children.Single(c => c.Id.ToString() == "stock").Pid.Should().Be(stock);
        node.WhereIs("audit").Should().BeNull();
    }

    [Fact] // R1: a crash between install and make_permanent boots the permanent release; after make_permanent, the new one
    public async Task Boot_AfterCrashBeforeMakePermanent_RunsPermanent_AfterMakePermanent_RunsNew()
    {
        var first = await Boot();
        await AddItems(first, 2);
        await first.Releases.InstallAsync("2.0");
        (await Call(first, "cart", "version")).Should().Be("2");
        first.Dispose(); // the node goes away without make_permanent

        var second = new Node(new NodeOptions { ReleasesDirectory = _releases.ReleasesDirectory });
        _nodes.Add(second);
        (await second.Releases.BootAsync()).Version.Should().Be("1.0");
        await ShouldRunV1(second, 0); // in-memory state is gone with the node; the code is the permanent release's
        await second.Releases.InstallAsync("2.0");
        await second.Releases.MakePermanentAsync("2.0");
        second.Releases.WhichReleases().Select(r => (r.Version, r.Status)).Should().BeEquivalentTo(new[] { ("1.0", ReleaseStatus.Old), ("2.0", ReleaseStatus.Permanent) });
        second.Dispose();

        var third = new Node(new NodeOptions { ReleasesDirectory = _releases.ReleasesDirectory });
        _nodes.Add(third);
        (await third.Releases.BootAsync("1.0")).Version.Should().Be("2.0"); // the permanent one wins over the initial version
        (await Call(third, "cart", "version")).Should().Be("2");
        Running(third).Should().Equal("reports", "shop");
    }

    [Theory] // R7: load_module leaves processes whose state the new version cannot take on old code; make_permanent purges it per PostPurge
    [InlineData(PurgeMode.BrutalPurge)]
    [InlineData(PurgeMode.SoftPurge)]
    public async Task MakePermanent_PurgesOldCodeStillInUse_PerPostPurge(PurgeMode postPurge)
    {
        var v2 = ShopReleases.V2();
        v2 = v2 with
        {
            Upgrades = [new RelupEntry("1.0") { Instructions = [new LoadModuleInstruction("cart") { PostPurge = postPurge }, .. v2.Upgrades[0].Instructions.Skip(1)] }],
        };
        var node = await Boot(v2: v2);
        await AddItems(node, 2);
        var cart = node.WhereIs("cart")!.Value;
        await node.Releases.InstallAsync("2.0");
        (await CallPid(cart, "version")).Should().Be("1"); // its int state is not v2's CartState: it stays on v1
        node.Code.HasOldCode("cart").Should().BeTrue();

        await node.Releases.MakePermanentAsync("2.0");

        if (postPurge == PurgeMode.BrutalPurge)
        {
            node.IsAlive(cart).Should().BeFalse(); // killed by the purge; its supervisor restarts it on v2
            node.Code.HasOldCode("cart").Should().BeFalse();
        }
        else
        {
            (await CallPid(cart, "count")).Should().Be(2);
            node.Code.HasOldCode("cart").Should().BeTrue();
        }
    }

    [Fact] // a purged version that something still holds is not loaded over (the code server's own rule): the install fails at
           // load_object_code, changes nothing, and succeeds once the version is released
    public async Task Install_OverAPurgedVersionStillHeld_RefusedUntilReleased()
    {
        var node = await Boot();
        var pin = new System.Runtime.CompilerServices.StrongBox<object?>(node.Code.CurrentVersion("cart")!.Instance); // cart 1's callback object
        await node.Releases.InstallAsync("2.0");
        node.Code.Versions("cart").Should().Contain(v => v.Version == "1" && v.Status == ModuleStatus.PendingUnload);

        var error = (await node.Releases.Invoking(r => r.InstallAsync("1.0")).Should().ThrowAsync<ReleaseInstallException>()).Which;
        error.FailedStep.Should().BeOfType<LoadObjectCodeStep>();
        error.Reason.Should().Contain("not unloaded yet");
        (await Call(node, "cart", "version")).Should().Be("2");

        pin.Value = null;
        await node.Releases.InstallAsync("1.0");
        await ShouldRunV1(node, 0);
    }

    [Fact] // a boot that fails (an application whose callback module is missing) leaves the node as it was
    public async Task Boot_ApplicationFailsToStart_NothingLeftLoadedOrRunning()
    {
        var broken = ShopReleases.V1() with { Version = "0.9" };
        broken = broken with { Applications = [broken.Applications[0], broken.Applications[1] with { Mod = "no_such_module" }] };
        var node = new Node(new NodeOptions { ReleasesDirectory = _releases.ReleasesDirectory });
        _nodes.Add(node);
        await node.Releases.UnpackAsync(await _releases.PackAsync(broken));

        (await Kind(() => node.Releases.BootAsync("0.9"))).Should().Be(ReleaseErrorKind.BootFailed);

        node.Applications.WhichApplications().Should().BeEmpty();
        node.Applications.TryGetEnv("shop", "max_items", out _).Should().BeFalse();
        node.Code.IsLoaded("cart").Should().BeFalse();
        node.Code.IsLoaded("legacy_server").Should().BeFalse();
        node.Releases.CurrentVersion.Should().BeNull();
        node.Releases.WhichReleases().Should().ContainSingle().Which.Status.Should().Be(ReleaseStatus.Unpacked);
        (await node.Code.WaitForUnloadAsync("cart", Wait)).Should().BeTrue();
    }

    [Theory] // bad instructions are a typed error before anything runs: R8.6 (only apply before point_of_no_return), unknown names
    [InlineData("unknown_module")]
    [InlineData("unknown_application")]
    [InlineData("load_before_point_of_no_return")]
    public async Task Install_BadInstructions_TypedErrorNothingChanges(string bad)
    {
        AppupInstruction[] instructions = bad switch
        {
            "unknown_module" => [new UpdateInstruction("no_such_module")],
            "unknown_application" => [new RemoveApplicationInstruction("no_such_app")],
            _ => [new LoadModuleInstruction("cart"), new PointOfNoReturnInstruction()],
        };
        var node = await Boot(v2: ShopReleases.V2() with { Upgrades = [new RelupEntry("1.0") { Instructions = instructions }] });
        (await Kind(() => node.Releases.CheckInstallAsync("2.0"))).Should().Be(ReleaseErrorKind.BadInstructions);
        (await Kind(() => node.Releases.InstallAsync("2.0"))).Should().Be(ReleaseErrorKind.BadInstructions);
        await ShouldRunV1(node, 0);
        node.Code.Versions("cart").Should().ContainSingle();
    }

    [Fact] // R8.4, R8.5: dependencies are suspended first and resumed last; a downgrade's code_change precedes the older load
    public async Task CheckInstall_StepOrder_DependenciesAndDowngrade()
    {
        var v2 = ShopReleases.V2();
        v2 = v2 with { Upgrades = [new RelupEntry("1.0") { Instructions = [new UpdateInstruction("cart") { DepMods = ["shop_sup"] }, .. v2.Upgrades[0].Instructions.Skip(1)] }] };
        var node = await Boot(v2: v2);
        var up = await node.Releases.CheckInstallAsync("2.0");
        up.Steps.OfType<SuspendStep>().First().Modules.Should().Equal("shop_sup", "cart");
        up.Steps.OfType<ResumeStep>().First().Modules.Should().Equal("cart", "shop_sup");

        await node.Releases.InstallAsync("2.0");
        var down = await node.Releases.CheckInstallAsync("1.0");
        down.Direction.Should().Be(ChangeDirection.Down);
        var cartSteps = down.Steps.Where(s => s is CodeChangeStep { Module: "cart" } or LoadStep { Module: "cart" }).ToArray();
        cartSteps.Select(s => s.GetType()).Should().Equal(typeof(CodeChangeStep), typeof(LoadStep)); // R8.4: dynamic module
        var supSteps = down.Steps.Where(s => s is CodeChangeStep { Module: "shop_sup" } or LoadStep { Module: "shop_sup" }).ToArray();
        supSteps.Select(s => s.GetType()).Should().Equal(typeof(LoadStep), typeof(CodeChangeStep)); // R8.4: static module
        down.IsOk.Should().BeTrue(string.Join("; ", down.Problems));
    }

    [Theory] // busy processes: callers keep calling every cart through the install; no call fails and no increment is lost
    [InlineData(InstallMode.AllAtOnce)]
    [InlineData(InstallMode.Rolling)]
    public async Task Install_UnderConstantCalls_NoCallLost_EveryCountMigrated(InstallMode mode)
    {
        var node = await Boot();
        var carts = new List<Pid>();
        for (var i = 0; i < 200; i++) carts.Add((await node.Code.StartGenServerAsync("cart", 0)).GetPidOrThrow());
        using var stop = new CancellationTokenSource();
        var calling = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var afterward = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long calls = 0, target = long.MaxValue;
        var ok = new long[4];
        var failed = new long[4];
        var callers = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            var random = new Random(c);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await GenServer.CallAsync(carts[random.Next(carts.Count)], "add", Wait);
                    ok[c]++;
                    var n = Interlocked.Increment(ref calls);
                    if (n == 200) calling.TrySetResult();
                    if (n >= Interlocked.Read(ref target)) afterward.TrySetResult();
                }
                catch (Exception ex) when (ex is ICallFailure)
                {
                    failed[c]++;
                }
            }
        })).ToArray();
        await calling.Task.WaitAsync(Wait); // the install starts under load

        await node.Releases.InstallAsync("2.0", new InstallOptions { Mode = mode, BatchSize = 50 });
        Interlocked.Exchange(ref target, Interlocked.Read(ref calls) + 200);
        await afterward.Task.WaitAsync(Wait); // traffic after the upgrade too, on the new code
        await stop.CancelAsync();
        await Task.WhenAll(callers).WaitAsync(Wait);

        failed.Sum().Should().Be(0);
        long total = 0;
        foreach (var cart in carts)
        {
            (await CallPid(cart, "version")).Should().Be("2");
            (await CallPid(cart, "upgraded")).Should().Be(true);
            total += Convert.ToInt64(await CallPid(cart, "count"), System.Globalization.CultureInfo.InvariantCulture);
        }
        total.Should().Be(ok.Sum()); // every increment made before, during and after the install is in a migrated state
    }

    [Fact] // installs never interleave: the second is refused while the first runs
    public async Task Install_TwoAtOnce_SecondRefused_FirstCompletes()
    {
        var node = await Boot();
        var probing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = node.Releases.InstallAsync("2.0", new InstallOptions
        {
            HealthProbe = async _ =>
            {
                probing.TrySetResult();
                await release.Task;
                return true;
            },
        });
        await probing.Task.WaitAsync(Wait);
        (await Kind(() => node.Releases.InstallAsync("2.0"))).Should().Be(ReleaseErrorKind.InstallInProgress);
        (await Kind(() => node.Releases.CheckInstallAsync("2.0"))).Should().Be(ReleaseErrorKind.InstallInProgress);
        release.SetResult();
        (await first.WaitAsync(Wait)).ToVersion.Should().Be("2.0");
        (await Call(node, "cart", "version")).Should().Be("2");
    }

    [Fact] // rolling mode: batches of 100 over 1,001 carts, every state migrated
    public async Task Install_Rolling_MigratesEveryProcessInBatches()
    {
        var node = await Boot();
        var carts = new List<Pid>();
        for (var i = 0; i < 1000; i++) carts.Add((await node.Code.StartGenServerAsync("cart", i)).GetPidOrThrow());
        var result = await node.Releases.InstallAsync("2.0", new InstallOptions { Mode = InstallMode.Rolling, BatchSize = 100 });
        result.Journal.Should().Contain(j => j.Step is RollingUpdateStep && j.Detail.Contains("1001 processes changed in 11 batches", StringComparison.Ordinal));
        foreach (var (pid, i) in carts.Select((p, i) => (p, i)))
        {
            (await CallPid(pid, "count")).Should().Be(i);
            (await CallPid(pid, "version")).Should().Be("2");
        }
    }

    [Fact] // rolling mode rolls back too: batches already resumed go back through the down CodeChange
    public async Task Install_RollingFailsInALaterBatch_ResumedBatchesGoBack()
    {
        var node = await Boot(v2: ShopReleases.V2(cartExtra: "fail-on-13"));
        var carts = new List<Pid>();
        for (var i = 0; i < 300; i++) carts.Add((await node.Code.StartGenServerAsync("cart", i == 250 ? 13 : 1000 + i)).GetPidOrThrow());
        var error = (await node.Releases.Invoking(r => r.InstallAsync("2.0", new InstallOptions { Mode = InstallMode.Rolling, BatchSize = 50 }))
            .Should().ThrowAsync<ReleaseInstallException>()).Which;
        error.UndoFailures.Should().BeEmpty(string.Join("\n", error.Journal));
        error.Process.Should().Be(carts[250]);
        foreach (var (pid, i) in carts.Select((p, i) => (p, i)))
        {
            (await CallPid(pid, "version")).Should().Be("1");
            (await CallPid(pid, "count")).Should().Be(i == 250 ? 13 : 1000 + i);
        }
        await ShouldRunV1(node, 0);
        (await node.Code.WaitForUnloadAsync("cart", Wait)).Should().BeTrue();
    }

    [Fact] // the journal is published live
    public async Task Watch_SeesEveryStepOfAnInstall()
    {
        var node = await Boot();
        using var cts = new CancellationTokenSource(Wait);
        var seen = new List<JournalEntry>();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watching = Task.Run(async () =>
        {
            var enumerator = node.Releases.WatchAsync(cts.Token).GetAsyncEnumerator(cts.Token);
            var first = enumerator.MoveNextAsync();
            started.SetResult();
            try
            {
                while (await first)
                {
                    seen.Add(enumerator.Current);
                    if (enumerator.Current.Step is ConfigChangeStep) break;
                    first = enumerator.MoveNextAsync();
                }
            }
            finally
            {
                await enumerator.DisposeAsync();
            }
        });
        await started.Task;
        var result = await node.Releases.InstallAsync("2.0");
        await watching.WaitAsync(Wait);
        seen.Select(s => s.Step).Should().Equal(result.Journal.Select(j => j.Step));
    }

    [Fact] // R2: an apply before point_of_no_return runs in the rehearsal too, and a failing one fails it
    public async Task CheckInstall_RunsAppliesBeforePointOfNoReturn()
    {
        var v2 = ShopReleases.V2() with { };
        v2 = v2 with
        {
            Upgrades = [new RelupEntry("1.0") { Instructions = [new ApplyInstruction("shop_app", "fail"), new PointOfNoReturnInstruction(), .. v2.Upgrades[0].Instructions] }],
        };
        var node = await Boot(v2: v2);
        var report = await node.Releases.CheckInstallAsync("2.0");
        report.Problems.Should().ContainSingle().Which.Should().Contain("apply shop_app:fail");
        await ShouldRunV1(node, 0);
    }

    /// <summary>A process registered under a name while it lives (the audit fixture refuses to start while "audit_blocker" exists).</summary>
    private sealed class BlockerProcess : IDisposable
    {
        private readonly Node _node;
        private readonly Pid _pid;

        public BlockerProcess(Node node, string name)
        {
            _node = node;
            _pid = node.Spawn(async ctx => await ctx.ReceiveAsync());
            node.Register(name, _pid);
        }

        public void Dispose() => _node.Exit(_pid, ExitReason.Kill);
    }
}
