using System.Text;
using System.Text.Json;
using Otp.Net.Releases;

namespace Otp.Net.Tests.Releases;

public sealed class ReleaseStoreTests : IDisposable
{
    private const string Module = "lib/counter-1.0.0/Counter.dll";
    private readonly ReleaseScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void Open_MissingDirectory_CreatesItWithAnEmptyReleasesFile()
    {
        var store = ReleaseStore.Open(_scratch.ReleasesDir);

        store.Releases.Should().BeEmpty();
        File.Exists(Path.Combine(_scratch.ReleasesDir, "RELEASES.json")).Should().BeTrue();
        ReleaseStore.Open(_scratch.ReleasesDir).Releases.Should().BeEmpty();
    }

    [Fact]
    public async Task Unpack_SignedPackage_WritesTheReleaseFolderAndListsItUnpacked()
    {
        using var key = ReleaseSigningKey.Create("ops");
        var package = await _scratch.PackageAsync(key: key);
        var store = ReleaseStore.Open(_scratch.ReleasesDir);

        var manifest = await store.UnpackAsync(package, ReleaseTrust.From(key));

        manifest.Version.Should().Be("1.0.0");
        store.Releases.Should().Equal(new ReleaseInfo("shop", "1.0.0", ReleaseStatus.Unpacked)); // R1
        var reread = store.Manifest("1.0.0");
        reread.Should().BeEquivalentTo(ReleaseScratch.Manifest(), o => o.RespectingRuntimeTypes());
        reread.Applications[0].Env["port"].Should().BeOfType<long>();
        reread.Applications[0].Env["ratio"].Should().BeOfType<double>();
        File.ReadAllBytes(store.PathOf("1.0.0", Module)).Should().Equal(File.ReadAllBytes(Path.Combine(_scratch.Source, Module)));
        File.Exists(store.PathOf("1.0.0", "lib/counter-1.0.0/Counter.Helpers.dll")).Should().BeTrue();
        ReleaseStore.Open(_scratch.ReleasesDir).Releases.Should().Equal(store.Releases);
        using var file = JsonDocument.Parse(File.ReadAllBytes(store.ReleasesFilePath));
        file.RootElement.GetProperty("releases")[0].GetProperty("status").GetString().Should().Be("unpacked");
        NoTemporaryEntries();
    }

    [Fact]
    public async Task Unpack_SameVersionTwice_ThrowsAlreadyExistsAndChangesNothing()
    {
        var store = ReleaseStore.Open(_scratch.ReleasesDir);
        var package = await _scratch.PackageAsync();
        await store.UnpackAsync(package, null);

        await ExpectUnchanged(store, () => store.UnpackAsync(package, null), ReleaseErrorKind.AlreadyExists);
    }

    [Fact]
    public async Task Unpack_FolderOfThatVersionAlreadyOnDisk_ThrowsAlreadyExists()
    {
        var store = ReleaseStore.Open(_scratch.ReleasesDir);
        Directory.CreateDirectory(Path.Combine(_scratch.ReleasesDir, "1.0.0"));
        var package = await _scratch.PackageAsync();

        await ExpectUnchanged(store, () => store.UnpackAsync(package, null), ReleaseErrorKind.AlreadyExists);
    }

    [Fact]
    public async Task Unpack_ContractWithAnotherVersion_ThrowsRestartRequiredAndChangesNothing()
    {
        var store = await StoreWithOneReleaseAsync();
        var manifest = ReleaseScratch.Manifest("2.0.0") with
        {
            Host = HostRequirements.Current() with { Contracts = [new ContractAssembly("Microsoft.Extensions.Logging.Abstractions", "99.0.0.0", "adb9793829ddae60")] },
        };
        var package = await _scratch.PackageAsync(manifest);

        await ExpectUnchanged(store, () => store.UnpackAsync(package, null), ReleaseErrorKind.RestartRequired);
    }

    [Fact]
    public async Task Unpack_OtpNetMajorVersionDiffers_ThrowsRestartRequiredAndChangesNothing()
    {
        var store = await StoreWithOneReleaseAsync();
        var manifest = ReleaseScratch.Manifest("2.0.0") with { Host = HostRequirements.Current() with { OtpNetVersion = "99.0.0.0" } };
        var package = await _scratch.PackageAsync(manifest);

        await ExpectUnchanged(store, () => store.UnpackAsync(package, null), ReleaseErrorKind.RestartRequired);
    }

