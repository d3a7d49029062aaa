using Otp.Net.GenServers;

namespace Tracing;

/// <summary>A request to the orders server.</summary>
public sealed record PlaceOrder(string Item);

/// <summary>A request to the stock server.</summary>
public sealed record Reserve(string Item) : ICall<bool>;

/// <summary>Takes an order by reserving the item with the stock server: a call inside a call, one trace.</summary>
public sealed class Orders : GenServer<int>
{
    public override string ModuleName => "orders";

    public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(0);

    public override async ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int taken, CancellationToken cancellationToken)
    {
        if (request is not PlaceOrder order) return Reply("unknown request", taken);
        var reserved = await GenServer.CallAsync(ServerRef.Local("stock"), new Reserve(order.Item), cancellationToken: cancellationToken);
        return reserved ? Reply($"order {taken + 1}: {order.Item} reserved", taken + 1) : Reply($"{order.Item} is sold out", taken);
    }
}

/// <summary>Holds how many items are left.</summary>
public sealed class Stock : GenServer<int>
{
    public override string ModuleName => "stock";

    public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(args is int n ? n : 3);

    public override ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int left, CancellationToken cancellationToken) =>
        request is Reserve reserve ? (left > 0 ? Reply(reserve, true, left - 1) : Reply(reserve, false, left)) : Reply(false, left);
}
