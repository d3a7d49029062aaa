using System.Net;
using System.Net.Sockets;
using Octochat;
using Otp.Net.Releases;

namespace Otp.Net.Tests.Examples;

/// <summary>
/// The seed article's octochat, upgraded from release 0.3.2 to 0.3.3 and back while real TCP clients (loopback) stay
/// connected: every client keeps its connection, sees the new behaviour on its next line, and loses no line.
/// </summary>
[Collection(OctochatCollection.Name)]
public sealed class OctochatTests : IDisposable
{
    private static readonly TimeSpan Wait = OctochatClient.Wait;
    private readonly string _work = Path.Combine(Path.GetTempPath(), $"octochat-test-{Guid.NewGuid():N}");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    internal static string BuildDirectory
    {
        get
        {
            var dir = Path.Combine(Repository.Root, "examples", "Octochat", "Octochat", "bin", Repository.Configuration, "net10.0");
            if (!File.Exists(Path.Combine(dir, "lib", "octochat-0.2.1", "Octochat.dll"))) throw new FileNotFoundException($"octochat not built: {dir}");
            return dir;
        }
    }

    internal static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string Reversed(int i) => new(($"hello {i:D2}").Reverse().ToArray());

    [Fact] // R3, R8.3: octochat 0.3.2 -> 0.3.3 -> 0.3.2 with 50 clients connected throughout
    public async Task Octochat_UpgradeAndDowngrade_ClientsStayConnected_SeeNewBehaviourOnNextLine()
    {
        var port = FreePort();
        await using var node = new Node(new NodeOptions { ReleasesDirectory = Path.Combine(_work, "releases") });
        var packages = await OctochatReleases.PackAsync(BuildDirectory, Path.Combine(_work, "packages"), port);
        await node.Releases.UnpackAsync(packages["0.3.2"]);
        await node.Releases.UnpackAsync(packages["0.3.3"]);
        await node.Releases.BootAsync("0.3.2");

        var clients = Enumerable.Range(0, 50).Select(_ => new OctochatClient(port)).ToArray();
        try
        {
            // 0.3.2: the trimmed line reversed, no new line.
            for (var i = 0; i < clients.Length; i++) (await clients[i].SayAsync($"  hello {i:D2} ", 8)).Should().Be(Reversed(i));

            var up = await node.Releases.InstallAsync("0.3.3");
            up.Journal.Should().Contain(j => j.Step is RebindStep && j.Detail == "50 processes changed");
            for (var i = 0; i < clients.Length; i++) (await clients[i].SayAsync($"hello {i:D2}", 9)).Should().Be(Reversed(i) + "\n"); // same connection, new code

            await node.Releases.InstallAsync("0.3.2");
            for (var i = 0; i < clients.Length; i++) (await clients[i].SayAsync($"hello {i:D2}", 8)).Should().Be(Reversed(i));
            (await node.Code.WaitForUnloadAsync("octochat_echo", Wait)).Should().BeTrue();
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
    }

    [Fact] // R2, R5/R6 done better: a faulty 0.3.4 whose CodeChange throws for one connection is refused at rehearsal and,
           // installed anyway, rolls back with every connection intact and still on 0.3.2
    public async Task Octochat_FaultyRelease_RefusedAtRehearsal_RolledBackWhenForced_ConnectionsIntact()
    {
        var port = FreePort();
        await using var node = new Node(new NodeOptions { ReleasesDirectory = Path.Combine(_work, "releases") });
        await node.Releases.UnpackAsync((await OctochatReleases.PackAsync(BuildDirectory, Path.Combine(_work, "packages"), port))["0.3.2"]);
        await node.Releases.BootAsync("0.3.2");
        var clients = Enumerable.Range(0, 50).Select(_ => new OctochatClient(port)).ToArray();
        try
        {
            for (var i = 0; i < clients.Length; i++) (await clients[i].SayAsync($"hello {i:D2}", 8)).Should().Be(Reversed(i));
            var faulty = Path.Combine(_work, "octochat-0.3.4.zip");
            await ReleasePackage.CreateAsync(OctochatReleases.Faulty(port, clients[17].LocalPort), BuildDirectory, faulty);
            await node.Releases.UnpackAsync(faulty);

            var rehearsal = await node.Releases.CheckInstallAsync("0.3.4");
            rehearsal.Processes.Should().HaveCount(50);
            rehearsal.Processes.Where(p => !p.Ok).Should().ContainSingle().Which.Error.Should().Contain($"port {clients[17].LocalPort}");

            var error = (await node.Releases.Invoking(r => r.InstallAsync("0.3.4")).Should().ThrowAsync<ReleaseInstallException>()).Which;
            error.FailedStep.Should().BeOfType<CodeChangeStep>();
            error.UndoFailures.Should().BeEmpty();
            for (var i = 0; i < clients.Length; i++) (await clients[i].SayAsync($"hello {i:D2}", 8)).Should().Be(Reversed(i)); // the same connections, 0.3.2
            node.Releases.CurrentVersion.Should().Be("0.3.2");
            (await node.Code.WaitForUnloadAsync("octochat_echo", Wait)).Should().BeTrue();
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
    }
}
