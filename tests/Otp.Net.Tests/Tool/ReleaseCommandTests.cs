using Otp.Net.Releases;
using Otp.Net.Tool.Analysis;

namespace Otp.Net.Tests.Tool;

/// <summary>The <c>otpnet release build / diff / appup</c> commands, run in process over the Diff fixtures.</summary>
public sealed class ReleaseCommandTests : IDisposable
{
    private readonly ToolScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task Build_WithFrom_EmbedsTheUpgradeAndDowngradeEntries()
    {
        var v1 = await _scratch.PackageAsync("1.0", "Diff.V1");
        var spec = _scratch.Spec("2.0", ToolScratch.Fixture("Diff.V2"));

        var (exit, output, error) = await ToolScratch.RunAsync("release", "build", spec, "--out", _scratch.Packages, "--from", v1);

        exit.Should().Be(0, error);
        output.Should().Contain("update_supervisor    diff_sup: code changed (1 -> 2); children: +audit \u2212stock");
        var manifest = await ReleasePackage.VerifyAsync(Path.Combine(_scratch.Packages, "diff-2.0.zip"), null);
        manifest.Upgrades.Should().ContainSingle().Which.Version.Should().Be("1.0");
        manifest.Upgrades[0].Instructions.Should().HaveCount(9);
        manifest.Downgrades.Should().ContainSingle().Which.Instructions.Select(ReleaseDiffTests.Describe).Should().Contain("add_module stock");
        var app = manifest.Applications.Should().ContainSingle().Subject;
        app.Modules.Should().OnlyContain(m => m.File == "lib/diff-1.0.0/Diff.dll");
        app.Mod.Should().Be("diff_app");
        app.Env.Should().ContainKey("level").WhoseValue.Should().Be(1L);
        manifest.Host.Runtime.Should().Be("10.0");
        manifest.Host.OtpNetVersion.Should().Be(typeof(Node).Assembly.GetName().Version!.ToString());
    }

    [Fact]
    public async Task Build_NonDeterministicAssembly_RefusedNamingTheSettings()
    {
        var spec = _scratch.Spec("1.0", ToolScratch.Fixture("Diff.NonDet"));

        var (exit, _, error) = await ToolScratch.RunAsync("release", "build", spec, "--out", _scratch.Packages);

        exit.Should().Be(1);
        error.Should().Contain(ToolScratch.Fixture("Diff.NonDet")).And.Contain("was not built deterministically")
            .And.Contain("-p:Deterministic=true -p:ContinuousIntegrationBuild=true");
        Directory.EnumerateFiles(_scratch.Packages).Should().BeEmpty("a refused build writes nothing");
    }

    [Fact]
    public async Task Build_SpecNamingAMissingProject_ClearError()
    {
        var spec = _scratch.Spec("1.0", "", project: "nowhere/Missing.csproj");

        var (exit, _, error) = await ToolScratch.RunAsync("release", "build", spec, "--out", _scratch.Packages);

        exit.Should().Be(1);
        error.Should().Contain("the spec names project").And.Contain("Missing.csproj, which does not exist");
        Directory.EnumerateFiles(_scratch.Packages).Should().BeEmpty();
    }

    [Fact]
    public async Task Build_MissingSpec_ClearError()
    {
        var (exit, _, error) = await ToolScratch.RunAsync("release", "build", Path.Combine(_scratch.Root, "none.json"));

        exit.Should().Be(1);
        error.Should().Contain("no release spec at");
    }

