using Otp.Net.Releases;
using Otp.Net.Tool.Analysis;

namespace Otp.Net.Tests.Tool;

/// <summary>
/// The release diff over packages built from the Diff fixtures: V1 → V2 holds every change the diff accepts, V2Bad a
/// state change without CodeChange and a delegate in a state, Extras.V1 / V2 one application compiled against two
/// versions of a contract assembly, NonDet V1 compiled without determinism.
/// </summary>
public sealed class ReleaseDiffTests : IDisposable
{
    private readonly ToolScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    internal static string Describe(AppupInstruction instruction) => instruction switch
    {
        UpdateInstruction u => $"update {u.Module} {u.Mode.ToString().ToLowerInvariant()}{Deps(u.DepMods)}",
        LoadModuleInstruction l => $"load_module {l.Module}{Deps(l.DepMods)}",
        UpdateSupervisorInstruction s => $"update_supervisor {s.Module}",
        AddModuleInstruction a => $"add_module {a.Module}",
        DeleteModuleInstruction d => $"delete_module {d.Module}",
        AddApplicationInstruction a => $"add_application {a.Application}",
        RemoveApplicationInstruction r => $"remove_application {r.Application}",
        _ => instruction.ToString(),
    };

    private static string Deps(IReadOnlyList<string> deps) => deps.Count == 0 ? "" : $" [{string.Join(",", deps)}]";

