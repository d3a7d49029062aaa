using Otp.Net;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;

await using var node = new Node();

var children = new[]
{
    ChildSpec.ForGenServer<Counter>("counter_a", 10),
    ChildSpec.ForGenServer<Counter>("counter_b", 20) with { Restart = RestartType.Transient },
};
var flags = new SupervisorFlags { Strategy = Strategy.OneForOne, Intensity = 3, PeriodSeconds = 5 };
var sup = (await Supervisor.StartLinkAsync(node, flags, children)).GetPidOrThrow();
Console.Write((await SupervisionTree.SnapshotAsync(sup)).ToText());

var a = (await Supervisor.WhichChildrenAsync(sup)).Single(c => c.Id == "counter_a").Pid;
node.Exit(a, ExitReason.Kill);                                       // crash counter_a
Console.WriteLine($"counter_a {a} exited: {await node.WaitForExitAsync(a)}");

var restarted = (await Supervisor.WhichChildrenAsync(sup)).Single(c => c.Id == "counter_a").Pid;
Console.WriteLine($"restarted as {restarted} with {await GenServer.CallAsync(restarted, "get")}");

sealed class Counter : GenServer<int>
{
    public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken ct) => new(Ok((int)args!));

    public override ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int n, CancellationToken ct) =>
        new(Reply(n, n));
}