    [Fact]
    public async Task Build_TwiceFromAProject_SameModuleHashes()
    {
        // A project outside the repository (no Directory.Build.props), compiling the V2 source against the built
        // OtpDotNet: the tool builds it deterministically, twice.
        var project = Path.Combine(_scratch.Root, "proj", "Diff.csproj");
        Directory.CreateDirectory(Path.GetDirectoryName(project)!);
        var otp = typeof(Node).Assembly.Location;
        File.WriteAllText(project, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <AssemblyName>Diff</AssemblyName>
                <DefineConstants>$(DefineConstants);DIFF_V2</DefineConstants>
              </PropertyGroup>
              <ItemGroup>
                <Compile Include="{Path.Combine(Repository.Root, "tests", "fixtures", "Diff", "Diff.cs")}" />
                <Reference Include="{otp}" Private="false" />
              </ItemGroup>
            </Project>
            """);
        var spec = _scratch.Spec("2.0", "", project: project);

        var first = await _scratch.BuildAsync(spec);
        var firstBytes = await File.ReadAllBytesAsync(first.Package);
        File.Delete(first.Package);
        var second = await _scratch.BuildAsync(spec);

        first.Hashes.Should().HaveCount(11);
        second.Hashes.Should().Equal(first.Hashes);
        (await File.ReadAllBytesAsync(second.Package)).Should().Equal(firstBytes, "deterministic builds and packages give the same bytes");
        // The normalized hashes do not depend on how the assembly was compiled (paths, MVID): the fixture's build hashes the same.
        var fixture = await _scratch.BuildAsync(_scratch.Spec("2.1", ToolScratch.Fixture("Diff.V2")));
        fixture.Hashes.Should().Equal(first.Hashes);
    }

    [Fact]
    public async Task Diff_WritesTheReviewableDocument()
    {
        var v1 = await _scratch.PackageAsync("1.0", "Diff.V1");
        var v2 = await _scratch.PackageAsync("2.0", "Diff.V2");
        var file = Path.Combine(_scratch.Root, "diff.json");

        var (exit, output, error) = await ToolScratch.RunAsync("release", "diff", v1, v2, "--out", file);

        exit.Should().Be(0, error);
        output.Should().Contain("update advanced      shape_ok").And.Contain("9 upgrade and 9 downgrade instruction(s)");
        var document = ReleaseJson.Deserialize<DiffDocument>(await File.ReadAllBytesAsync(file), file);
        document.From.Should().Be("1.0");
        document.To.Should().Be("2.0");
        document.Upgrade.Select(ReleaseDiffTests.Describe).Should().StartWith("add_module audit");
        document.Downgrade.Should().HaveCount(9);
        (await File.ReadAllTextAsync(file)).Should().Contain("\"op\": \"update_supervisor\"");
    }

    [Fact]
    public async Task Diff_FailingDiff_ExitCodeOneAndScaffold()
    {
        var v2 = await _scratch.PackageAsync("2.0", "Diff.V2");
        var bad = await _scratch.PackageAsync("2.1", "Diff.V2Bad");
        var scaffold = Path.Combine(_scratch.Root, "scaffold");
        var file = Path.Combine(_scratch.Root, "diff.json");

        var (exit, output, _) = await ToolScratch.RunAsync("release", "diff", v2, bad, "--scaffold", scaffold, "--out", file, "--allow-delegates");

        exit.Should().Be(1);
        output.Should().Contain("error: module shape_bad").And.Contain("diff failed: 1 error(s)");
        File.Exists(Path.Combine(scaffold, "shape_bad.CodeChange.cs")).Should().BeTrue();
        File.Exists(file).Should().BeFalse("a failed diff writes no instructions");
    }

    [Fact]
    public async Task Diff_MissingOrTamperedPackage_ClearError()
    {
        var v1 = await _scratch.PackageAsync("1.0", "Diff.V1");
        var tampered = _scratch.Tamper(v1, "lib/diff-1.0.0/Diff.dll");

        var missing = await ToolScratch.RunAsync("release", "diff", Path.Combine(_scratch.Root, "none.zip"), v1);
        var bad = await ToolScratch.RunAsync("release", "diff", v1, tampered);

        missing.Exit.Should().Be(1);
        missing.Error.Should().Contain("no release package at");
        bad.Exit.Should().Be(1);
        bad.Error.Should().Contain("is not a valid release package (BadHash)");
    }

    [Fact]
    public async Task Appup_ReplacesAStaleEmbeddedEntry()
    {
        var v1 = await _scratch.PackageAsync("1.0", "Diff.V1");
        var v2 = await _scratch.PackageAsync("2.0", "Diff.V2");
        await StaleAsync(v2);

        var (exit, _, error) = await ToolScratch.RunAsync("release", "appup", v1, v2);

        exit.Should().Be(0, error);
        var manifest = await ReleasePackage.VerifyAsync(v2, null);
        manifest.Upgrades.Select(e => e.Version).Should().BeEquivalentTo("0.9", "1.0");
        manifest.Upgrades.Single(e => e.Version == "1.0").Instructions.Should().HaveCount(9, "the stale entry is replaced, never reused");
        manifest.Upgrades.Single(e => e.Version == "0.9").Instructions.Select(ReleaseDiffTests.Describe).Should().Equal("load_module body");
        manifest.Downgrades.Single(e => e.Version == "1.0").Instructions.Should().HaveCount(9);
    }

    [Fact]
    public async Task Appup_ReviewedInstructions_AreEmbeddedAsEdited()
    {
        var v1 = await _scratch.PackageAsync("1.0", "Diff.V1");
        var v2 = await _scratch.PackageAsync("2.0", "Diff.V2");
        var file = Path.Combine(_scratch.Root, "diff.json");
        (await ToolScratch.RunAsync("release", "diff", v1, v2, "--out", file)).Exit.Should().Be(0);
        var document = ReleaseJson.Deserialize<DiffDocument>(await File.ReadAllBytesAsync(file), file);
        var edited = document with { Upgrade = [.. document.Upgrade, new PointOfNoReturnInstruction()] };
        await File.WriteAllBytesAsync(file, ReleaseJson.Serialize(edited));
        var output = Path.Combine(_scratch.Packages, "diff-2.0-reviewed.zip");

        var (exit, _, error) = await ToolScratch.RunAsync("release", "appup", v1, v2, "--instructions", file, "--out", output);

        exit.Should().Be(0, error);
        var manifest = await ReleasePackage.VerifyAsync(output, null);
        manifest.Upgrades.Single().Instructions.Should().HaveCount(10).And.EndWith(new PointOfNoReturnInstruction());
    }

    [Fact]
    public async Task Appup_InstructionsForOtherVersions_Refused()
    {
        var v1 = await _scratch.PackageAsync("1.0", "Diff.V1");
        var v2 = await _scratch.PackageAsync("2.0", "Diff.V2");
        var file = Path.Combine(_scratch.Root, "diff.json");
        await File.WriteAllBytesAsync(file, ReleaseJson.Serialize(new DiffDocument("0.5", "2.0", [], [])));
        var before = await File.ReadAllBytesAsync(v2);

        var (exit, _, error) = await ToolScratch.RunAsync("release", "appup", v1, v2, "--instructions", file);

        exit.Should().Be(1);
        error.Should().Contain("goes from 0.5 to 2.0, not from 1.0 to 2.0");
        (await File.ReadAllBytesAsync(v2)).Should().Equal(before);
    }

    [Fact]
    public async Task Appup_SignedPackage_RefusedWithoutKeyAndReSignedWithIt()
    {
        using var signing = ReleaseSigningKey.Create("builder");
        var keyFile = Path.Combine(_scratch.Root, "builder.pem");
        await signing.SavePrivateKeyAsync(keyFile);
        var v1 = await _scratch.PackageAsync("1.0", "Diff.V1");
        var spec = _scratch.Spec("2.0", ToolScratch.Fixture("Diff.V2"));
        (await ToolScratch.RunAsync("release", "build", spec, "--out", _scratch.Packages, "--key", keyFile)).Exit.Should().Be(0);
        var v2 = Path.Combine(_scratch.Packages, "diff-2.0.zip");
        var trust = ReleaseTrust.From(signing);
        (await ReleasePackage.VerifyAsync(v2, trust)).Upgrades.Should().BeEmpty();
        var before = await File.ReadAllBytesAsync(v2);

        var refused = await ToolScratch.RunAsync("release", "appup", v1, v2);
        var signed = await ToolScratch.RunAsync("release", "appup", v1, v2, "--key", keyFile);

        refused.Exit.Should().Be(1);
        refused.Error.Should().Contain("is signed: pass --key");
        signed.Exit.Should().Be(0, signed.Error);
        (await ReleasePackage.VerifyAsync(v2, trust)).Upgrades.Should().ContainSingle().Which.Instructions.Should().HaveCount(9);
        (await File.ReadAllBytesAsync(v2)).Should().NotEqual(before);
    }

    /// <summary>Rewrites <paramref name="package"/> with hand-written entries: a wrong one for 1.0 and one for 0.9.</summary>
    private static async Task StaleAsync(string package)
    {
        using var image = await ReleaseImage.OpenPackageAsync(package);
        var stale = new RelupEntry("1.0") { Instructions = [new LoadModuleInstruction("same")] };
        var other = new RelupEntry("0.9") { Instructions = [new LoadModuleInstruction("body")] };
        var manifest = image.Manifest with { Upgrades = [stale, other], Downgrades = [stale, other] };
        await ReleasePackage.CreateAsync(manifest, image.Directory, package);
    }
}
