using Otp.Net;
using Otp.Net.GenServers;

await using var node = new Node();
await GenServer.StartAsync(node, new PriceServer(), null, new GenServerOptions { Name = "prices" });
var prices = ServerRef.Named(node, "prices");

// One request: send now, do other work, take the response later.
var request = GenServer.SendRequest(prices, new GetPrice("ACME"));
var response = await GenServer.ReceiveResponseAsync(request, TimeSpan.FromSeconds(5));
Console.WriteLine($"{response.Kind}: {response.Reply}");

// A collection: requests to several servers, each with a label; responses come as they arrive.
var requests = new RequestIdCollection();
GenServer.SendRequest(prices, new GetPrice("ACME"), "acme", requests);
GenServer.SendRequest(prices, new GetPrice("UNKNOWN"), "unknown", requests); // crashes the server
GenServer.SendRequest(ServerRef.Named(node, "no_such_server"), new GetPrice("ACME"), "nobody", requests);
var lines = new List<string>();
while (requests.Count > 0)
{
    var r = await GenServer.ReceiveResponseAsync(requests, TimeSpan.FromSeconds(5));
    lines.Add($"{r.Label}: {r.Kind} {(r.IsReply ? r.Reply : r.Reason)}");
}
foreach (var line in lines.Order()) Console.WriteLine(line);

sealed record GetPrice(string Symbol);

sealed class PriceServer : GenServer<Dictionary<string, decimal>>
{
    public override ValueTask<InitResult<Dictionary<string, decimal>>> InitAsync(object? args, CancellationToken cancellationToken) =>
        new(Ok(new Dictionary<string, decimal> { ["ACME"] = 12.5m }));

    public override ValueTask<ServerResult<Dictionary<string, decimal>>> HandleCallAsync(object request, From from, Dictionary<string, decimal> prices, CancellationToken cancellationToken) =>
        new(Reply(prices[((GetPrice)request).Symbol], prices)); // an unknown symbol throws: the server crashes
}
