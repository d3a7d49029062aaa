// Distribution on Akka.NET Cluster: three nodes as three processes of this program, and a fourth (this one) that
// drives them. A GenServer registered globally on one node is called from the others; a process group spans every
// node; killing a node's process (SIGKILL) shows nodedown and noconnection, and the global name moving to a survivor.
//
//   dotnet run --project examples/Distribution                      the demo (starts and stops the three nodes)
//   dotnet run --project examples/Distribution -- node NAME PORT [SEED host:port ...]   one node, until stdin closes
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DistributionExample;
using Otp.Net.Distribution;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;

if (args is ["node", var name, var portText, .. var seeds])
{
    var (node, cluster) = await ClusterNode.StartAsync(name, int.Parse(portText, System.Globalization.CultureInfo.InvariantCulture), seeds);
    Console.WriteLine($"ready {cluster.Self.Name} {cluster.Self.Creation}");
    // Runs until its driver closes stdin (or kills it).
    await Console.In.ReadToEndAsync();
    await cluster.DisposeAsync();
    await node.DisposeAsync();
    return 0;
}

var ports = Enumerable.Range(0, 4).Select(_ => FreePort()).ToArray();
var names = new[] { "a@127.0.0.1", "b@127.0.0.1", "c@127.0.0.1" };
var seed = $"127.0.0.1:{ports[0]}";
var children = new List<Process>();
try
{
    for (var i = 0; i < 3; i++)
    {
        children.Add(StartNode(names[i], ports[i], i == 0 ? [] : [seed]));
        await WaitReadyAsync(children[i]);
    }
    var (driverNode, driver) = await ClusterNode.StartAsync("driver@127.0.0.1", ports[3], [seed], quiet: true);
    await WaitForAsync(() => names.All(driver.IsConnected), "the cluster to form");
    Console.WriteLine($"== cluster formed: {string.Join(", ", driver.Nodes)} (seen from {driver.Self.Name})");

    Task<object?> Ask(string node, object request) => GenServer.CallAsync(ServerRef.Remote("control", node, driverNode), request);

    Console.WriteLine("== b starts a counter registered globally as 'counter'; a, c and the driver call it");
    var counter = (Pid)(await Ask(names[1], TermTuple.Of("start_global_counter", "counter")))!;
    Console.WriteLine($"counter is {counter} on {counter.Node.Name}");
    Console.WriteLine($"a calls it: {TermFormatter.Format(await Ask(names[0], TermTuple.Of("call_global", "counter", "incr")))}");
    Console.WriteLine($"c calls it: {TermFormatter.Format(await Ask(names[2], TermTuple.Of("call_global", "counter", "incr")))}");
    Console.WriteLine($"the driver calls it: {TermFormatter.Format(await GenServer.CallAsync(driver.Global.Via("counter"), "incr"))}");

    Console.WriteLine("== every node joins a member to the process group 'workers'; the driver fans out to all of them");
    foreach (var n in names) await Ask(n, TermTuple.Of("join", "workers"));
    await WaitForAsync(() => driver.Groups.GetMembers("workers").Count == 3, "the group to be seen from the driver");
    var answers = await RunInProcessAsync(driverNode, async ctx =>
    {
        var members = driver.Groups.GetMembers("workers");
        foreach (var m in members) ctx.Send(m, TermTuple.Of(Atom.Of("ask"), ctx.Self));
        var got = new List<string>();
        for (var i = 0; i < members.Count; i++) got.Add(TermFormatter.Format(await ctx.ReceiveAsync()));
        return got;
    });
    foreach (var a in answers.Order(StringComparer.Ordinal)) Console.WriteLine($"  answer {a}");

    Console.WriteLine("== the driver monitors the counter and node b, then b's process is killed (SIGKILL)");
    var watch = RunInProcessAsync(driverNode, async ctx =>
    {
        var monitor = ctx.Monitor(counter);
        ctx.MonitorNode(names[1]);
        var started = Stopwatch.StartNew();
        var seen = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var m = await ctx.ReceiveAsync();
            seen.Add($"{TermFormatter.Format(m is DownMessage d ? d.ToTerm() : m)} after {started.ElapsedMilliseconds} ms");
        }
        return seen;
    });
    await Task.Delay(200); // let the driver's monitors reach b before it dies (a demo's pacing, not a guarantee)
    children[1].Kill();
    foreach (var line in await watch) Console.WriteLine($"  {line}");
    Console.WriteLine($"whereis counter now: {TermFormatter.Format(driver.Global.WhereIsName("counter") ?? (object)Atom.Of("undefined"))}");

    Console.WriteLine("== c takes the name over: the same calls reach the new counter");
    var moved = (Pid)(await Ask(names[2], TermTuple.Of("start_global_counter", "counter")))!;
    Console.WriteLine($"counter is {moved} on {moved.Node.Name}");
    Console.WriteLine($"a calls it: {TermFormatter.Format(await Ask(names[0], TermTuple.Of("call_global", "counter", "incr")))}");
    Console.WriteLine($"the driver calls it: {TermFormatter.Format(await GenServer.CallAsync(driver.Global.Via("counter"), "incr"))}");

    await driver.DisposeAsync();
    await driverNode.DisposeAsync();
    Console.WriteLine("== done");
    return 0;
}
finally
{
    foreach (var child in children)
    {
        if (!child.HasExited)
        {
            child.StandardInput.Close();
            if (!child.WaitForExit(20_000)) child.Kill();
        }
        child.Dispose();
    }
}

static Process StartNode(string name, int port, string[] seeds)
{
    var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    // Run as `dotnet Distribution.dll` or as the apphost: the same program either way.
    if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") info.ArgumentList.Add(typeof(ClusterNode).Assembly.Location);
    foreach (var a in (string[])["node", name, port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. seeds]) info.ArgumentList.Add(a);
    return Process.Start(info)!;
}

static async Task WaitReadyAsync(Process child)
{
    var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
    // Everything a node writes is read (a full pipe would stop it): its first line says it is ready.
    var log = Environment.GetEnvironmentVariable("OTP_DEMO_LOG") is { } dir ? File.AppendText(Path.Combine(dir, $"node-{child.Id}.log")) : null;
    child.OutputDataReceived += (_, e) =>
    {
        if (!ready.TrySetResult(e.Data ?? "(no output)") && log is not null)
        {
            lock (log)
            {
                log.WriteLine(e.Data);
                log.Flush();
            }
        }
    };
    child.ErrorDataReceived += (_, e) =>
    {
        if (e.Data is not null && log is not null)
        {
            lock (log)
            {
                log.WriteLine(e.Data);
                log.Flush();
            }
        }
    };
    child.BeginOutputReadLine();
    child.BeginErrorReadLine();
    var line = await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
    if (!line.StartsWith("ready ", StringComparison.Ordinal)) throw new InvalidOperationException($"a node did not start: {line}");
    Console.WriteLine($"started {line[6..]}");
}

static async Task WaitForAsync(Func<bool> condition, string what)
{
    var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
    while (!condition())
    {
        if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
        await Task.Delay(50);
    }
}

static async Task<T> RunInProcessAsync<T>(Otp.Net.Node node, Func<ProcessContext, Task<T>> body)
{
    var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
    node.Spawn(async ctx =>
    {
        try
        {
            result.SetResult(await body(ctx));
        }
        catch (Exception ex)
        {
            result.SetException(ex);
        }
    });
    return await result.Task;
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