    public static TheoryData<string> BadPackages => ["module byte", "release.json", "removed file", "unlisted file", "parent entry", "unsigned", "untrusted", "tampered hashes", "too large"];

    [Theory]
    [MemberData(nameof(BadPackages))]
    public async Task Unpack_BadPackage_LeavesTheReleasesDirectoryAsItWas(string defect)
    {
        using var key = ReleaseSigningKey.Create("ops");
        using var stranger = ReleaseSigningKey.Create("mallory");
        var store = await StoreWithOneReleaseAsync();
        var good = await _scratch.PackageAsync(ReleaseScratch.Manifest("2.0.0"), key);
        var trust = ReleaseTrust.From(key);
        var (package, kind) = defect switch
        {
            "module byte" => (_scratch.Rewrite(good, (n, b) => n == Module ? ReleaseScratch.Flip(b) : b), ReleaseErrorKind.BadHash),
            "release.json" => (_scratch.Rewrite(good, (n, b) => n == "release.json" ? Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(b).Replace("main", "evil", StringComparison.Ordinal)) : b), ReleaseErrorKind.BadHash),
            "removed file" => (_scratch.Rewrite(good, (n, b) => n == Module ? null : b), ReleaseErrorKind.MissingFile),
            "unlisted file" => (_scratch.Rewrite(good, (_, b) => b, ("lib/x.dll", [1])), ReleaseErrorKind.UnlistedFile),
            "parent entry" => (_scratch.Rewrite(good, (_, b) => b, ("../x.dll", [1])), ReleaseErrorKind.Malformed),
            "unsigned" => (await _scratch.PackageAsync(ReleaseScratch.Manifest("2.0.0"), name: "unsigned.zip"), ReleaseErrorKind.Unsigned),
            "untrusted" => (await _scratch.PackageAsync(ReleaseScratch.Manifest("2.0.0"), stranger, "stranger.zip"), ReleaseErrorKind.UntrustedKey),
            "tampered hashes" => (_scratch.RewriteWithHashes(good, Module, [1, 2, 3]), ReleaseErrorKind.BadSignature),
            _ => (good, ReleaseErrorKind.TooLarge),
        };
        if (kind == ReleaseErrorKind.TooLarge) store = ReleaseStore.Open(_scratch.ReleasesDir, new ReleasePackageLimits { MaxEntryBytes = 512 });

