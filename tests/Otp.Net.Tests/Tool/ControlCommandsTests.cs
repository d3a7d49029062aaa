using System.CommandLine;
using Otp.Net.GenServers;
using Otp.Net.Releases;
using Otp.Net.Tests.Releases;
using Otp.Net.Tool.Commands;

namespace Otp.Net.Tests.Tool;

/// <summary><c>otpnet release which|unpack|rehearse|install|downgrade|permanent|remove</c> against a live node.</summary>
public sealed class ControlCommandsTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly ShopReleases _releases = new();
    private readonly List<Node> _nodes = [];

    public void Dispose()
    {
        foreach (var node in _nodes) node.Dispose();
        _releases.Dispose();
    }

    private async Task<Node> BootV1Only()
    {
        var node = new Node(new NodeOptions { ReleasesDirectory = _releases.ReleasesDirectory, ControlSocket = _releases.ControlSocket });
        _nodes.Add(node);
        await node.Releases.UnpackAsync(await _releases.PackAsync(ShopReleases.V1()));
        await node.Releases.BootAsync("1.0");
        return node;
    }

    private static Task<object?> Call(Node node, string name, object request) => GenServer.CallAsync(ServerRef.Named(node, name), request, Wait);

    private async Task<(int Code, string Out, string Error)> Otpnet(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await Cli.Root().Parse([.. args, "--socket", _releases.ControlSocket]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    [Fact] // R1, R3
    public async Task InstallAPackageFile_Rehearses_Unpacks_Installs_PrintsTheJournal_ThenDowngradePermanentRemove()
    {
        var node = await BootV1Only();
        var v2 = await _releases.PackAsync(ShopReleases.V2());

        var install = await Otpnet("release", "install", v2);
        install.Code.Should().Be(0, install.Error);
        install.Out.Should().Contain("unpacked shop 2.0").And.Contain("rehearsal of 2.0").And.Contain("point_of_no_return").And.Contain("installed 2.0 (upgrade from 1.0)");
        (await Call(node, "cart", "version")).Should().Be("2");

        var which = await Otpnet("release", "which");
        which.Code.Should().Be(0);
        which.Out.Should().MatchRegex(@"shop\s+1\.0\s+permanent").And.MatchRegex(@"shop\s+2\.0\s+current");

        var again = await Otpnet("release", "install", v2); // the node has 2.0: not unpacked again; it runs it already
        again.Code.Should().Be(1);
        again.Error.Should().Contain("already-installed");

        var down = await Otpnet("release", "downgrade", "1.0");
        down.Code.Should().Be(0, down.Error);
        down.Out.Should().Contain("installed 1.0 (downgrade from 2.0)");
        (await Call(node, "cart", "version")).Should().Be("1");

        (await Otpnet("release", "install", "2.0")).Code.Should().Be(0);
        (await Otpnet("release", "permanent", "2.0")).Code.Should().Be(0);
        (await Otpnet("release", "remove", "1.0")).Code.Should().Be(0);
        node.Releases.WhichReleases().Select(r => (r.Version, r.Status)).Should().Equal(("2.0", ReleaseStatus.Permanent));
    }

    [Fact]
    public async Task Downgrade_ThatWouldUpgrade_IsRefused_NothingChanges()
    {
        var node = await BootV1Only();
        await node.Releases.UnpackAsync(await _releases.PackAsync(ShopReleases.V2()));
        var down = await Otpnet("release", "downgrade", "2.0", "--force");
        down.Code.Should().Be(1);
        down.Error.Should().Contain("wrong-direction");
        node.Releases.CurrentVersion.Should().Be("1.0");
    }

    [Fact]
    public async Task NoNode_NoSocket_BadPackage_AreClearErrors()
    {
        var none = await Otpnet("release", "which");
        none.Code.Should().Be(2);
        none.Error.Should().Contain("no node answers");

        await BootV1Only();
        var bogus = Path.Combine(Path.GetTempPath(), $"otp-bogus-{Guid.NewGuid():N}.zip");
        await File.WriteAllTextAsync(bogus, "not a zip");
        try
        {
            var bad = await Otpnet("release", "install", bogus);
            bad.Code.Should().Be(1); // unreadable input, not a missing node
            bad.Error.Should().StartWith("error:");
        }
        finally
        {
            File.Delete(bogus);
        }

        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await Cli.Root().Parse(["release", "which"]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        if (Environment.GetEnvironmentVariable(ControlCommands.SocketVariable) is null)
        {
            code.Should().Be(2);
            error.ToString().Should().Contain(ControlCommands.SocketVariable);
        }
    }
}
