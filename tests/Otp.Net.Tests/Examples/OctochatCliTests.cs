using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Otp.Net.Tests.Examples;

/// <summary>
/// The octochat walk-through of the README, end to end with real processes: releases built by <c>otpnet release
/// build</c>, the example started as its own process from its 0.3.2 release, 50 TCP clients (loopback) chatting while
/// <c>otpnet release install</c> upgrades it to 0.3.3 and <c>otpnet release downgrade</c> brings 0.3.2 back, then a
/// faulty 0.3.4 refused at rehearsal and, forced, rolled back.
/// </summary>
public sealed class OctochatCliTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly string _work = Path.Combine(Path.GetTempPath(), $"octochat-cli-{Guid.NewGuid():N}");
    private Process? _node;
    private readonly StringBuilder _nodeOutput = new();

    private string Socket => Path.Combine(_work, "run", "octochat.sock");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_work);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_node is { HasExited: false })
        {
            _node.Kill(entireProcessTree: true);
            await _node.WaitForExitAsync();
        }
        _node?.Dispose();
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    private static string Built(params string[] parts)
    {
        var path = Path.Combine([Repository.Root, .. parts]);
        if (!File.Exists(path)) throw new FileNotFoundException($"not built: {path}");
        return path;
    }

    private static string Otpnet => Built("src", "OtpDotNet.Tool", "bin", Repository.Configuration, "net10.0", "otpnet.dll");

    private static string OctochatHost => Built("examples", "Octochat", "Octochat", "bin", Repository.Configuration, "net10.0", "Octochat.dll");

    private static string Modules(string version) =>
        Built("examples", "Octochat", $"Octochat.V{version.Replace(".", "", StringComparison.Ordinal)}", "bin", Repository.Configuration, "net10.0", "Octochat.dll");

    private static ProcessStartInfo Start(string dll, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(Dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        return start;
    }

    /// <summary>Runs <c>otpnet</c> as its own process; its exit code and output.</summary>
    private async Task<(int Code, string Out, string Error)> OtpnetAsync(params string[] args)
    {
        using var process = Process.Start(Start(Otpnet, args))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Wait);
        return (process.ExitCode, await output, await error);
    }

    /// <summary>The release spec of <paramref name="version"/>, as in examples/Octochat/releases, over the built assembly and <paramref name="port"/>.</summary>
    private string Spec(string version, int port)
    {
        var spec = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Root, "examples", "Octochat", "releases", $"octochat-{version}.json")))!;
        var app = spec["applications"]![0]!;
        app["env"]!["port"] = port;
        app.AsObject().Remove("projects");
        app["assemblies"] = new JsonArray(Modules(version));
        var path = Path.Combine(_work, "specs", $"octochat-{version}.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, spec.ToJsonString());
        return path;
    }

    private string Package(string version) => Path.Combine(_work, "packages", $"octochat-{version}.zip");

    private async Task BuildAsync(string version, int port, string? from = null)
    {
        string[] args = ["release", "build", Spec(version, port), "--out", Path.Combine(_work, "packages")];
        var built = await OtpnetAsync(from is null ? args : [.. args, "--from", Package(from)]);
        built.Code.Should().Be(0, built.Out + built.Error);
        File.Exists(Package(version)).Should().BeTrue();
    }

    private async Task StartNodeAsync()
    {
        _node = Process.Start(Start(OctochatHost, ["serve", "--releases", Path.Combine(_work, "releases"), "--socket", Socket, "--boot", Package("0.3.2")]))!;
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _node.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_nodeOutput) _nodeOutput.AppendLine(e.Data);
            if (e.Data.Contains("listening on", StringComparison.Ordinal)) listening.TrySetResult();
        };
        _node.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) lock (_nodeOutput) _nodeOutput.AppendLine(e.Data);
        };
        _node.BeginOutputReadLine();
        _node.BeginErrorReadLine();
        var exited = _node.WaitForExitAsync();
        if (await Task.WhenAny(listening.Task, exited).WaitAsync(Wait) == exited) throw new InvalidOperationException("octochat ended: " + NodeOutput);
    }

    private string NodeOutput
    {
        get
        {
            lock (_nodeOutput) return _nodeOutput.ToString();
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

    [Fact] // R1, R2, R3, R5/R6 done better, R8.3: the README's octochat operations, through the CLI, against a real process
    public async Task Octochat_OperatedWithOtpnet_ClientsKeepTheirConnections_UpDownAndAFaultyRelease()
    {
        var port = FreePort();
        await BuildAsync("0.3.2", port);
        await BuildAsync("0.3.3", port, from: "0.3.2"); // the upgrade and the downgrade generated from the two builds
        await StartNodeAsync();

        var clients = Enumerable.Range(0, 50).Select(i => new ChatClient(port, i)).ToArray();
        try
        {
            foreach (var c in clients) await c.RoundAsync(newline: false); // 0.3.2: reversed, no new line

            // Upgrade while every client chats: each line is answered once, old behaviour then new, never back.
            var upgrade = await ChatDuringAsync(clients, () => OtpnetAsync("release", "install", Package("0.3.3"), "--socket", Socket));
            upgrade.Code.Should().Be(0, upgrade.Out + upgrade.Error + NodeOutput);
            upgrade.Out.Should().Contain("rehearsal of 0.3.3").And.Contain("installed 0.3.3 (upgrade from 0.3.2)");
            foreach (var c in clients) await c.RoundAsync(newline: true); // the same connection, the new code on its next line
            foreach (var c in clients) c.ShouldHaveChangedOnce(toNewline: true);

            var downgrade = await ChatDuringAsync(clients, () => OtpnetAsync("release", "downgrade", "0.3.2", "--socket", Socket));
            downgrade.Code.Should().Be(0, downgrade.Out + downgrade.Error + NodeOutput);
            foreach (var c in clients) await c.RoundAsync(newline: false);
            foreach (var c in clients) await c.RoundAsync(newline: false); // reads the first one's (absent) new line
            foreach (var c in clients) c.ShouldHaveChangedOnce(toNewline: false);

            // A faulty 0.3.4: its CodeChange throws for one connection, named by the Extra of a reviewed, edited relup.
            await BuildAsync("0.3.4", port);
            var relup = Path.Combine(_work, "relup-0.3.4.json");
            var diff = await OtpnetAsync("release", "diff", Package("0.3.2"), Package("0.3.4"), "--out", relup);
            diff.Code.Should().Be(0, diff.Out + diff.Error);
            var edited = JsonNode.Parse(File.ReadAllText(relup))!;
            var update = edited["upgrade"]!.AsArray().Single(i => (string?)i!["module"] == "octochat_echo")!;
            update["mode"] = "advanced";
            update["extra"] = clients[17].LocalPort;
            File.WriteAllText(relup, edited.ToJsonString());
            var appup = await OtpnetAsync("release", "appup", Package("0.3.2"), Package("0.3.4"), "--instructions", relup);
            appup.Code.Should().Be(0, appup.Out + appup.Error);

            var refused = await OtpnetAsync("release", "install", Package("0.3.4"), "--socket", Socket);
            refused.Code.Should().Be(1);
            refused.Error.Should().Contain("rehearsal failed").And.Contain($"port {clients[17].LocalPort}");

            var forced = await OtpnetAsync("release", "install", "0.3.4", "--force", "--socket", Socket);
            forced.Code.Should().Be(1);
            forced.Error.Should().Contain("rolled back");
            forced.Out.Should().Contain("Undone");
            foreach (var c in clients) await c.RoundAsync(newline: false); // every connection intact, still 0.3.2
            foreach (var c in clients) await c.RoundAsync(newline: false);

            var which = await OtpnetAsync("release", "which", "--socket", Socket);
            which.Out.Should().MatchRegex(@"0\.3\.2\s+permanent").And.MatchRegex(@"0\.3\.4\s+unpacked");
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
    }

    /// <summary>Keeps every client chatting, a line at a time, until <paramref name="operation"/> ends.</summary>
    private static async Task<T> ChatDuringAsync<T>(ChatClient[] clients, Func<Task<T>> operation)
    {
        using var stop = new CancellationTokenSource();
        var chatting = clients.Select(c => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested) await c.RoundAsync(newline: null);
        })).ToArray();
        try
        {
            return await operation();
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(chatting).WaitAsync(Wait);
        }
    }

    /// <summary>
    /// A client that sends numbered lines and checks each answer is its own line, reversed, exactly once. Whether an
    /// answer ended with a new line (0.3.3) shows at the next answer (0.3.2 sends none, so a leading new line belongs to
    /// the answer before).
    /// </summary>
    private sealed class ChatClient : IDisposable
    {
        private readonly Socket _socket;
        private readonly int _id;
        private readonly List<bool?> _seen = [];   // per answer: ended with a new line? null until the next answer shows it
        private readonly List<bool?> _wanted = []; // per answer: what the round asked for, if anything
        private readonly byte[] _one = new byte[1];
        private int _line;

        public ChatClient(int port, int id)
        {
            _id = id;
            _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            _socket.Connect(IPAddress.Loopback, port);
        }

        public int LocalPort => ((IPEndPoint)_socket.LocalEndPoint!).Port;

        /// <summary>Sends the next line and reads its answer; with <paramref name="newline"/> set, the answer must (not) end with a new line.</summary>
        public async Task RoundAsync(bool? newline)
        {
            var line = $"c{_id:D2} line {_line++:D5}";
            var expected = new string(line.Reverse().ToArray());
            await _socket.SendAsync(Encoding.UTF8.GetBytes(line + "\n"));
            var first = await ReadByteAsync();
            if (_seen.Count > 0 && _seen[^1] is null) _seen[^1] = first == '\n';
            if (first == '\n') first = await ReadByteAsync();
            var answer = new StringBuilder().Append((char)first);
            while (answer.Length < expected.Length) answer.Append((char)await ReadByteAsync());
            answer.ToString().Should().Be(expected, "each line is answered once, in order, on its own connection");
            if (newline == true) (await ReadByteAsync()).Should().Be((byte)'\n');
            _seen.Add(newline == true ? true : null);
            _wanted.Add(newline);
        }

        /// <summary>Every answer was as asked, and the behaviour changed at most once, ending as <paramref name="toNewline"/>.</summary>
        public void ShouldHaveChangedOnce(bool toNewline)
        {
            for (var i = 0; i < _seen.Count; i++)
            {
                if (_wanted[i] is { } wanted && _seen[i] is { } seen) seen.Should().Be(wanted, $"client {_id}, answer {i}");
            }
            var known = _seen.Where(n => n is not null).Select(n => n!.Value).ToList();
            var changes = known.Zip(known.Skip(1)).Count(p => p.First != p.Second);
            changes.Should().BeLessThanOrEqualTo(1, $"client {_id} saw {string.Concat(known.Select(k => k ? 'N' : '-'))}");
            known[^1].Should().Be(toNewline);
            _seen.RemoveRange(0, _seen.Count - 1);
            _wanted.RemoveRange(0, _wanted.Count - 1);
        }

        private async Task<byte> ReadByteAsync()
        {
            using var timeout = new CancellationTokenSource(Wait);
            var n = await _socket.ReceiveAsync(_one, SocketFlags.None, timeout.Token);
            if (n == 0) throw new IOException($"client {_id}: the server closed the connection");
            return _one[0];
        }

        public void Dispose() => _socket.Dispose();
    }
}
