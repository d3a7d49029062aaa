using System.Net;
using System.Net.Sockets;
using System.Text;
using Octochat;
using Otp.Net.Releases;

namespace Otp.Net.Tests.Examples;

/// <summary>
/// The seed article's octochat, upgraded from release 0.3.2 to 0.3.3 and back while real TCP clients (loopback) stay
/// connected: every client keeps its connection, sees the new behaviour on its next line, and loses no line.
/// </summary>
public sealed class OctochatTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
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

    private static string BuildDirectory
    {
        get
        {
            var dir = Path.Combine(Repository.Root, "examples", "Octochat", "Octochat", "bin", Repository.Configuration, "net10.0");
            if (!File.Exists(Path.Combine(dir, "lib", "octochat-0.3.3", "Octochat.dll"))) throw new FileNotFoundException($"octochat not built: {dir}");
            return dir;
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>A connected client that reads exactly what the server sends.</summary>
    private sealed class Client : IDisposable
    {
        private readonly Socket _socket;
        private readonly byte[] _buffer = new byte[256];

        public Client(int port)
        {
            _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            _socket.Connect(IPAddress.Loopback, port);
        }

        /// <summary>Sends a line and reads the answer: exactly <paramref name="expectedLength"/> bytes.</summary>
        public async Task<string> SayAsync(string line, int expectedLength)
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(line + "\n"));
            var read = 0;
            using var timeout = new CancellationTokenSource(Wait);
            while (read < expectedLength)
            {
                var n = await _socket.ReceiveAsync(_buffer.AsMemory(read, expectedLength - read), SocketFlags.None, timeout.Token);
                if (n == 0) throw new IOException("the server closed the connection");
                read += n;
            }
            return Encoding.UTF8.GetString(_buffer, 0, read);
        }

        public int LocalPort => ((IPEndPoint)_socket.LocalEndPoint!).Port;

        public void Dispose() => _socket.Dispose();
    }

    private static string Reversed(int i) => new(($"hello {i:D2}").Reverse().ToArray());

    [Fact] // R3, R8.3: octochat 0.3.2 -> 0.3.3 -> 0.3.2 with 50 clients connected throughout
    public async Task Octochat_UpgradeAndDowngrade_ClientsStayConnected_SeeNewBehaviourOnNextLine()
    {
        var port = FreePort();
        await using var node = new Node(new NodeOptions { ReleasesDirectory = Path.Combine(_work, "releases") });
        foreach (var package in await OctochatReleases.PackAsync(BuildDirectory, Path.Combine(_work, "packages"), port)) await node.Releases.UnpackAsync(package);
        await node.Releases.BootAsync("0.3.2");

        var clients = Enumerable.Range(0, 50).Select(_ => new Client(port)).ToArray();
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
        await node.Releases.UnpackAsync((await OctochatReleases.PackAsync(BuildDirectory, Path.Combine(_work, "packages"), port))[0]);
        await node.Releases.BootAsync("0.3.2");
        var clients = Enumerable.Range(0, 50).Select(_ => new Client(port)).ToArray();
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
