using Otp.Net;
using Otp.Net.GenServers;
using Otp.Net.Registries;
using Otp.Net.Sys;

await using var node = new Node();

// A registry with unique keys: one account server per account id.
await Registry.StartLinkAsync(node, new RegistryOptions(RegistryKeys.Unique) { Name = "accounts" });
var accounts = ServerRef.Named(node, "accounts");

// {via, Registry, {accounts, "alice"}}: the server registers itself at start; calls and casts find it through the registry.
var alice = Registry.Via(accounts, "alice");
var pid = (await GenServer.StartAsync(node, new Account(), null, new GenServerOptions { Name = alice })).GetPidOrThrow();
GenServer.Cast(alice, new Deposit(40m));
GenServer.Cast(alice, new Deposit(2m));
Console.WriteLine($"balance: {await GenServer.CallAsync<decimal>(alice, new Balance())}");
Console.WriteLine($"lookup finds the server: {Registry.Lookup(accounts, "alice").Single().Pid == pid}");

// The name is taken: a second server is not started.
var again = await GenServer.StartAsync(node, new Account(), null, new GenServerOptions { Name = alice });
Console.WriteLine($"second start: {again.Error}");

// A registry with duplicate keys as pub/sub: every subscriber registers under the topic; dispatch reaches them all.
await Registry.StartLinkAsync(node, new RegistryOptions(RegistryKeys.Duplicate) { Name = "topics" });
var topics = ServerRef.Named(node, "topics");
var subscribed = new CountdownEvent(3);
var received = new List<string>();
var exits = new List<Task<Otp.Net.Processes.ExitReason>>();
foreach (var name in new[] { "ann", "bo", "cy" })
{
    var subscriber = node.Spawn(async ctx =>
    {
        Registry.Register(topics, "news", name); // registers the calling process, with a value
        subscribed.Signal();
        var message = await ctx.ReceiveAsync();
        lock (received) received.Add($"{name} got {message}");
    });
    exits.Add(node.WaitForExitAsync(subscriber));
}
subscribed.Wait();
Registry.Dispatch(topics, "news", entries =>
{
    foreach (var entry in entries) node.Send(entry.Pid, $"hello {entry.Value}");
});
await Task.WhenAll(exits);
foreach (var line in received.Order()) Console.WriteLine(line);

// Entries go when their process does: the registry is linked to it and removes them when the exit reaches it.
await SysOps.GetStateAsync(topics); // a sys request queues behind those exits
Console.WriteLine($"news entries left: {Registry.Count(topics)}");

sealed record Deposit(decimal Amount);

sealed record Balance;

sealed class Account : GenServer<decimal>
{
    public override ValueTask<InitResult<decimal>> InitAsync(object? args, CancellationToken cancellationToken) => new(Ok(0m));

    public override ValueTask<ServerResult<decimal>> HandleCallAsync(object request, From from, decimal balance, CancellationToken cancellationToken) =>
        new(Reply(balance, balance));

    public override ValueTask<ServerResult<decimal>> HandleCastAsync(object request, decimal balance, CancellationToken cancellationToken) =>
        request is Deposit d ? new(NoReply(balance + d.Amount)) : new(NoReply(balance));
}
