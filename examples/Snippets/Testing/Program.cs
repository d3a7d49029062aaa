using Otp.Net;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;
using Otp.Net.TestKit;

await using var test = new TestNode();

// A probe is a real process owned by the test: hand its pid to the code under test.
var probe = test.CreateProbe();
var pinger = test.Node.Spawn(async ctx =>
{
    var replyTo = await ctx.ReceiveAsync<Pid>();
    ctx.Send(replyTo, ("pong", ctx.Self));
});
probe.Send(pinger, probe.Pid);
var (text, from) = await probe.ExpectMsgAsync<(string, Pid)>(m => m.Item1 == "pong");
Console.WriteLine($"{text} from the pinger: {from == pinger}");
Console.WriteLine($"pinger exited: {await test.ExpectExitAsync(pinger)}");

// start_supervised: stopped when the test node is disposed. Kill a child, wait for its restart (no sleeps).
var sup = await test.StartSupervisedAsync(
    ChildSpec.ForSupervisor("counters", () => new Counters()));
var old = (await Supervisor.WhichChildrenAsync(sup)).Single().Pid;
test.Node.Exit(old, ExitReason.Kill);
var fresh = await test.ExpectRestartAsync(sup, "counter", old);
Console.WriteLine($"restarted with a new pid: {fresh != old}");
Console.WriteLine($"counter answers: {await GenServer.CallAsync(fresh, "get")}");

// A failed expectation says what was expected and what arrived instead.
probe.Send(probe.Pid, 42);
try
{
    await probe.ExpectMsgAsync<string>(s => s.StartsWith("he"));
}
catch (TestKitAssertionException e)
{
    Console.WriteLine(e.Message);
}

// The supervisor reported the kill; the test node captured it.
var report = await test.Logs.ExpectLogAsync(e => e.EventId.Id == 2001);
Console.WriteLine($"report: {report.EventId.Name}, child {report["ChildId"]}");

sealed class Counter : GenServer<int>
{
    public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(0);

    public override ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken) =>
        Reply(state, state);
}

sealed class Counters : Supervisor
{
    public override ValueTask<SupervisorInit> InitAsync(object? args, CancellationToken cancellationToken) =>
        SupervisorInit.Ok(new SupervisorFlags(), [ChildSpec.ForGenServer("counter", () => new Counter())]);
}
