using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Otp.Net;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;
using Otp.Net.Sys;
using Otp.Net.Terms;

// The soak: a mixed load for the given number of minutes (default 1), then assertions.
//  - a supervision tree of keepers (GenServers with timers) under random kills, a caller on every keeper;
//  - counters of a versioned module (a record state of the module's own assembly, a timer each) upgraded
//    v1 -> v2 -> v1 -> ... while a caller on every counter checks each reply; every old version must unload (with
//    "releases" as second argument, each upgrade is a release install: unpack, install, make permanent, remove);
//  - pairs of processes exchanging tagged messages out of order, taken by selective receive.
// At the end: no call lost or answered wrongly, no count lost across upgrades, no process left, every old version
// unloaded, and the heap at the end within 10% (+16 MB) of the heap after the first minute (or first quarter).
var minutes = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1.0;
// "releases": the counters are upgraded by installing a new release every second (unpack, install, make permanent,
// remove the previous one) instead of Code.UpgradeAsync.
var viaReleases = args.Length > 1 && args[1] == "releases";
var releasesDirectory = Path.Combine(Path.GetTempPath(), $"otp-soak-{Guid.NewGuid():N}");
var duration = TimeSpan.FromMinutes(minutes);
var baselineAt = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(1).Ticks, duration.Ticks / 4));
const int Keepers = 20;
const int Counters = 20;
const int Pairs = 4;

using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Critical));
var node = new Node(new NodeOptions { LoggerFactory = loggerFactory, ReleasesDirectory = viaReleases ? Path.Combine(releasesDirectory, "releases") : null });
var failures = new List<string>();
void Fail(string what)
{
    lock (failures)
    {
        if (failures.Count < 50) failures.Add(what);
    }
}

string Module(string v) => Path.Combine(AppContext.BaseDirectory, "modules", v, "SoakCounter.dll");

// Release N of the soak: the counter module v1 (odd N) or v2 (even N), upgraded from N-1 with an advanced update.
async Task<string> SoakRelease(int n)
{
    var module = n % 2 == 1 ? "v1" : "v2";
    var manifest = new Otp.Net.Releases.ReleaseManifest("soak", $"{n}")
    {
        Host = Otp.Net.Releases.HostRequirements.Current(),
        Applications = [new Otp.Net.Releases.ApplicationDescriptor("soak", $"{n}") { Modules = [new Otp.Net.Releases.ModuleDescriptor("soak_counter", module[1..], $"lib/{module}/SoakCounter.dll")] }],
        Upgrades = n > 1 ? [new Otp.Net.Releases.RelupEntry($"{n - 1}") { Instructions = [new Otp.Net.Releases.UpdateInstruction("soak_counter")] }] : [],
    };
    var source = Path.Combine(releasesDirectory, "build");
    Directory.CreateDirectory(Path.Combine(source, "lib", module));
    File.Copy(Module(module), Path.Combine(source, "lib", module, "SoakCounter.dll"), overwrite: true);
    var package = Path.Combine(releasesDirectory, $"soak-{n}.zip");
    await Otp.Net.Releases.ReleasePackage.CreateAsync(manifest, source, package);
    return package;
}

var clock = Stopwatch.StartNew();
using var stop = new CancellationTokenSource();
long keeperCalls = 0, keeperDeaths = 0, kills = 0, counterCalls = 0, upgrades = 0, unloads = 0, selective = 0;

// The tree: a one_for_one supervisor of keepers, restarted as often as the chaos kills them.
var children = Enumerable.Range(0, Keepers)
    .Select(i => new ChildSpec($"keeper{i}", n => GenServer.StartLinkAsync(n, new Keeper(), null, new GenServerOptions { Name = $"keeper{i}" })))
    .ToArray();
var top = (await Supervisor.StartLinkAsync(node, new SupervisorFlags { Intensity = 1_000_000, PeriodSeconds = 1 }, children)).GetPidOrThrow();

// The versioned counters.
if (viaReleases)
{
    await node.Releases.UnpackAsync(await SoakRelease(1));
    await node.Releases.BootAsync("1");
}
else
{
    node.Code.Load(Module("v1"));
}
var counters = new Pid[Counters];
for (var i = 0; i < Counters; i++) counters[i] = (await node.Code.StartGenServerAsync("soak_counter")).GetPidOrThrow();

var loops = new List<Task>();

// A caller on every keeper: each reply is "pong"; a call fails only because its keeper was killed.
for (var i = 0; i < Keepers; i++)
{
    var name = $"keeper{i}";
    loops.Add(RunProcess(async ctx =>
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var reply = await GenServer.CallAsync(ServerRef.Named(node, name), "ping");
                if (reply is not "pong") Fail($"{name} answered {reply}");
                Interlocked.Increment(ref keeperCalls);
            }
            catch (CallException ex) when (ex.CallReason == ExitReason.Killed || ex.CallReason == ExitReason.NoProc)
            {
                Interlocked.Increment(ref keeperDeaths);
                await Task.Yield();
            }
            catch (Exception ex) when (ex is ICallFailure failure)
            {
                Fail($"call to {name} failed: {failure.Reason}");
            }
        }
    }));
}