        await ExpectUnchanged(store, () => store.UnpackAsync(package, trust), kind);
    }

    [Fact]
    public async Task Unpack_Cancelled_LeavesTheReleasesDirectoryAsItWas()
    {
        var store = await StoreWithOneReleaseAsync();
        var package = await _scratch.PackageAsync(ReleaseScratch.Manifest("2.0.0"));
        var before = _scratch.Snapshot();

        var act = () => store.UnpackAsync(package, null, new CancellationToken(canceled: true));

        await act.Should().ThrowAsync<OperationCanceledException>();
        _scratch.Snapshot().Should().Be(before);
    }

    [Fact]
    public async Task MarkPermanent_SecondRelease_MakesThePreviousPermanentOld()
    {
        var store = await StoreWithOneReleaseAsync();
        await store.MarkPermanentAsync("1.0.0");
        await store.UnpackAsync(await _scratch.PackageAsync(ReleaseScratch.Manifest("2.0.0")), null);

        await store.MarkPermanentAsync("2.0.0");

        // R1: the previous permanent release becomes old.
        var expected = new[] { new ReleaseInfo("shop", "1.0.0", ReleaseStatus.Old), new ReleaseInfo("shop", "2.0.0", ReleaseStatus.Permanent) };
        store.Releases.Should().Equal(expected);
        store.Permanent!.Version.Should().Be("2.0.0");
        ReleaseStore.Open(_scratch.ReleasesDir).Releases.Should().Equal(expected);
        NoTemporaryEntries();
    }

    [Fact]
    public async Task SetStatus_Current_IsRefusedBecauseItIsNeverPersisted()
    {
        var store = await StoreWithOneReleaseAsync();
        var before = _scratch.Snapshot();

        // R1: current lives in memory only, so a restart boots the permanent release.
        var act = () => store.SetStatusAsync("1.0.0", ReleaseStatus.Current);

        await act.Should().ThrowAsync<ArgumentException>();
        _scratch.Snapshot().Should().Be(before);
    }

    [Fact]
    public async Task SetStatus_PermanentReleaseToOld_ThrowsPermanentRelease()
    {
        var store = await StoreWithOneReleaseAsync();
        await store.MarkPermanentAsync("1.0.0");

        await ExpectUnchanged(store, () => store.SetStatusAsync("1.0.0", ReleaseStatus.Old), ReleaseErrorKind.PermanentRelease);
    }

    [Fact]
    public async Task SetStatus_UnknownVersion_ThrowsNoSuchRelease()
    {
        var store = await StoreWithOneReleaseAsync();

        await ExpectUnchanged(store, () => store.SetStatusAsync("9.9.9", ReleaseStatus.Old), ReleaseErrorKind.NoSuchRelease);
        await ExpectUnchanged(store, () => store.MarkPermanentAsync("9.9.9"), ReleaseErrorKind.NoSuchRelease);
        await ExpectUnchanged(store, () => store.RemoveAsync("9.9.9"), ReleaseErrorKind.NoSuchRelease);
        store.Invoking(s => s.Manifest("9.9.9")).Should().Throw<ReleaseException>().Which.Kind.Should().Be(ReleaseErrorKind.NoSuchRelease);
    }

    [Fact]
    public async Task Remove_PermanentRelease_IsRefused()
    {
        var store = await StoreWithOneReleaseAsync();
        await store.MarkPermanentAsync("1.0.0");

        await ExpectUnchanged(store, () => store.RemoveAsync("1.0.0"), ReleaseErrorKind.PermanentRelease);
    }

    [Fact]
    public async Task Remove_OldRelease_UnlistsItAndDeletesItsFolder()
    {
        var store = await StoreWithOneReleaseAsync();
        await store.UnpackAsync(await _scratch.PackageAsync(ReleaseScratch.Manifest("2.0.0")), null);
        await store.MarkPermanentAsync("2.0.0");

        await store.RemoveAsync("1.0.0");

        store.Releases.Should().Equal(new ReleaseInfo("shop", "2.0.0", ReleaseStatus.Permanent));
        Directory.Exists(Path.Combine(_scratch.ReleasesDir, "1.0.0")).Should().BeFalse();
        Directory.Exists(Path.Combine(_scratch.ReleasesDir, "2.0.0")).Should().BeTrue();
        NoTemporaryEntries();
    }

    [Fact]
    public async Task WriteReleasesFile_MoveFails_LeavesNoTemporaryFileAndKeepsTheStatuses()
    {
        var store = await StoreWithOneReleaseAsync();
        // The rename over RELEASES.json fails when a folder stands in its place.
        File.Delete(store.ReleasesFilePath);
        Directory.CreateDirectory(store.ReleasesFilePath);

        var act = () => store.MarkPermanentAsync("1.0.0");

        await act.Should().ThrowAsync<IOException>();
        store.Releases.Should().Equal(new ReleaseInfo("shop", "1.0.0", ReleaseStatus.Unpacked));
        NoTemporaryEntries();
    }

    [Fact]
    public async Task Unpack_ReleasesFileCannotBeReplaced_RemovesTheExtractedRelease()
    {
        var store = await StoreWithOneReleaseAsync();
        var package = await _scratch.PackageAsync(ReleaseScratch.Manifest("2.0.0"));
        File.Delete(store.ReleasesFilePath);
        Directory.CreateDirectory(store.ReleasesFilePath);
        var before = _scratch.Snapshot();

        var act = () => store.UnpackAsync(package, null);

        await act.Should().ThrowAsync<IOException>();
        _scratch.Snapshot().Should().Be(before);
        store.Releases.Should().Equal(new ReleaseInfo("shop", "1.0.0", ReleaseStatus.Unpacked));
    }

    [Fact]
    public async Task Open_LeftoversOfAnInterruptedOperation_AreRemoved()
    {
        var store = await StoreWithOneReleaseAsync();
        Directory.CreateDirectory(Path.Combine(_scratch.ReleasesDir, ".tmp-unpack-0123", "lib"));
        await File.WriteAllTextAsync(Path.Combine(_scratch.ReleasesDir, ".tmp-RELEASES-0123.json"), "{");

        ReleaseStore.Open(_scratch.ReleasesDir).Releases.Should().Equal(store.Releases);

        NoTemporaryEntries();
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("[]")]
    [InlineData("{\"releases\": null}")]
    [InlineData("{\"releases\": [{\"name\": \"shop\", \"version\": \"1.0.0\", \"status\": \"current\"}]}")]
    [InlineData("{\"releases\": [{\"name\": \"shop\", \"version\": \"1.0.0\", \"status\": \"bogus\"}]}")]
    [InlineData("{\"releases\": [{\"name\": \"shop\", \"version\": \"1.0.0\"}]}")]
    [InlineData("{\"releases\": [{\"name\": \"shop\", \"version\": \"../x\", \"status\": \"old\"}]}")]
    [InlineData("{\"releases\": [{\"name\": \"shop\", \"version\": \"1\", \"status\": \"old\"}, {\"name\": \"shop\", \"version\": \"1\", \"status\": \"old\"}]}")]
    [InlineData("{\"releases\": [{\"name\": \"shop\", \"version\": \"1\", \"status\": \"permanent\"}, {\"name\": \"shop\", \"version\": \"2\", \"status\": \"permanent\"}]}")]
    public void Open_CorruptReleasesFile_ThrowsCorruptReleasesFile(string content)
    {
        Directory.CreateDirectory(_scratch.ReleasesDir);
        File.WriteAllText(Path.Combine(_scratch.ReleasesDir, "RELEASES.json"), content);

        var act = () => ReleaseStore.Open(_scratch.ReleasesDir);

        act.Should().Throw<ReleaseException>().Which.Kind.Should().Be(ReleaseErrorKind.CorruptReleasesFile);
        File.ReadAllText(Path.Combine(_scratch.ReleasesDir, "RELEASES.json")).Should().Be(content);
    }

    [Fact]
    public async Task PathOf_PathLeavingTheReleaseFolder_ThrowsMalformed()
    {
        var store = await StoreWithOneReleaseAsync();

        store.Invoking(s => s.PathOf("1.0.0", "../2.0.0/release.json")).Should().Throw<ReleaseException>().Which.Kind.Should().Be(ReleaseErrorKind.Malformed);
    }

    [Fact]
    public async Task Manifest_ReleaseJsonEditedOnDisk_ThrowsMalformed()
    {
        var store = await StoreWithOneReleaseAsync();
        await File.WriteAllTextAsync(store.PathOf("1.0.0", "release.json"), "{\"name\": \"shop\"}");

        store.Invoking(s => s.Manifest("1.0.0")).Should().Throw<ReleaseException>().Which.Kind.Should().Be(ReleaseErrorKind.Malformed);
    }

    private async Task<ReleaseStore> StoreWithOneReleaseAsync()
    {
        var store = ReleaseStore.Open(_scratch.ReleasesDir);
        await store.UnpackAsync(await _scratch.PackageAsync(name: "base-1.0.0.zip"), null);
        return store;
    }

    /// <summary>Runs a refused operation and checks that the directory, the releases file and the in-memory list are as before.</summary>
    private async Task ExpectUnchanged(ReleaseStore store, Func<Task> operation, ReleaseErrorKind kind)
    {
        var before = _scratch.Snapshot();
        var releases = store.Releases.ToList();

        var error = (await operation.Should().ThrowAsync<ReleaseException>()).Which;

        error.Kind.Should().Be(kind, error.Message);
        _scratch.Snapshot().Should().Be(before);
        store.Releases.Should().Equal(releases);
        ReleaseStore.Open(_scratch.ReleasesDir).Releases.Should().Equal(releases);
    }

    private void NoTemporaryEntries() =>
        Directory.EnumerateFileSystemEntries(_scratch.ReleasesDir, "*", SearchOption.AllDirectories)
            .Where(p => Path.GetFileName(p).StartsWith(".tmp-", StringComparison.Ordinal) || p.EndsWith(".tmp", StringComparison.Ordinal))
            .Should().BeEmpty();
}
