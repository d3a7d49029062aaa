using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Otp.Net.Distribution;
using Otp.Net.Distribution.Akka;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;
using Otp.Net.TestKit;
using Xunit.Abstractions;

namespace Otp.Net.Tests.Distribution;

/// <summary>
/// The Akka.NET carrier with nodes as separate processes on 127.0.0.1: this test's node and two nodes of the
/// distribution example. Bounded: every wait has a deadline, and the child processes are stopped at the end.
/// </summary>
public sealed class AkkaClusterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Formation = TimeSpan.FromSeconds(90);

    /// <summary>The failure detector's bound in these nodes (a 5 s acceptable pause) with room for a loaded machine.</summary>
    private static readonly TimeSpan DetectionBound = TimeSpan.FromSeconds(30);

    private readonly List<Process> _children = [];
    private readonly int[] _ports = [FreePort(), FreePort(), FreePort()];
    private TestNode _test = null!;
    private Cluster _cluster = null!;

    private static string B => "b@127.0.0.1";

    private static string C => "c@127.0.0.1";

    private static string ExampleDll => Path.Combine(Repository.Root, "examples", "Distribution", "bin", Repository.Configuration, "net10.0", "Distribution.dll");

    public async Task InitializeAsync()
    {
        _children.Add(await StartNodeAsync(B, _ports[0]));
        _children.Add(await StartNodeAsync(C, _ports[1], $"127.0.0.1:{_ports[0]}"));
        _test = new TestNode();
        var akka = new AkkaCarrierOptions { Port = _ports[2], StableAfter = TimeSpan.FromSeconds(5), AcceptableHeartbeatPause = TimeSpan.FromSeconds(5) };
        akka.Seeds.Add($"127.0.0.1:{_ports[0]}");
        _cluster = await Cluster.StartAsync(_test.Node, new DistributionOptions { NodeName = "t@127.0.0.1" }, new AkkaCarrier(akka));
        await WaitUntilAsync(() => _cluster.IsConnected(B) && _cluster.IsConnected(C), Formation, "the three nodes to connect");
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _test.DisposeAsync();
        foreach (var child in _children)
        {
            if (!child.HasExited)
            {
                child.StandardInput.Close();
                if (!child.WaitForExit(15_000)) child.Kill(entireProcessTree: true);
            }
            child.Dispose();
        }
    }

    private ServerRef Control(string node) => ServerRef.Remote("control", node, _test.Node);

    [Fact] // X1, X2, X3, X6, X9, X10 on the Akka.NET carrier
    public async Task AClusterOfProcesses_Calls_DetectsAKilledNode_MovesItsGlobalName_AndKnowsItsNextIncarnation()
    {
        // A remote call.
        var whoami = (TermTuple)(await GenServer.CallAsync(Control(B), "whoami", TimeSpan.FromSeconds(30)))!;
        whoami[0].Should().Be(B);

        // Links, monitors and a node monitor toward a process on c; a global name held on c.
        var onC = (Pid)(await GenServer.CallAsync(Control(C), "spawn_idle", TimeSpan.FromSeconds(30)))!;
        onC.Node.Name.Should().Be(C);
        var firstCreation = onC.Node.Creation;
        var leader = (Pid)(await GenServer.CallAsync(Control(C), TermTuple.Of("start_global_counter", "leader"), TimeSpan.FromSeconds(30)))!;
        _cluster.Global.WhereIsName("leader").Should().Be(leader);
        var linked = _test.CreateProbe(trapExit: true);
        await linked.LinkAsync(onC);
        var monitoring = _test.CreateProbe();
        var monitor = await monitoring.WatchAsync(onC);
        var nodeWatcher = _test.CreateProbe();
        await nodeWatcher.RunAsync(ctx =>
        {
            ctx.MonitorNode(C);
            return Task.CompletedTask;
        });
        // The link and monitor have reached c when a call made after them returns.
        await GenServer.CallAsync(Control(C), "whoami", TimeSpan.FromSeconds(30));

        var clock = Stopwatch.StartNew();
        _children[1].Kill(entireProcessTree: true);
        (await linked.ExpectExitMessageAsync(onC, timeout: DetectionBound)).Reason.Should().Be(ExitReason.NoConnection);
        (await monitoring.ExpectDownAsync(monitor, timeout: DetectionBound)).Reason.Should().Be(ExitReason.NoConnection);
        (await nodeWatcher.ExpectMsgAsync<NodeDown>(timeout: DetectionBound)).Node.Should().Be(C);
        output.WriteLine($"noconnection and nodedown {clock.ElapsedMilliseconds} ms after SIGKILL");

        // The name is released with its node; a survivor takes it and is called through it (once it has seen the
        // node go down too: each node's failure detector decides for that node).
        _cluster.Global.WhereIsName("leader").Should().BeNull();
        await WaitUntilAsync(
            async () => await GenServer.CallAsync(Control(B), TermTuple.Of("whereis_global", "leader"), TimeSpan.FromSeconds(30)) is Atom { Name: "undefined" },
            DetectionBound,
            "b to see c go down");
        var moved = (Pid)(await GenServer.CallAsync(Control(B), TermTuple.Of("start_global_counter", "leader"), TimeSpan.FromSeconds(30)))!;
        moved.Node.Name.Should().Be(B);
        _cluster.Global.WhereIsName("leader").Should().Be(moved);
        (await GenServer.CallAsync(_cluster.Global.Via("leader"), "incr", TimeSpan.FromSeconds(30))).Should().Be(TermTuple.Of(B, 1L));

        // c comes back under its name, with another creation: the old pid names no process.
        _children.Add(await StartNodeAsync(C, _ports[1], $"127.0.0.1:{_ports[0]}"));
        await WaitUntilAsync(() => _cluster.IsConnected(C), Formation, "c to rejoin");
        var again = (TermTuple)(await GenServer.CallAsync(Control(C), "whoami", TimeSpan.FromSeconds(30)))!;
        again[1].Should().NotBe(firstCreation);
        var probe = _test.CreateProbe();
        var old = await probe.WatchAsync(onC);
        (await probe.ExpectDownAsync(old, timeout: TimeSpan.FromSeconds(30))).Reason.Should().Be(ExitReason.NoProc);
    }

    private async Task<Process> StartNodeAsync(string name, int port, params string[] seeds)
    {
        File.Exists(ExampleDll).Should().BeTrue($"the example is built beside the tests ({ExampleDll})");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])[ExampleDll, "node", name, port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. seeds]) info.ArgumentList.Add(a);
        var child = Process.Start(info)!;
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Everything the node writes is read (a full pipe would stop it): its first line says it is ready.
        child.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) ready.TrySetResult("(no output)");
            else if (!ready.TrySetResult(e.Data)) output.WriteLine($"[{name}] {e.Data}");
        };
        child.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) output.WriteLine($"[{name} stderr] {e.Data}");
        };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        var line = await ready.Task.WaitAsync(Formation);
        line.Should().StartWith($"ready {name}");
        return child;
    }

    private static Task WaitUntilAsync(Func<bool> condition, TimeSpan bound, string what) =>
        WaitUntilAsync(() => Task.FromResult(condition()), bound, what);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan bound, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > bound) throw new TimeoutException($"not within {bound.TotalSeconds} s: {what}");
            await Task.Delay(20);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
