using Otp.Net;
using Otp.Net.GenServers;

await using var node = new Node();
var code = node.Code;

await code.LoadAsync("modules/v2/Counter.dll");                          // [OtpModule("counter", Vsn = "2")]
var pid = (await code.StartGenServerAsync("counter", 0)).GetPidOrThrow(); // bound to counter 2
await GenServer.CallAsync(pid, "incr");

// One call: suspend every process of the module, load v3, run v3's CodeChange in each, resume, soft-purge v2.
// If any CodeChange fails, every process is put back on v2 with its old state and v3 is unloaded.
var report = await code.UpgradeAsync("counter", "modules/v3/Counter.dll", extra: null, purge: true);
Console.WriteLine(report);

Console.WriteLine(await code.WaitForUnloadAsync("counter", TimeSpan.FromSeconds(10))); // v2's context collected
