using Otp.Net.Processes;
using System.Net.Sockets;
using System.Text;
using Otp.Net.GenServers;
using Otp.Net.Releases;

namespace Otp.Net.Tests.Releases;

/// <summary>The node's control socket: every release command through <see cref="ReleaseControlClient"/>, and bad input.</summary>
public sealed class ReleaseControlTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly ShopReleases _releases = new();
    private readonly List<Node> _nodes = [];

    public void Dispose()
    {
        foreach (var node in _nodes) node.Dispose();
        _releases.Dispose();
    }

    private async Task<Node> Boot()
    {
        var node = await _releases.BootV1Async(options: new NodeOptions { ControlSocket = _releases.ControlSocket });
        _nodes.Add(node);
        return node;
    }

    private static Task<object?> Call(Node node, string name, object request) => GenServer.CallAsync(ServerRef.Named(node, name), request, Wait);

    private ReleaseControlClient Client => new(_releases.ControlSocket);

    [Fact] // R1, R3: which, rehearse, install, downgrade, permanent and remove, as the node's own handler does them
    public async Task EveryCommand_ThroughTheSocket_DoesWhatTheHandlerDoes()
    {
        var node = await Boot();
        var which = await Client.RunAsync(new ControlRequest(ControlCommand.Which));
        which.Kind.Should().Be(ControlReplyKind.Result);
        which.Releases!.Select(r => (r.Version, r.Status)).Should().BeEquivalentTo(new[] { ("1.0", ReleaseStatus.Permanent), ("2.0", ReleaseStatus.Unpacked) });
        which.Text.Should().Contain("2.0").And.Contain("unpacked");

        var rehearsal = await Client.RunAsync(new ControlRequest(ControlCommand.Rehearse) { Version = "2.0" });
        rehearsal.Kind.Should().Be(ControlReplyKind.Result, rehearsal.Text);
        rehearsal.Text.Should().Contain("rehearsal of 2.0").And.Contain("supervisor shop_sup");
        (await Call(node, "cart", "version")).Should().Be("1"); // a rehearsal changes nothing

        var journal = new List<ControlReply>();
        var installed = await Client.RunAsync(new ControlRequest(ControlCommand.Install) { Version = "2.0" }, journal.Add);
        installed.Kind.Should().Be(ControlReplyKind.Result, installed.Text);
        journal.Should().NotBeEmpty().And.OnlyContain(j => j.Kind == ControlReplyKind.Journal && j.Outcome == StepOutcome.Done);
        journal.Select(j => j.Text).Should().Contain(t => t.Contains("point_of_no_return", StringComparison.Ordinal));
        (await Call(node, "cart", "version")).Should().Be("2");
        installed.Releases!.Single(r => r.Version == "2.0").Status.Should().Be(ReleaseStatus.Current); // R1

        var down = await Client.RunAsync(new ControlRequest(ControlCommand.Downgrade) { Version = "1.0" });
        down.Kind.Should().Be(ControlReplyKind.Result, down.Text);
        (await Call(node, "cart", "version")).Should().Be("1");

        (await Client.RunAsync(new ControlRequest(ControlCommand.Install) { Version = "2.0" })).Kind.Should().Be(ControlReplyKind.Result);
        var permanent = await Client.RunAsync(new ControlRequest(ControlCommand.Permanent) { Version = "2.0" });
        permanent.Releases!.Select(r => (r.Version, r.Status)).Should().BeEquivalentTo(new[] { ("1.0", ReleaseStatus.Old), ("2.0", ReleaseStatus.Permanent) });
        (await Client.RunAsync(new ControlRequest(ControlCommand.Remove) { Version = "1.0" })).Kind.Should().Be(ControlReplyKind.Result);
        node.Releases.WhichReleases().Select(r => r.Version).Should().Equal("2.0");
    }

    [Fact]
    public async Task WrongDirection_UnknownRelease_MissingVersion_AreTypedErrors_NothingChanges()
    {
        var node = await Boot();
        var wrong = await Client.RunAsync(new ControlRequest(ControlCommand.Downgrade) { Version = "2.0" });
        wrong.Kind.Should().Be(ControlReplyKind.Error);
        wrong.Error.Should().Be(ReleaseErrorKind.WrongDirection);
        (await Client.RunAsync(new ControlRequest(ControlCommand.Install) { Version = "9.9" })).Error.Should().Be(ReleaseErrorKind.NoSuchRelease);
        (await Client.RunAsync(new ControlRequest(ControlCommand.Install))).Error.Should().Be(ReleaseErrorKind.BadRequest);
        (await Client.RunAsync(new ControlRequest(ControlCommand.Unpack) { Package = "relative/x.zip" })).Error.Should().Be(ReleaseErrorKind.BadRequest);
        (await Client.RunAsync(new ControlRequest(ControlCommand.Install) { Version = "2.0", Options = new InstallOptions { BatchSize = 0 } })).Error.Should().Be(ReleaseErrorKind.BadRequest);
        (await Call(node, "cart", "version")).Should().Be("1");
        node.Releases.CurrentVersion.Should().Be("1.0");
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"command\":\"reboot\"}")]
    [InlineData("{\"command\":42}")]
    [InlineData("null")]
    public async Task MalformedRequest_GetsABadRequestLine_TheNodeServesTheNextClient(string line)
    {
        var node = await Boot();
        var reply = await RawAsync(line + "\n");
        reply.Should().Contain("\"error\":\"badRequest\"");
        (await Client.RunAsync(new ControlRequest(ControlCommand.Which))).Kind.Should().Be(ControlReplyKind.Result);
        node.Releases.CurrentVersion.Should().Be("1.0");
    }

    [Fact]
    public async Task OversizedRequest_IsRefused_WithoutReadingItAll()
    {
        await Boot();
        var reply = await RawAsync(new string('x', ReleaseControlServer.MaxRequestBytes + 10) + "\n");
        reply.Should().Contain("badRequest").And.Contain("longer than");
    }

    [Fact]
    public async Task AClientThatSendsNothing_IsAnsweredBadRequest_AfterTheRequestTimeout()
    {
        using var node = new Node();
        var path = _releases.ControlSocket;
        using var server = ReleaseControlServer.Open(node, path, TimeSpan.FromMilliseconds(200));
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        await using var stream = new NetworkStream(socket);
        using var reader = new StreamReader(stream);
        var reply = await reader.ReadLineAsync().WaitAsync(Wait);
        reply.Should().Contain("badRequest").And.Contain("no request line");
    }

    [Fact]
    public async Task Socket_IsTheOwnersOnly_RemovedAtTheEnd_AndASecondNodeCannotTakeIt()
    {
        var node = await Boot();
        var path = _releases.ControlSocket;
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.GetUnixFileMode(Path.GetDirectoryName(path)!).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var second = () => new Node(new NodeOptions { ControlSocket = path });
        second.Should().Throw<ReleaseException>().Which.Kind.Should().Be(ReleaseErrorKind.ControlSocketUnavailable);
        (await Client.RunAsync(new ControlRequest(ControlCommand.Which))).Kind.Should().Be(ControlReplyKind.Result); // the first keeps it

        node.Dispose();
        File.Exists(path).Should().BeFalse();
        var act = () => Client.RunAsync(new ControlRequest(ControlCommand.Which));
        (await act.Should().ThrowAsync<ReleaseException>()).Which.Kind.Should().Be(ReleaseErrorKind.ControlSocketUnavailable);
    }

    [Fact]
    public void ASymbolicLinkAtThePath_EvenBroken_IsRefused_AndLeftAsItIs()
    {
        var path = _releases.ControlSocket;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.CreateSymbolicLink(path, Path.Combine(Path.GetDirectoryName(path)!, "nowhere"));
        var act = () => new Node(new NodeOptions { ControlSocket = path });
        act.Should().Throw<ReleaseException>().Which.Kind.Should().Be(ReleaseErrorKind.ControlSocketUnavailable);
        new FileInfo(path).LinkTarget.Should().NotBeNull();
    }

    private sealed class SlowToStop(Task release) : Otp.Net.Applications.Application
    {
        public override Task<Otp.Net.Applications.ApplicationStart> StartAsync(Otp.Net.Applications.StartType startType, object? args, CancellationToken cancellationToken)
        {
            var pid = ProcessContext.Current!.Node.Spawn(async ctx => await ctx.ReceiveAsync());
            return Task.FromResult(Otp.Net.Applications.ApplicationStart.Ok(pid));
        }

        public override async Task<object?> PrepStopAsync(object? state, CancellationToken cancellationToken)
        {
            await release;
            return state;
        }
    }

    [Fact]
    public async Task GracefulStop_ClosesTheSocketFirst_NoInstallStartsWhileApplicationsStop()
    {
        var release = new TaskCompletionSource();
        var node = new Node(new NodeOptions { ControlSocket = _releases.ControlSocket });
        _nodes.Add(node);
        node.Applications.Load(new Otp.Net.Applications.ApplicationSpec("slow") { Mod = () => new SlowToStop(release.Task) }).IsOk.Should().BeTrue();
        (await node.Applications.StartAsync("slow")).IsOk.Should().BeTrue();

        var stopping = node.DisposeAsync().AsTask();
        File.Exists(_releases.ControlSocket).Should().BeFalse(); // closed before the applications are told to stop
        var act = () => Client.RunAsync(new ControlRequest(ControlCommand.Which));
        (await act.Should().ThrowAsync<ReleaseException>()).Which.Kind.Should().Be(ReleaseErrorKind.ControlSocketUnavailable);
        release.SetResult();
        await stopping.WaitAsync(Wait);
    }

    [Fact]
    public async Task StaleSocketFile_FromANodeThatDied_IsReplaced()
    {
        var path = _releases.ControlSocket;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var elsewhere = path + ".dead";
        using (var dead = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            dead.Bind(new UnixDomainSocketEndPoint(elsewhere));
            File.Move(elsewhere, path); // a socket file nobody listens on, as a killed node leaves it
        }
        File.Exists(path).Should().BeTrue();
        await Boot();
        (await Client.RunAsync(new ControlRequest(ControlCommand.Which))).Kind.Should().Be(ControlReplyKind.Result);
    }

    [Fact]
    public void AnOrdinaryFileAtThePath_IsRefused_AndLeftAsItIs()
    {
        var path = _releases.ControlSocket;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "precious");
        var act = () => new Node(new NodeOptions { ControlSocket = path });
        act.Should().Throw<ReleaseException>().Which.Kind.Should().Be(ReleaseErrorKind.ControlSocketUnavailable);
        File.ReadAllText(path).Should().Be("precious");
    }

    [Fact]
    public async Task ANodeWithoutReleasesDirectory_AnswersNotConfigured()
    {
        using var node = new Node(new NodeOptions { ControlSocket = _releases.ControlSocket });
        var reply = await Client.RunAsync(new ControlRequest(ControlCommand.Which));
        reply.Error.Should().Be(ReleaseErrorKind.NotConfigured);
    }

    private async Task<string> RawAsync(string request)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(_releases.ControlSocket));
        await using var stream = new NetworkStream(socket);
        try
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(request));
        }
        catch (IOException)
        {
            // the node answered and closed before reading it all
        }
        using var reader = new StreamReader(stream);
        return await reader.ReadLineAsync().WaitAsync(Wait) ?? "";
    }
}
