// The seed's CountServer (003 §1.2-1.3): a counter ticking every 100 ms, upgraded from +1 to +2 while it runs.
// Its code_change evens out an odd count, so after the upgrade every value is even.
using Otp.Net;
using Otp.Net.Sys;

var modules = Path.Combine(AppContext.BaseDirectory, "modules");
await using var node = new Node();

await node.Code.LoadAsync(Path.Combine(modules, "Counter.V1", "Counter.dll"));
var pid = (await node.Code.StartGenServerAsync("counter", ("tick", 1))).GetPidOrThrow();
Console.WriteLine($"CountServer {pid} started at 1, version 1: +1 every 100 ms");
for (var i = 0; i < 5; i++)
{
    await Task.Delay(230);
    Console.WriteLine($"  {pid}: {await SysOps.GetStateAsync(pid)}");
}

Console.WriteLine("== sys.suspend (at an odd count, so code_change has something to fix), load version 2, sys.change_code, sys.resume");
int before;
while (true)
{
    await SysOps.SuspendAsync(pid);
    before = await SysOps.GetStateAsync<int>(pid);
    if (before % 2 == 1) break;
    await SysOps.ResumeAsync(pid);
    await Task.Delay(40);
}
await node.Code.LoadAsync(Path.Combine(modules, "Counter.V2", "Counter.dll"));
Console.WriteLine($"change_code -> {await SysOps.ChangeCodeAsync(pid, null, "1", null)}");
var after = await SysOps.GetStateAsync(pid);
Console.WriteLine($"state before: {before} ({(before % 2 == 1 ? "odd" : "even")}), after code_change: {after}");
await SysOps.ResumeAsync(pid);
Console.WriteLine($"soft purge of version 1 -> {await node.Code.SoftPurgeAsync("counter")}");

for (var i = 0; i < 5; i++)
{
    await Task.Delay(230);
    var state = await SysOps.GetStateAsync(pid);
    Console.WriteLine($"  {pid}: {state}");
}
Console.WriteLine("every value since the upgrade is even: +2 per tick from an even start");
