using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Otp.Net.Releases;

namespace Otp.Net.Tests.Releases;

public sealed class ReleasePackageTests : IDisposable
{
    private const string Module = "lib/counter-1.0.0/Counter.dll";
    private readonly ReleaseScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task Verify_PackageAsCreated_ReturnsItsManifestWithTypedValues()
    {
        var package = await _scratch.PackageAsync();

        var manifest = await ReleasePackage.VerifyAsync(package, trust: null);

        manifest.Should().BeEquivalentTo(ReleaseScratch.Manifest(), o => o.RespectingRuntimeTypes());
        var env = manifest.Applications[0].Env;
        env["port"].Should().BeOfType<long>().Which.Should().Be(8080);
        env["ratio"].Should().BeOfType<double>().Which.Should().Be(0.25);
        env["name"].Should().Be("main");
        env["enabled"].Should().Be(true);
        env["none"].Should().BeNull();
        env["peers"].Should().BeAssignableTo<IReadOnlyList<object?>>().Which.Should().Equal("a", 2L, false);
        env["limits"].Should().BeAssignableTo<IReadOnlyDictionary<string, object?>>().Which["soft"].Should().Be(2.5);
        manifest.Applications[0].Args.Should().BeAssignableTo<IReadOnlyDictionary<string, object?>>().Which["start"].Should().Be(5L);
    }

    [Fact]
    public async Task Create_Package_HoldsManifestFilesAndHashesOfEveryOtherEntry()
    {
        var package = await _scratch.PackageAsync();

        using var zip = ZipFile.OpenRead(package);
        zip.Entries.Select(e => e.FullName).Should().BeEquivalentTo(
            "release.json", Module, "lib/counter-1.0.0/Counter.Helpers.dll", "lib/kv-0.1.0/Kv.dll", "hashes.json");
        using var hashes = JsonDocument.Parse(zip.GetEntry("hashes.json")!.Open());
        hashes.RootElement.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(
            "release.json", Module, "lib/counter-1.0.0/Counter.Helpers.dll", "lib/kv-0.1.0/Kv.dll");
        hashes.RootElement.EnumerateObject().Select(p => p.Value.GetString()).Should().OnlyContain(h => System.Text.RegularExpressions.Regex.IsMatch(h!, "^[0-9a-f]{64}$"));
        using var manifest = JsonDocument.Parse(zip.GetEntry("release.json")!.Open());
        manifest.RootElement.GetProperty("applications")[0].GetProperty("type").GetString().Should().Be("transient");
    }

    [Fact]
    public async Task Create_SameInputsTwice_WritesTheSameBytes()
    {
        var first = await _scratch.PackageAsync(name: "a.zip");
        var second = await _scratch.PackageAsync(name: "b.zip");

        File.ReadAllBytes(first).Should().Equal(File.ReadAllBytes(second));
    }

    [Fact]
    public async Task Create_FileMissingFromSource_ThrowsMissingFileAndWritesNothing()
    {
        File.Delete(Path.Combine(_scratch.Source, "lib", "kv-0.1.0", "Kv.dll"));

        var act = () => _scratch.PackageAsync();

        (await act.Should().ThrowAsync<ReleaseException>()).Which.Should().Match<ReleaseException>(e => e.Kind == ReleaseErrorKind.MissingFile && e.Path == "lib/kv-0.1.0/Kv.dll");
        Directory.EnumerateFileSystemEntries(_scratch.Packages).Should().BeEmpty();
    }

    [Fact]
    public async Task Create_EnvValueThatIsNotPlainJson_ThrowsMalformedAndWritesNothing()
    {
        var manifest = ReleaseScratch.Manifest() with { Applications = [new ApplicationDescriptor("app", "1.0.0") { Env = new Dictionary<string, object?> { ["x"] = new Uri("http://example.org") } }] };

        var act = () => _scratch.PackageAsync(manifest);

        (await act.Should().ThrowAsync<ReleaseException>()).Which.Kind.Should().Be(ReleaseErrorKind.Malformed);
        Directory.EnumerateFileSystemEntries(_scratch.Packages).Should().BeEmpty();
    }

    [Theory]
    [InlineData("../1.0.0")]
    [InlineData("1.0/0")]
    [InlineData("")]
    [InlineData("..")]
    public async Task Create_VersionThatCannotNameAFolder_ThrowsMalformed(string version)
    {
        var act = () => _scratch.PackageAsync(ReleaseScratch.Manifest(version), name: "x.zip");

        (await act.Should().ThrowAsync<ReleaseException>()).Which.Kind.Should().Be(ReleaseErrorKind.Malformed);
    }

