using Otp.Net;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Sys;
using Otp.Net.Terms;

await using var node = new Node();

var pid = (await GenServer.StartAsync(node, new Counter(), 10)).GetPidOrThrow();
Console.WriteLine(await GenServer.CallAsync(pid, "incr"));          // from any .NET code: no process needed
GenServer.Cast(pid, "reset");                                        // fire and forget
Console.WriteLine(await GenServer.CallAsync<int>(pid, "get"));

await SysOps.SuspendAsync(pid);                                      // sys:suspend: calls now wait in the queue
Console.WriteLine(await SysOps.GetStateAsync(pid));                  // sys:get_state still answers
await SysOps.ResumeAsync(pid);

try
{
    await GenServer.CallAsync(pid, "explode");
}
catch (CallException e)
{
    Console.WriteLine(e.Reason);                                     // the exit term the caller gets, as in OTP
}

sealed class Counter : GenServer<int>
{
    public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken ct) => new(Ok((int)args!));

    public override ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int n, CancellationToken ct) =>
        new(request switch
        {
            "get" => Reply(n, n),
            "incr" => Reply(n + 1, n + 1),
            _ => Stop(ExitReason.Of(Atom.Of("bad_request")), n),
        });

    public override ValueTask<ServerResult<int>> HandleCastAsync(object request, int n, CancellationToken ct) =>
        new(request is "reset" ? NoReply(0) : NoReply(n));
}
