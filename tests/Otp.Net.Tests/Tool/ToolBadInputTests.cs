using System.Text.Json;
using Otp.Net.Releases;
using Otp.Net.Tool.Analysis;

namespace Otp.Net.Tests.Tool;

/// <summary>
/// <c>otpnet release build / diff / appup</c> given bad or unusual input: each is refused with one line naming the
/// file or field and exit code 1 (never a stack trace), and nothing is written or changed.
/// </summary>
public sealed class ToolBadInputTests : IDisposable
{
    private readonly ToolScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task Build_SpecWithAMisspeltField_RefusedNamingIt()
    {
        var spec = WriteSpec("""{ "name": "diff", "version": "1.0", "contract": ["Diff.Contracts"], "applications": [ { "name": "diff", "version": "1.0.0", "assemblies": [ "ASSEMBLY" ] } ] }""");

        var (exit, _, error) = await ToolScratch.RunAsync("release", "build", spec, "--out", _scratch.Packages);

        exit.Should().Be(1);
        error.Should().StartWith("otpnet: ").And.Contain(spec).And.Contain("contract");
        Directory.EnumerateFiles(_scratch.Packages).Should().BeEmpty();
    }

    [Fact]
    public async Task Build_SpecWithAMisspeltApplicationField_RefusedNamingIt()
    {
        var spec = WriteSpec("""{ "name": "diff", "version": "1.0", "applications": [ { "name": "diff", "version": "1.0.0", "assemblies": [ "ASSEMBLY" ], "enviroment": {} } ] }""");

        var (exit, _, error) = await ToolScratch.RunAsync("release", "build", spec, "--out", _scratch.Packages);

        exit.Should().Be(1);
        error.Should().Contain(spec).And.Contain("enviroment");
        Directory.EnumerateFiles(_scratch.Packages).Should().BeEmpty();
    }

    [Fact]
    public async Task Build_SpecWithANullApplication_ClearError()
    {
        var spec = WriteSpec("""{ "name": "diff", "version": "1.0", "applications": [ null ] }""");

        var (exit, _, error) = await ToolScratch.RunAsync("release", "build", spec, "--out", _scratch.Packages);

        exit.Should().Be(1);
        error.Should().Be($"otpnet: {spec}: applications[0] is null{Environment.NewLine}");
    }

    [Fact]
    public async Task Build_SpecListingAnApplicationTwice_SaysSo()
    {
        var spec = WriteSpec("""
            { "name": "diff", "version": "1.0", "applications": [
                { "name": "diff", "version": "1.0.0", "assemblies": [ "ASSEMBLY" ] },
                { "name": "diff", "version": "1.0.0", "assemblies": [ "ASSEMBLY" ] } ] }
            """);

        var (exit, _, error) = await ToolScratch.RunAsync("release", "build", spec, "--out", _scratch.Packages);

        exit.Should().Be(1);
        error.Should().Contain(spec).And.Contain("application diff is listed twice");
        Directory.EnumerateFiles(_scratch.Packages).Should().BeEmpty();
    }

    [Fact]
    public async Task Build_ReleaseNameWithAPathSegment_RefusedAndNothingWrittenOutsideOut()
    {
        var spec = WriteSpec("""{ "name": "../escaped", "version": "1.0", "applications": [ { "name": "diff", "version": "1.0.0", "mod": "diff_app", "assemblies": [ "ASSEMBLY" ] } ] }""");

        var (exit, _, error) = await ToolScratch.RunAsync("release", "build", spec, "--out", _scratch.Packages);

        exit.Should().Be(1);
        error.Should().Contain(spec).And.Contain("release name '../escaped'");
        Directory.EnumerateFiles(_scratch.Root, "*.zip", SearchOption.AllDirectories).Should().BeEmpty();
    }

    [Fact]
    public async Task Build_VersionThatCannotNameAFolder_RefusedNamingTheSpec()
    {
        var spec = _scratch.Spec("1.0:beta*", ToolScratch.Fixture("Diff.V1"));

        var (exit, _, error) = await ToolScratch.RunAsync("release", "build", spec, "--out", _scratch.Packages);

        exit.Should().Be(1);
        error.Should().Contain(spec).And.Contain("release version '1.0:beta*'").And.Contain("letters, digits");
        Directory.EnumerateFiles(_scratch.Packages).Should().BeEmpty();
    }

