using Otp.Net;
using Otp.Net.Distribution;
using Otp.Net.GenServers;
using Otp.Net.Processes;

// Two nodes in one program on the in-memory carrier (tests); across machines, AkkaCarrier takes its place.
var network = new InMemoryNetwork();
await using var a = new Node(new NodeOptions { LoggerFactory = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance });
await using var b = new Node(new NodeOptions { LoggerFactory = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance });
var clusterA = await Cluster.StartAsync(a, Options("a@local"), network.CreateCarrier());
var clusterB = await Cluster.StartAsync(b, Options("b@local"), network.CreateCarrier());
while (!clusterA.IsConnected("b@local")) await Task.Delay(10);

// A server on b, called from a as {Name, Node}, and registered globally.
var started = await GenServer.StartAsync(b, new Prices(), options: new GenServerOptions { Name = "prices" });
await clusterB.Global.RegisterNameAsync("prices", started.Pid);
var price = await GenServer.CallAsync(ServerRef.Remote("prices", "b@local", a), new Quote("tea"));
Console.WriteLine($"tea costs {price} (asked from a)");
Console.WriteLine($"global prices is {clusterA.Global.WhereIsName("prices")} on {clusterA.Global.WhereIsName("prices")!.Value.Node.Name}");

// A process on a monitors the server and node b; b crashes: the monitor fires with noconnection, the node monitor
// with nodedown, and the global name is released.
var watching = new TaskCompletionSource();
var seen = new TaskCompletionSource<(DownMessage, NodeDown)>();
a.Spawn(async ctx =>
{
    ctx.Monitor(clusterA.Global.WhereIsName("prices")!.Value);
    ctx.MonitorNode("b@local");
    await GenServer.CallAsync(ServerRef.Remote("prices", "b@local"), new Quote("tea")); // after the monitor, in order
    watching.SetResult();
    seen.SetResult((await ctx.ReceiveAsync<DownMessage>(), await ctx.ReceiveAsync<NodeDown>()));
});
await watching.Task;
network.Crash("b@local");
var (down, nodeDown) = await seen.Task;
Console.WriteLine($"b crashed: {down.Reason}, then {nodeDown}");
Console.WriteLine($"global prices is {clusterA.Global.WhereIsName("prices")?.ToString() ?? "undefined"}");

static DistributionOptions Options(string name)
{
    var options = new DistributionOptions { NodeName = name };
    options.Messages.Allow<Quote>(); // user types cross nodes only when listed, on both sides
    return options;
}

public sealed record Quote(string Item) : ICall<decimal>;

sealed class Prices : GenServer<int>
{
    public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(0);

    public override ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken) =>
        request is Quote { Item: "tea" } ? Reply(2.5m, state) : Reply(0m, state);
}