// The chaos: a random keeper killed every 20 ms.
loops.Add(RunProcess(async ctx =>
{
    var random = new Random(42);
    while (!stop.IsCancellationRequested)
    {
        await ctx.ReceiveAsync(null, TimeSpan.FromMilliseconds(20));
        if (node.WhereIs($"keeper{random.Next(Keepers)}") is { } victim)
        {
            ctx.Exit(victim, ExitReason.Kill);
            Interlocked.Increment(ref kills);
        }
    }
}));

// A caller on every counter: the count it gets back is one more than the last, across every upgrade.
var expected = new long[Counters];
for (var i = 0; i < Counters; i++)
{
    var index = i;
    loops.Add(RunProcess(async ctx =>
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var count = Convert.ToInt64(await GenServer.CallAsync(counters[index], "incr"), System.Globalization.CultureInfo.InvariantCulture);
                if (count != expected[index] + 1) Fail($"counter {index}: got {count} after {expected[index]}");
                expected[index] = count;
                Interlocked.Increment(ref counterCalls);
            }
            catch (Exception ex) when (ex is ICallFailure failure)
            {
                Fail($"counter {index}: call failed: {failure.Reason}");
            }
        }
    }));
}

// Selective receive: a producer sends tagged messages in shuffled order; the consumer takes them key by key.
for (var p = 0; p < Pairs; p++)
{
    var seed = p;
    loops.Add(RunProcess(async ctx =>
    {
        var random = new Random(seed);
        var self = ctx.Self;
        var consumer = ctx.Node.Spawn(async c =>
        {
            while (true)
            {
                var (from, keys, perKey) = ((Pid, int, int))await c.ReceiveAsync(m => m is ValueTuple<Pid, int, int>);
                var ok = true;
                for (var k = keys - 1; k >= 0; k--)
                {
                    for (var s = 0; s < perKey; s++)
                    {
                        var m = ((int Key, int Seq))await c.ReceiveAsync(x => x is ValueTuple<int, int> t && t.Item1 == k);
                        ok &= m.Seq == s;
                    }
                }
                c.Send(from, ok);
            }
        }, new SpawnOptions { Link = true });
        while (!stop.IsCancellationRequested)
        {
            const int keys = 4, perKey = 50;
            var batch = Enumerable.Range(0, keys).SelectMany(k => Enumerable.Range(0, perKey).Select(s => (k, s))).ToArray();
            // Shuffle across keys while keeping each key's own order.
            var queues = Enumerable.Range(0, keys).Select(k => new Queue<(int, int)>(batch.Where(b => b.k == k))).ToArray();
            ctx.Send(consumer, (self, keys, perKey));
            for (var left = keys * perKey; left > 0; left--)
            {
                var nonEmpty = queues.Where(q => q.Count > 0).ToArray();
                ctx.Send(consumer, nonEmpty[random.Next(nonEmpty.Length)].Dequeue());
            }
            if (await ctx.ReceiveAsync(m => m is bool) is not true) Fail("selective receive took a message out of order");
            Interlocked.Increment(ref selective);
        }
        ctx.Exit(consumer, ExitReason.Kill);
    }));
}

// The upgrader: v1 -> v2 -> v1 ... every second; each old version must unload before the next load.
var upgrader = Task.Run(async () =>
{
    var next = "v2";
    while (!stop.IsCancellationRequested)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1), stop.Token);
        }
        catch (OperationCanceledException)
        {
            break;
        }
        try
        {
            if (viaReleases)
            {
                // Release N+1 runs the other module version; N is removed once N+1 is permanent.
                var release = (int)upgrades + 2;
                await node.Releases.UnpackAsync(await SoakRelease(release));
                var result = await node.Releases.InstallAsync($"{release}");
                if (!result.Journal.Any(j => j.Step is Otp.Net.Releases.CodeChangeStep && j.Detail == $"{Counters} processes changed")) Fail($"release {release} did not change {Counters} processes");
                await node.Releases.MakePermanentAsync($"{release}");
                await node.Releases.RemoveAsync($"{release - 1}");
                File.Delete(Path.Combine(releasesDirectory, $"soak-{release}.zip"));
            }
            else
            {
                var report = await node.Code.UpgradeAsync("soak_counter", Module(next));
                if (report.Processes != Counters) Fail($"upgrade to {next} changed {report.Processes} processes");
            }
            Interlocked.Increment(ref upgrades);
            if (await node.Code.WaitForUnloadAsync("soak_counter", TimeSpan.FromSeconds(30))) Interlocked.Increment(ref unloads);
            else Fail($"the version before {next} did not unload");
            next = next == "v2" ? "v1" : "v2";
        }
        catch (Exception ex)
        {
            Fail($"upgrade to {next} failed: {ex.GetType().Name}: {ex.Message}");
            break;
        }
    }
});

