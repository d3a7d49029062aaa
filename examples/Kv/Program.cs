// The seed articles' KV server (001, 004): a key-value GenServer upgraded, while running, to a version that logs
// each request. The values survive the upgrade; log lines appear afterwards.
using Microsoft.Extensions.Logging;
using Otp.Net;
using Otp.Net.GenServers;

var modules = Path.Combine(AppContext.BaseDirectory, "modules");
using var logging = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
await using var node = new Node(new NodeOptions { LoggerFactory = logging });
var kv = ServerRef.Named(node, "KV");

Console.WriteLine("== load KV version 0 and start it as KV");
await node.Code.LoadAsync(Path.Combine(modules, "Kv.V0", "Kv.dll"));
await node.Code.StartGenServerAsync("kv", options: new GenServerOptions { Name = "KV" });
Console.WriteLine($"KV.get(a)      -> {await GenServer.CallAsync(kv, ("get", "a")) ?? "nil"}");
Console.WriteLine($"KV.put(a, 42)  -> {await GenServer.CallAsync(kv, ("put", "a", (object)42))}");
Console.WriteLine($"KV.get(a)      -> {await GenServer.CallAsync(kv, ("get", "a"))}");

Console.WriteLine("== upgrade to version 1 (adds logging): suspend, load, change_code, resume, purge");
var report = await node.Code.UpgradeAsync("kv", Path.Combine(modules, "Kv.V1", "Kv.dll"));
Console.WriteLine($"upgraded {report.Processes} process from {report.FromVersion} to {report.ToVersion}");
await Task.Delay(50); // let the console logger flush the load/purge lines before the narration continues

Console.WriteLine($"KV.get(a)      -> {await GenServer.CallAsync(kv, ("get", "a"))}");
Console.WriteLine($"KV.put(b, 2)   -> {await GenServer.CallAsync(kv, ("put", "b", (object)2))}");
await Task.Delay(50);
Console.WriteLine($"the value stored before the upgrade is still there: a = {await GenServer.CallAsync(kv, ("get", "a"))}");
await Task.Delay(50);