    [Fact]
    public async Task Diff_EveryAcceptedChange_DecidesEachModuleByItsKindAndState()
    {
        var v1 = await _scratch.PackageAsync("1.0", "Diff.V1");
        var v2 = await _scratch.PackageAsync("2.0", "Diff.V2");

        var diff = await ToolScratch.DiffAsync(v1, v2);

        diff.Errors.Should().BeEmpty();
        // R8: new modules before the code using them, supervisors after their children's modules, deletions after the
        // supervisor stopped its children; R8.5: shared now uses body's type, so body is its dependency.
        diff.Upgrade.Select(Describe).Should().Equal(
            "add_module audit",
            "update body soft",
            "update shape_ok advanced",
            "update shared soft [body]",
            "load_module ticker",
            "update_supervisor diff_sup",
            "update_supervisor dyn_sup",
            "delete_module stock",
            "load_module diff_app");
        // The downgrade (R3: run from the newer release) mirrors it: add <-> delete, the same modes; V1's shared names no other module.
        diff.Downgrade.Select(Describe).Should().Equal(
            "add_module stock",
            "update body soft",
            "update shape_ok advanced",
            "update shared soft",
            "load_module ticker",
            "update_supervisor diff_sup",
            "update_supervisor dyn_sup",
            "delete_module audit",
            "load_module diff_app");
        diff.Decisions.Should().Contain(d => d.Contains("same: same code", StringComparison.Ordinal));
        diff.Decisions.Should().Contain(d => d.Contains("callbacks: same code", StringComparison.Ordinal));
        // R11: the children the new Init adds and removes, read from its IL; computed ids cannot be named.
        diff.Decisions.Should().Contain(d => d.Contains("diff_sup: code changed (1 -> 2); children: +audit \u2212stock", StringComparison.Ordinal));
        diff.Decisions.Should().Contain(d => d.Contains("dyn_sup: code changed (1 -> 2); children: not determined statically", StringComparison.Ordinal));
        diff.Decisions.Should().Contain(d => d.Contains("shape_ok: state shape changed (+ Label: string (added)); CodeChangeAsync reads the old state as Fixtures.Diff.ShapeStateV1", StringComparison.Ordinal));
        diff.Decisions.Should().Contain(d => d.Contains("body: code changed (1 -> 2); state BodyState keeps its shape", StringComparison.Ordinal));
        diff.Decisions.Should().Contain(d => d.Contains("shared: code changed (1 -> 2); state type int32 is shared", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Diff_SameAssemblies_NothingToDo()
    {
        var a = await _scratch.PackageAsync("1.0", "Diff.V1");
        var b = await _scratch.PackageAsync("1.1", "Diff.V1");

        var diff = await ToolScratch.DiffAsync(a, b);

        diff.Failed.Should().BeFalse();
        diff.Upgrade.Should().BeEmpty();
        diff.Downgrade.Should().BeEmpty();
        diff.Decisions.Where(d => d.StartsWith("nothing", StringComparison.Ordinal)).Should().HaveCount(11).And.OnlyContain(d => d.EndsWith("same assembly", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Diff_StateShapeChangedWithoutCodeChange_FailsWithTheFieldDiffAndAScaffold()
    {
        var v2 = await _scratch.PackageAsync("2.0", "Diff.V2");
        var bad = await _scratch.PackageAsync("2.1", "Diff.V2Bad");

        var diff = await ToolScratch.DiffAsync(v2, bad, allowDelegates: true);

        diff.Failed.Should().BeTrue();
        diff.Upgrade.Should().BeEmpty("a failed diff gives no instructions");
        var error = diff.Errors.Should().ContainSingle().Subject;
        error.Should().Contain("module shape_bad: the state's shape changed and the new version does not override CodeChangeAsync")
            .And.Contain("~ Count: int32 -> int64 (retyped)")
            .And.Contain("+ Flag: bool (added)")
            .And.Contain("- Name: string (removed)");
        var scaffold = diff.Scaffolds.Should().ContainKey("shape_bad.CodeChange.cs").WhoseValue;
        scaffold.Should().Contain("public sealed record BadStateV1(int Count, string Name);")
            .And.Contain("((StateTerm)oldState!).As<BadStateV1>()")
            .And.Contain("namespace Fixtures.Diff;");
    }

    [Fact]
    public async Task Diff_DelegateInState_FailsUnlessAllowedThenWarns()
    {
        var v2 = await _scratch.PackageAsync("2.0", "Diff.V2");
        var bad = await _scratch.PackageAsync("2.1", "Diff.V2Bad");

        var refused = await ToolScratch.DiffAsync(v2, bad);
        var allowed = await ToolScratch.DiffAsync(v2, bad, allowDelegates: true);

        refused.Errors.Should().Contain(e => e.Contains("module callbacks: delegate in state (old Next, new Next)", StringComparison.Ordinal)
            && e.Contains("--allow-delegates", StringComparison.Ordinal));
        allowed.Errors.Should().NotContain(e => e.Contains("callbacks", StringComparison.Ordinal));
        allowed.Warnings.Should().Contain(w => w.Contains("module callbacks: delegate in state", StringComparison.Ordinal) && w.Contains("badfun", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Diff_ContractAssemblyChanged_RestartRequired()
    {
        var x1 = await _scratch.PackageAsync("3.0", "Diff.V2", "Diff.Extras.V1");
        var x2 = await _scratch.PackageAsync("3.1", "Diff.V2", "Diff.Extras.V2");

        var diff = await ToolScratch.DiffAsync(x1, x2);

        diff.Failed.Should().BeTrue();
        diff.Errors.Should().Contain("restart required: contract assembly Diff.Contracts changed (1.0.0.0 unsigned -> 2.0.0.0 unsigned); shared assemblies load once per process");
        diff.Errors.Should().Contain("restart required: module greeter was compiled against Diff.Contracts 1.0.0.0 and now against 2.0.0.0");
        diff.Decisions.Should().Contain(d => d.Contains("greeter: same code", StringComparison.Ordinal), "the module's code names the contract's types by name, not by version");
    }

    [Fact]
    public async Task Diff_AnotherOtpNetOrRuntimeMajor_RestartRequired()
    {
        var v1 = await _scratch.PackageAsync("1.0", "Diff.V1");
        var v2 = await _scratch.PackageAsync("2.0", "Diff.V2");
        using var image = await ReleaseImage.OpenPackageAsync(v2);
        var moved = Path.Combine(_scratch.Packages, "diff-2.1.zip");
        await ReleasePackage.CreateAsync(image.Manifest with
        {
            Version = "2.1",
            Host = image.Manifest.Host with { OtpNetVersion = "7.0.0.0", Runtime = "99.0" },
        }, image.Directory, moved);

        var diff = await ToolScratch.DiffAsync(v1, moved);

        diff.Failed.Should().BeTrue();
        diff.Errors.Should().Contain(e => e.StartsWith("restart required: Otp.Net ", StringComparison.Ordinal) && e.EndsWith("-> 7.0.0.0 is another major version", StringComparison.Ordinal));
        diff.Errors.Should().Contain("restart required: .NET 10.0 -> 99.0 is another major version");
        diff.Upgrade.Should().BeEmpty();
    }

    [Fact]
    public async Task Diff_ApplicationAddedAndRemoved_AddApplicationUpRemoveApplicationDown()
    {
        var v2 = await _scratch.PackageAsync("2.0", "Diff.V2");
        var x1 = await _scratch.PackageAsync("3.0", "Diff.V2", "Diff.Extras.V1");

        var up = await ToolScratch.DiffAsync(v2, x1);
        var back = await ToolScratch.DiffAsync(x1, v2);

        up.Upgrade.Select(Describe).Should().Equal("add_application extras");
        up.Downgrade.Select(Describe).Should().Equal("remove_application extras");
        back.Upgrade.Select(Describe).Should().Equal("remove_application extras");
        up.Warnings.Should().Contain(w => w.Contains("Diff.Contracts 1.0.0.0 is new", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Diff_NonDeterministicBuild_Refused()
    {
        var v1 = await _scratch.PackageAsync("1.0", "Diff.V1");
        // Packed by hand: the builder itself refuses the assembly (see the command tests).
        var source = Path.Combine(_scratch.Root, "nondet");
        Directory.CreateDirectory(Path.Combine(source, "lib", "diff-1.0.0"));
        File.Copy(ToolScratch.Fixture("Diff.NonDet"), Path.Combine(source, "lib", "diff-1.0.0", "Diff.dll"));
        var manifest = (await ReleasePackage.VerifyAsync(v1, null)) with { Version = "1.1" };
        var nondet = Path.Combine(_scratch.Packages, "diff-1.1.zip");
        await ReleasePackage.CreateAsync(manifest, source, nondet);

        var diff = await ToolScratch.DiffAsync(v1, nondet);

        diff.Failed.Should().BeTrue();
        diff.Upgrade.Should().BeEmpty();
        diff.Errors.Should().ContainSingle().Which.Should().Contain("was not built deterministically").And.Contain("-p:Deterministic=true -p:ContinuousIntegrationBuild=true");
    }

    [Fact]
    public void TypeHashes_EveryTypeOfALargeAssembly_ReadsAndHashesTwiceTheSame()
    {
        // OtpDotNet itself: generics, switches, async state machines, function pointers, nested closures.
        using var first = AssemblyImage.Open(typeof(Node).Assembly.Location);
        using var second = AssemblyImage.Open(typeof(Node).Assembly.Location);

        var hashes = first.Reader.TypeDefinitions.Select(t => first.TypeHash(t).Hash).ToList();
        var again = second.Reader.TypeDefinitions.Select(t => second.TypeHash(t).Hash).ToList();

        hashes.Should().HaveCountGreaterThan(500).And.Equal(again);
        hashes.Distinct().Should().HaveCount(hashes.Count, "every type has its own name, so its own hash");
        first.Modules.Should().BeEmpty();
        first.TargetRuntime.Should().Be("10.0");
    }

    [Fact] // R8, R9, R11: the original demo's change of tree, generated from the two builds as written by hand
    public async Task Diff_Octochat021To030_GeneratesTheTreeChange_AddModuleLoadUpdateSupervisorDelete()
    {
        var v021 = await _scratch.BuildAsync(OctochatSpec("0.2.1", "Octochat.V021"));
        var v030 = await _scratch.BuildAsync(OctochatSpec("0.3.0", "Octochat.V030"), v021.Package);

        var up = v030.Manifest.Upgrades.Should().ContainSingle().Subject;
        up.Version.Should().Be("0.2.1");
        up.Instructions.Should().BeEquivalentTo(Octochat.OctochatReleases.TreeChange(up: true), o => o.WithStrictOrdering().RespectingRuntimeTypes());
        v030.Manifest.Downgrades.Should().ContainSingle().Which.Instructions
            .Should().BeEquivalentTo(Octochat.OctochatReleases.TreeChange(up: false), o => o.WithStrictOrdering().RespectingRuntimeTypes());
    }

    private string OctochatSpec(string version, string project)
    {
        var dll = Path.Combine(Repository.Root, "examples", "Octochat", project, "bin", Repository.Configuration, "net10.0", "Octochat.dll");
        var path = Path.Combine(_scratch.Root, $"octochat-{version}.json");
        File.WriteAllText(path, $$"""
            { "name": "octochat", "version": "{{version}}", "contracts": ["Octochat.Contracts"],
              "applications": [ { "name": "octochat", "version": "{{version}}", "mod": "octochat_app", "env": { "port": 9999 },
                                  "assemblies": [ {{System.Text.Json.JsonSerializer.Serialize(dll)}} ] } ] }
            """);
        return path;
    }

    [Fact]
    public async Task Diff_Octochat_UpdatesTheEchoServerSoftlyAsItsHandWrittenRelup()
    {
        var v032 = await _scratch.BuildAsync(OctochatSpec("0.3.2", "Octochat.V032"));
        var v033 = await _scratch.BuildAsync(OctochatSpec("0.3.3", "Octochat.V033"), v032.Package);

        var relup = v033.Manifest.Upgrades.Should().ContainSingle().Subject;
        relup.Version.Should().Be("0.3.2");
        relup.Instructions.Select(Describe).Should().Equal("update octochat_echo soft");
        v033.Manifest.Downgrades.Should().ContainSingle().Which.Instructions.Select(Describe).Should().Equal("update octochat_echo soft");
        v033.Manifest.Host.Contracts.Should().ContainSingle().Which.Name.Should().Be("Octochat.Contracts");
        v033.Manifest.Applications.Single().Modules.Select(m => $"{m.Name} {m.Version}").Should().BeEquivalentTo(
            "octochat_app 1", "octochat_sup 1", "octochat_server_sup 1", "octochat_acceptor 1", "octochat_echo 0.3.3");
    }
}