await Task.Delay(baselineAt);
var heapFirst = Heap();
Console.WriteLine($"[{clock.Elapsed:hh\\:mm\\:ss}] baseline heap {heapFirst / 1024 / 1024.0:F1} MB, {node.ProcessCount} processes");
var reportEvery = TimeSpan.FromMinutes(Math.Max(1, minutes / 10));
while (clock.Elapsed < duration)
{
    var left = duration - clock.Elapsed;
    await Task.Delay(left < reportEvery ? left : reportEvery);
    Console.WriteLine($"[{clock.Elapsed:hh\\:mm\\:ss}] calls {keeperCalls + counterCalls}, kills {kills}, upgrades {upgrades}, unloads {unloads}, selective batches {selective}, processes {node.ProcessCount}");
}
var heapLast = Heap();

await stop.CancelAsync();
await upgrader;
await Task.WhenAll(loops).WaitAsync(TimeSpan.FromMinutes(1));

// Nothing lost: every counter holds exactly the increments its caller saw.
for (var i = 0; i < Counters; i++)
{
    var count = Convert.ToInt64(await GenServer.CallAsync(counters[i], "count"), System.Globalization.CultureInfo.InvariantCulture);
    if (count != expected[i]) Fail($"counter {i} holds {count}, its caller counted {expected[i]}");
}

// No process leaked: the tree and the counters stopped, nothing is left.
await GenServer.StopAsync(top, ExitReason.Shutdown);
foreach (var c in counters) await GenServer.StopAsync(c);
var drained = Stopwatch.StartNew();
while (node.ProcessCount != 0 && drained.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(10);
if (node.ProcessCount != 0) Fail($"{node.ProcessCount} processes left after everything stopped");
var loaded = node.Code.Versions("soak_counter").Where(v => v.Status != Otp.Net.Code.ModuleStatus.Unloaded).ToArray();
if (loaded.Length != 1 || loaded[0].Status != Otp.Net.Code.ModuleStatus.Current) Fail($"versions left: {string.Join(", ", loaded.AsEnumerable())}");
if (unloads != upgrades) Fail($"{upgrades} upgrades but {unloads} unloads");
if (upgrades == 0) Fail("no upgrade ran");
var limit = heapFirst * 1.1 + 16 * 1024 * 1024;
if (heapLast > limit) Fail($"heap grew from {heapFirst / 1024 / 1024.0:F1} MB to {heapLast / 1024 / 1024.0:F1} MB");

Console.WriteLine($"soak: {clock.Elapsed:hh\\:mm\\:ss}, keeper calls {keeperCalls} (failed by a kill {keeperDeaths}), kills {kills}, counter calls {counterCalls}, " +
    $"upgrades {upgrades}, unloads {unloads}, selective batches {selective}, heap {heapFirst / 1024 / 1024.0:F1} -> {heapLast / 1024 / 1024.0:F1} MB");
if (viaReleases && node.Releases.WhichReleases().Count != 1) Fail($"releases left: {string.Join(", ", node.Releases.WhichReleases())}");
await node.DisposeAsync();
if (viaReleases) Directory.Delete(releasesDirectory, recursive: true);
if (failures.Count == 0)
{
    Console.WriteLine("soak: PASS");
    return 0;
}
foreach (var f in failures) Console.WriteLine("soak: FAIL " + f);
return 1;

static long Heap()
{
    for (var i = 0; i < 3; i++)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }
    return GC.GetTotalMemory(forceFullCollection: true);
}

Task RunProcess(Func<ProcessContext, Task> body)
{
    var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    node.Spawn(async ctx =>
    {
        try
        {
            await body(ctx);
        }
        catch (Exception ex)
        {
            Fail($"a load process crashed: {ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            done.SetResult();
        }
    });
    return done.Task;
}

/// <summary>A supervised worker: answers "ping" and keeps a timer running.</summary>
internal sealed class Keeper : GenServer<int>
{
    public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken)
    {
        Self.Node.SendAfter(TimeSpan.FromMilliseconds(10), Self.Self, "tick");
        return Ok(0);
    }

    public override ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken) =>
        Reply("pong", state);

    public override ValueTask<ServerResult<int>> HandleInfoAsync(object message, int state, CancellationToken cancellationToken)
    {
        Self.Node.SendAfter(TimeSpan.FromMilliseconds(10), Self.Self, "tick");
        return NoReply(state + 1);
    }
}