    [Fact]
    public async Task Build_TextFileNamedDll_RefusedNamingThatFile()
    {
        var fake = Path.Combine(_scratch.Root, "Fake.dll");
        await File.WriteAllTextAsync(fake, "not an assembly");
        var spec = _scratch.Spec("1.0", fake);

        var (exit, _, error) = await ToolScratch.RunAsync("release", "build", spec, "--out", _scratch.Packages);

        exit.Should().Be(1);
        error.Should().Contain($"{fake} is not a .NET assembly").And.NotContain("otpnet-build-", "the message names the user's file, not a staging copy");
        Directory.EnumerateFiles(_scratch.Packages).Should().BeEmpty();
    }

    [Fact]
    public async Task Build_TwoAssembliesWithTheSameModule_RefusedNamingBoth()
    {
        var copy = Path.Combine(_scratch.Root, "copy", "Diff2.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        File.Copy(ToolScratch.Fixture("Diff.V2"), copy);
        var spec = WriteSpec($$"""{ "name": "diff", "version": "1.0", "applications": [ { "name": "diff", "version": "1.0.0", "assemblies": [ "ASSEMBLY", {{JsonSerializer.Serialize(copy)}} ] } ] }""");

        var (exit, _, error) = await ToolScratch.RunAsync("release", "build", spec, "--out", _scratch.Packages);

        exit.Should().Be(1);
        error.Should().Contain("is in more than one assembly of the release (lib/diff-1.0.0/Diff.dll, lib/diff-1.0.0/Diff2.dll)");
        Directory.EnumerateFiles(_scratch.Packages).Should().BeEmpty();
    }

    [Fact]
    public async Task Build_OutUnderAFile_ClearErrorNotAStackTrace()
    {
        var file = Path.Combine(_scratch.Root, "a file");
        await File.WriteAllTextAsync(file, "");
        var spec = _scratch.Spec("1.0", ToolScratch.Fixture("Diff.V1"));

        var under = await ToolScratch.RunAsync("release", "build", spec, "--out", Path.Combine(file, "sub"));
        var onto = await ToolScratch.RunAsync("release", "build", spec, "--out", file);

        under.Exit.Should().Be(1);
        under.Error.Should().StartWith("otpnet: cannot write the package").And.Contain(file).And.NotContain(" at ");
        onto.Exit.Should().Be(1);
        onto.Error.Should().Be($"otpnet: --out {file} is a file, not a folder{Environment.NewLine}");
    }

    [Fact]
    public async Task Build_PathsWithSpacesAndAMissingOutFolder_Work()
    {
        var folder = Path.Combine(_scratch.Root, "my release", "lib dir");
        Directory.CreateDirectory(folder);
        File.Copy(ToolScratch.Fixture("Diff.V1"), Path.Combine(folder, "Diff.dll"));
        var spec = Path.Combine(_scratch.Root, "my release", "otp release.json");
        await File.WriteAllTextAsync(spec, """{ "name": "diff", "version": "1.0", "applications": [ { "name": "diff", "version": "1.0.0", "mod": "diff_app", "assemblies": [ "lib dir/Diff.dll" ] } ] }""");
        var output = Path.Combine(_scratch.Root, "not yet", "out dir");

        var (exit, _, error) = await ToolScratch.RunAsync("release", "build", spec, "--out", output);

        exit.Should().Be(0, error);
        (await ReleasePackage.VerifyAsync(Path.Combine(output, "diff-1.0.zip"), null)).Name.Should().Be("diff");
    }

    [Fact]
    public async Task Build_FromTheSameVersion_Refused()
    {
        var v1 = await _scratch.PackageAsync("1.0", "Diff.V1");
        var spec = _scratch.Spec("1.0", ToolScratch.Fixture("Diff.V2"));
        var before = await File.ReadAllBytesAsync(v1);

        var (exit, _, error) = await ToolScratch.RunAsync("release", "build", spec, "--out", _scratch.Packages, "--from", v1);

        exit.Should().Be(1);
        error.Should().Contain("are both version 1.0");
        (await File.ReadAllBytesAsync(v1)).Should().Equal(before, "the package built over is the --from package: a refused build leaves it");
    }

    [Fact]
    public async Task Diff_APackageWithItself_Refused()
    {
        var v1 = await _scratch.PackageAsync("1.0", "Diff.V1");

        var (exit, _, error) = await ToolScratch.RunAsync("release", "diff", v1, v1);

        exit.Should().Be(1);
        error.Should().Be($"otpnet: {v1} and {v1} are both version 1.0: there is nothing to upgrade (give the older package first, then the newer){Environment.NewLine}");
    }

    [Fact]
    public async Task Diff_NewOlderThanOld_RefusedSayingWhichWayRound()
    {
        var v1 = await _scratch.PackageAsync("1.0", "Diff.V1");
        var v2 = await _scratch.PackageAsync("2.0", "Diff.V2");

        var (exit, output, error) = await ToolScratch.RunAsync("release", "diff", v2, v1);

        exit.Should().Be(1);
        error.Should().Contain($"{v1} (1.0) is older than {v2} (2.0): give the older package first");
        output.Should().BeEmpty("nothing is computed for a pair given the wrong way round");
    }

    [Fact]
    public async Task Diff_TwoDifferentReleaseNames_Warned()
    {
        var v1 = await _scratch.PackageAsync("1.0", "Diff.V1");
        var spec = await File.ReadAllTextAsync(_scratch.Spec("2.0", ToolScratch.Fixture("Diff.V2")));
        var other = WriteSpec(spec.Replace("\"name\":\"diff\",\"version\":\"2.0\"", "\"name\":\"other\",\"version\":\"2.0\"", StringComparison.Ordinal));
        var package = (await _scratch.BuildAsync(other)).Package;

        var (_, output, _) = await ToolScratch.RunAsync("release", "diff", v1, package);

        output.Should().Contain("the releases have different names (diff, other)");
    }

    [Fact]
    public async Task Diff_TruncatedPackage_ClearError()
    {
        var v1 = await _scratch.PackageAsync("1.0", "Diff.V1");
        var v2 = await _scratch.PackageAsync("2.0", "Diff.V2");
        var truncated = Path.Combine(_scratch.Root, "truncated.zip");
        var bytes = await File.ReadAllBytesAsync(v1);
        await File.WriteAllBytesAsync(truncated, bytes[..(bytes.Length - 10)]);

        var (exit, _, error) = await ToolScratch.RunAsync("release", "diff", truncated, v2);

        exit.Should().Be(1);
        error.Should().StartWith($"otpnet: {truncated} is not a valid release package (Malformed)").And.Contain("not a readable zip file");
    }

    [Fact]
    public async Task Diff_OutIntoAMissingFolder_ClearError()
    {
        var v1 = await _scratch.PackageAsync("1.0", "Diff.V1");
        var v2 = await _scratch.PackageAsync("2.0", "Diff.V2");
        var file = Path.Combine(_scratch.Root, "nowhere", "diff.json");

        var (exit, _, error) = await ToolScratch.RunAsync("release", "diff", v1, v2, "--out", file);

        exit.Should().Be(1);
        error.Should().StartWith($"otpnet: cannot write {file}").And.NotContain(" at ");
    }

    [Fact]
    public async Task Appup_InstructionNamingAnUnknownModule_RefusedAndPackageUnchanged()
    {
        var (v1, v2, file) = await ReviewedAsync(d => d with { Upgrade = [.. d.Upgrade, new LoadModuleInstruction("no_such_module")] });
        var before = await File.ReadAllBytesAsync(v2);

        var (exit, _, error) = await ToolScratch.RunAsync("release", "appup", v1, v2, "--instructions", file);

        exit.Should().Be(1);
        error.Should().Contain($"{file}: upgrade[9] names module 'no_such_module', which is in neither 1.0 nor 2.0");
        (await File.ReadAllBytesAsync(v2)).Should().Equal(before);
    }

    [Fact]
    public async Task Appup_InstructionNamingAnUnknownApplicationOrDependency_Refused()
    {
        var (v1, v2, file) = await ReviewedAsync(d => d with { Downgrade = [new RestartApplicationInstruction("ghost"), .. d.Downgrade] });
        var (_, _, depFile) = await ReviewedAsync(d => d with { Upgrade = [new UpdateInstruction("body") { DepMods = ["nobody"] }] }, "dep.json");

        var application = await ToolScratch.RunAsync("release", "appup", v1, v2, "--instructions", file);
        var dependency = await ToolScratch.RunAsync("release", "appup", v1, v2, "--instructions", depFile);

        application.Exit.Should().Be(1);
        application.Error.Should().Contain("downgrade[0] names application 'ghost'");
        dependency.Exit.Should().Be(1);
        dependency.Error.Should().Contain("upgrade[0] names module 'nobody'");
    }

    [Fact]
    public async Task Appup_NullInstruction_RefusedAndPackageUnchanged()
    {
        var (v1, v2, file) = await ReviewedAsync(d => d);
        var text = await File.ReadAllTextAsync(file);
        await File.WriteAllTextAsync(file, text.Replace("\"upgrade\": [", "\"upgrade\": [ null,", StringComparison.Ordinal));
        var before = await File.ReadAllBytesAsync(v2);

        var (exit, _, error) = await ToolScratch.RunAsync("release", "appup", v1, v2, "--instructions", file);

        exit.Should().Be(1);
        error.Should().Contain($"{file}: upgrade[0] is null");
        (await File.ReadAllBytesAsync(v2)).Should().Equal(before);
    }

    [Fact]
    public async Task Appup_MalformedInstructions_ClearErrorAndPackageUnchanged()
    {
        var (v1, v2, file) = await ReviewedAsync(d => d);
        await File.WriteAllTextAsync(file, "{ \"from\": ");
        var before = await File.ReadAllBytesAsync(v2);

        var (exit, _, error) = await ToolScratch.RunAsync("release", "appup", v1, v2, "--instructions", file);

        exit.Should().Be(1);
        error.Should().StartWith($"otpnet: {file} is not a valid document");
        (await File.ReadAllBytesAsync(v2)).Should().Equal(before);
    }

    [Fact]
    public async Task Appup_APackageWithItself_RefusedAndPackageUnchanged()
    {
        var v2 = await _scratch.PackageAsync("2.0", "Diff.V2");
        var before = await File.ReadAllBytesAsync(v2);

        var (exit, _, error) = await ToolScratch.RunAsync("release", "appup", v2, v2);

        exit.Should().Be(1);
        error.Should().Contain("are both version 2.0");
        (await File.ReadAllBytesAsync(v2)).Should().Equal(before);
    }

    [Fact]
    public async Task Build_KeyThatIsNotAPemKey_RefusedNamingTheFile()
    {
        var key = Path.Combine(_scratch.Root, "builder.pem");
        await File.WriteAllTextAsync(key, "not a key");
        var spec = _scratch.Spec("1.0", ToolScratch.Fixture("Diff.V1"));

        var (exit, _, error) = await ToolScratch.RunAsync("release", "build", spec, "--out", _scratch.Packages, "--key", key);

        exit.Should().Be(1);
        error.Should().StartWith($"otpnet: {key}: ");
        Directory.EnumerateFiles(_scratch.Packages).Should().BeEmpty();
    }

    /// <summary>Writes a spec, with ASSEMBLY standing for the Diff.V1 fixture.</summary>
    private string WriteSpec(string json)
    {
        var path = Path.Combine(_scratch.Root, $"spec {Guid.NewGuid():N}.json");
        File.WriteAllText(path, json.Replace("\"ASSEMBLY\"", JsonSerializer.Serialize(ToolScratch.Fixture("Diff.V1")), StringComparison.Ordinal));
        return path;
    }

    /// <summary>Packages 1.0 and 2.0 and their diff document, edited by <paramref name="edit"/>.</summary>
    private async Task<(string V1, string V2, string File)> ReviewedAsync(Func<DiffDocument, DiffDocument> edit, string name = "diff.json")
    {
        var v1 = Path.Combine(_scratch.Packages, "diff-1.0.zip");
        var v2 = Path.Combine(_scratch.Packages, "diff-2.0.zip");
        if (!File.Exists(v1)) await _scratch.PackageAsync("1.0", "Diff.V1");
        if (!File.Exists(v2)) await _scratch.PackageAsync("2.0", "Diff.V2");
        using var before = await ReleaseImage.OpenPackageAsync(v1);
        using var after = await ReleaseImage.OpenPackageAsync(v2);
        var document = ReleaseDiff.Compute(before, after).ToDocument();
        var file = Path.Combine(_scratch.Root, name);
        await File.WriteAllBytesAsync(file, ReleaseJson.Serialize(edit(document)));
        return (v1, v2, file);
    }
}