    [Theory]
    [InlineData("../evil.dll")]
    [InlineData("/abs/evil.dll")]
    [InlineData("lib\\evil.dll")]
    [InlineData("lib//evil.dll")]
    [InlineData("C:/evil.dll")]
    public async Task Create_ModuleFileOutsideTheReleaseFolder_ThrowsMalformed(string file)
    {
        var manifest = ReleaseScratch.Manifest() with { Applications = [new ApplicationDescriptor("app", "1.0.0") { Modules = [new ModuleDescriptor("M", "1", file)] }] };

        var act = () => _scratch.PackageAsync(manifest);

        (await act.Should().ThrowAsync<ReleaseException>()).Which.Kind.Should().Be(ReleaseErrorKind.Malformed);
    }

    [Fact]
    public async Task Verify_OneByteOfAModuleChanged_ThrowsBadHashNamingTheModule()
    {
        var package = _scratch.Rewrite(await _scratch.PackageAsync(), (name, bytes) => name == Module ? ReleaseScratch.Flip(bytes) : bytes);

        await ExpectRefusal(package, null, ReleaseErrorKind.BadHash, Module);
    }

    [Fact]
    public async Task Verify_ReleaseJsonChanged_ThrowsBadHash()
    {
        var package = _scratch.Rewrite(await _scratch.PackageAsync(), (name, bytes) =>
            name == "release.json" ? Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace("8080", "8081", StringComparison.Ordinal)) : bytes);

