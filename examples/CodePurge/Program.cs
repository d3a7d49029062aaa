// The seed "Should you code purge?" (000): two versions at most; a bare process looping in old code dies on purge;
// a GenServer moves with suspend / change_code / resume and survives.
using Otp.Net;
using Otp.Net.Code;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Sys;

var modules = Path.Combine(AppContext.BaseDirectory, "modules");
string V(int v) => Path.Combine(modules, $"CodePurge.V{v}", "CodePurge.dll");
await using var node = new Node();
var code = node.Code;

Console.WriteLine("== two versions at most");
Console.WriteLine($"load pi v1      -> {code.Load(V(1), "pi")}");
Console.WriteLine($"load pi v2      -> {code.Load(V(2), "pi")}");
try
{
    code.Load(V(1), "pi");
}
catch (CodeLoadException ex)
{
    Console.WriteLine($"load pi v1 again -> {ex.Kind}: {ex.Message}");
}
Console.WriteLine($"purge pi        -> {await code.PurgeAsync("pi")} (no process ran the old code)");
Console.WriteLine($"delete pi       -> {code.Delete("pi")} (current becomes old)");
Console.WriteLine($"purge pi        -> {await code.PurgeAsync("pi")}");
Console.WriteLine($"load pi v1      -> {code.Load(V(1), "pi")}");

Console.WriteLine("== how not to do a code upgrade: a bare process");
var pi = code.Spawn("pi");
Console.WriteLine($"Pi.get({pi})  -> {await Ask(pi)}");
Console.WriteLine($"load pi v2      -> {code.Load(V(2), "pi")}");
var exit = node.WaitForExitAsync(pi);
Console.WriteLine($"purge pi        -> {await code.PurgeAsync("pi")} (it killed a process)");
Console.WriteLine($"{pi} exited: {await exit} — it looped in the old code and never left it");

Console.WriteLine("== how to do it: a GenServer");
code.Load(V(1), "pi_gs");
var gs = (await code.StartGenServerAsync("pi_gs", 3.14)).GetPidOrThrow();
Console.WriteLine($"PiGs.get        -> {await GenServer.CallAsync(gs, "get")}");
Console.WriteLine($"load pi_gs v2 (state wrapped in a list) -> {code.Load(V(2), "pi_gs")}");
Console.WriteLine($"sys.suspend     -> {Ok(SysOps.SuspendAsync(gs))}");
Console.WriteLine($"sys.change_code -> {await SysOps.ChangeCodeAsync(gs, null, null, null)}");
Console.WriteLine($"sys.resume      -> {Ok(SysOps.ResumeAsync(gs))}");
Console.WriteLine($"PiGs.get        -> {await GenServer.CallAsync(gs, "get")}");
Console.WriteLine($"sys.get_state   -> [{string.Join(", ", await SysOps.GetStateAsync<List<double>>(gs))}]");
Console.WriteLine($"purge pi_gs     -> {await code.PurgeAsync("pi_gs")}; {gs} alive: {node.IsAlive(gs)}");
Console.WriteLine($"old version collected: {await code.WaitForUnloadAsync("pi_gs", TimeSpan.FromSeconds(10))}");

async Task<object> Ask(Pid server)
{
    var reply = new TaskCompletionSource<object>();
    node.Spawn(async ctx =>
    {
        ctx.Send(server, (ctx.Self, "get"));
        reply.SetResult(await ctx.ReceiveAsync(m => m is double));
    });
    return await reply.Task;
}

static string Ok(Task t)
{
    t.GetAwaiter().GetResult();
    return "ok";
}