        await ExpectRefusal(package, null, ReleaseErrorKind.BadHash, "release.json");
    }

    [Fact]
    public async Task Verify_ListedFileRemovedFromTheZip_ThrowsMissingFile()
    {
        var package = _scratch.Rewrite(await _scratch.PackageAsync(), (name, bytes) => name == Module ? null : bytes);

        await ExpectRefusal(package, null, ReleaseErrorKind.MissingFile, Module);
    }

    [Fact]
    public async Task Verify_FileTheManifestNamesAbsentFromZipAndHashes_ThrowsMissingFile()
    {
        var package = _scratch.Rewrite(await _scratch.PackageAsync(), (name, bytes) => name switch
        {
            Module => null,
            "hashes.json" => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(JsonSerializer.Deserialize<Dictionary<string, string>>(bytes)!.Where(h => h.Key != Module).ToDictionary())),
            _ => bytes,
        });

        await ExpectRefusal(package, null, ReleaseErrorKind.MissingFile, Module);
    }

    [Fact]
    public async Task Verify_ExtraFileNotInHashes_ThrowsUnlistedFile()
    {
        var package = _scratch.Rewrite(await _scratch.PackageAsync(), (_, bytes) => bytes, ("lib/counter-1.0.0/Extra.dll", [1, 2, 3]));

        await ExpectRefusal(package, null, ReleaseErrorKind.UnlistedFile, "lib/counter-1.0.0/Extra.dll");
    }

    [Theory]
    [InlineData("../evil.dll")]
    [InlineData("lib/../../evil.dll")]
    [InlineData("/etc/evil.dll")]
    [InlineData("lib\\evil.dll")]
    [InlineData("C:/evil.dll")]
    public async Task Verify_EntryPathLeavingTheFolder_ThrowsMalformed(string entry)
    {
        var package = _scratch.Rewrite(await _scratch.PackageAsync(), (_, bytes) => bytes, (entry, [1, 2, 3]));

        await ExpectRefusal(package, null, ReleaseErrorKind.Malformed, entry);
    }

    [Fact]
    public async Task Verify_DuplicateEntry_ThrowsMalformed()
    {
        var package = _scratch.Rewrite(await _scratch.PackageAsync(), (_, bytes) => bytes, (Module, [1, 2, 3]));

        await ExpectRefusal(package, null, ReleaseErrorKind.Malformed, Module);
    }

    [Fact]
    public async Task Verify_NotAZip_ThrowsMalformed()
    {
        var path = Path.Combine(_scratch.Packages, "junk.zip");
        await File.WriteAllTextAsync(path, "not a zip at all");

        await ExpectRefusal(path, null, ReleaseErrorKind.Malformed, path);
    }

    [Fact]
    public async Task Verify_NoPackageFile_ThrowsMissingFile()
    {
        var path = Path.Combine(_scratch.Packages, "absent.zip");

        await ExpectRefusal(path, null, ReleaseErrorKind.MissingFile, path);
    }

    [Fact]
    public async Task Verify_EntryAboveTheSizeLimit_ThrowsTooLarge()
    {
        var package = await _scratch.PackageAsync();
        var limits = new ReleasePackageLimits { MaxEntryBytes = 1024 };

        var act = () => ReleasePackage.VerifyAsync(package, null, limits);

        (await act.Should().ThrowAsync<ReleaseException>()).Which.Kind.Should().Be(ReleaseErrorKind.TooLarge);
    }

    [Fact]
    public async Task Verify_PackageAboveTheTotalLimit_ThrowsTooLarge()
    {
        var package = await _scratch.PackageAsync();
        var size = new FileInfo(Path.Combine(_scratch.Source, Module)).Length;
        var limits = new ReleasePackageLimits { MaxTotalBytes = size + 10 };

        var act = () => ReleasePackage.VerifyAsync(package, null, limits);

        (await act.Should().ThrowAsync<ReleaseException>()).Which.Kind.Should().Be(ReleaseErrorKind.TooLarge);
    }

    [Fact]
    public async Task Verify_SignedByATrustedKey_ReturnsTheManifest()
    {
        using var key = ReleaseSigningKey.Create("release-team");
        var package = await _scratch.PackageAsync(key: key);

        var manifest = await ReleasePackage.VerifyAsync(package, ReleaseTrust.From(key));

        manifest.Version.Should().Be("1.0.0");
        using var zip = ZipFile.OpenRead(package);
        using var signature = JsonDocument.Parse(zip.GetEntry("signature.json")!.Open());
        signature.RootElement.GetProperty("keyId").GetString().Should().Be("release-team");
        signature.RootElement.GetProperty("algorithm").GetString().Should().Be("ECDSA-P256-SHA256");
    }

    [Fact]
    public async Task Verify_UnsignedWhenKeysAreConfigured_ThrowsUnsigned()
    {
        using var key = ReleaseSigningKey.Create();
        var package = await _scratch.PackageAsync();

        await ExpectRefusal(package, ReleaseTrust.From(key), ReleaseErrorKind.Unsigned, "signature.json");
    }

    [Fact]
    public async Task Verify_SignedByAnUntrustedKey_ThrowsUntrustedKey()
    {
        using var trusted = ReleaseSigningKey.Create("ops");
        using var stranger = ReleaseSigningKey.Create("mallory");
        var package = await _scratch.PackageAsync(key: stranger);

        await ExpectRefusal(package, ReleaseTrust.From(trusted), ReleaseErrorKind.UntrustedKey, "signature.json");
    }

    [Fact]
    public async Task Verify_StrangerSigningUnderATrustedKeyId_ThrowsBadSignature()
    {
        using var trusted = ReleaseSigningKey.Create("ops");
        using var stranger = ReleaseSigningKey.Create("ops");
        var package = await _scratch.PackageAsync(key: stranger);

        await ExpectRefusal(package, ReleaseTrust.From(trusted), ReleaseErrorKind.BadSignature, "signature.json");
    }

    [Fact]
    public async Task Verify_ValidSignatureOverHashesChangedToMatchATamperedModule_ThrowsBadSignature()
    {
        using var key = ReleaseSigningKey.Create("ops");
        var signed = await _scratch.PackageAsync(key: key);
        var tampered = _scratch.RewriteWithHashes(signed, Module, ReleaseScratch.Flip(File.ReadAllBytes(Path.Combine(_scratch.Source, Module))));

        // Without keys the tampered package is self-consistent; with them the signature gives it away.
        await ReleasePackage.VerifyAsync(tampered, trust: null);
        await ExpectRefusal(tampered, ReleaseTrust.From(key), ReleaseErrorKind.BadSignature, "signature.json");
    }

    [Fact]
    public async Task SigningKey_ExportedAsPemFiles_SignsAndVerifiesAfterImport()
    {
        using var original = ReleaseSigningKey.Create("ops");
        var keys = Path.Combine(_scratch.Root, "keys");
        Directory.CreateDirectory(keys);
        await original.SavePrivateKeyAsync(Path.Combine(_scratch.Root, "ops.key"));
        await original.SavePublicKeyAsync(Path.Combine(keys, "ops.pem"));
        File.ReadAllText(Path.Combine(_scratch.Root, "ops.key")).Should().StartWith("-----BEGIN PRIVATE KEY-----");

        using var imported = await ReleaseSigningKey.LoadAsync("ops", Path.Combine(_scratch.Root, "ops.key"));
        var package = await _scratch.PackageAsync(key: imported);

        (await ReleasePackage.VerifyAsync(package, ReleaseTrust.FromDirectory(keys))).Name.Should().Be("shop");
        (await ReleasePackage.VerifyAsync(package, ReleaseTrust.FromPem("ops", original.ExportPublicKeyPem()))).Name.Should().Be("shop");
        ReleaseTrust.FromDirectory(keys).KeyIds.Should().Equal("ops");
    }

    [Fact]
    public void Trust_PemWithoutAKey_ThrowsArgumentException()
    {
        var act = () => ReleaseTrust.FromPem("ops", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----");

        act.Should().Throw<ArgumentException>();
    }

    private static async Task ExpectRefusal(string package, ReleaseTrust? trust, ReleaseErrorKind kind, string path)
    {
        var act = () => ReleasePackage.VerifyAsync(package, trust);

        var error = (await act.Should().ThrowAsync<ReleaseException>()).Which;
        error.Kind.Should().Be(kind, error.Message);
        error.Path.Should().Be(path);
    }
}
