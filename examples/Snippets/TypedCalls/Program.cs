using Otp.Net;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;
using Otp.Net.Terms;

await using var node = new Node();
var bank = (await GenServer.StartAsync(node, new Bank())).GetPidOrThrow();

// The request declares its reply type: the result is a decimal, checked at compile time.
decimal balance = await GenServer.CallAsync(bank, new Deposit("alice", 25m));
Console.WriteLine($"balance: {balance}");

// A server that replies with the wrong type: the caller gets a typed error, the server keeps running.
try
{
    await GenServer.CallAsync(bank, new GetBalanceText("alice"));
}
catch (CallReplyTypeException ex)
{
    Console.WriteLine($"wrong reply type: expected {ex.ExpectedType}, got {ex.ReplyType}");
}

// A timeout is a TimeoutException that still carries OTP's exit term.
try
{
    await GenServer.CallAsync(bank, new Hang(), TimeSpan.FromMilliseconds(50));
}
catch (TimeoutException ex) when (ex is ICallFailure failure)
{
    Console.WriteLine($"timeout: {TermFormatter.Format(failure.Reason, v => v is Pid ? "Bank" : null)}");
}

// Any failed call, whatever its type, through ICallFailure.
await GenServer.StopAsync(bank);
try
{
    await GenServer.CallAsync(bank, new GetBalance("alice"));
}
catch (Exception ex) when (ex is ICallFailure failure)
{
    Console.WriteLine($"{ex.GetType().Name}: {TermFormatter.Format(failure.Reason, v => v is Pid ? "Bank" : null)}");
}

// One child-id type: an id from configuration (an atom) equals the same id written as a string.
ChildId fromConfig = Atom.Of("worker1");
ChildId fromCode = "worker1";
Console.WriteLine($"same id: {fromConfig == fromCode}, printed as {(ChildId)"MyApp.Worker"}");

public sealed record Deposit(string Account, decimal Amount) : ICall<decimal>;

public sealed record GetBalance(string Account) : ICall<decimal>;

public sealed record GetBalanceText(string Account) : ICall<decimal>;

public sealed record Hang : ICall<decimal>;

public sealed class Bank : GenServer<Dictionary<string, decimal>>
{
    public override ValueTask<InitResult<Dictionary<string, decimal>>> InitAsync(object? args, CancellationToken cancellationToken) =>
        Ok(new Dictionary<string, decimal>());

    public override ValueTask<ServerResult<Dictionary<string, decimal>>> HandleCallAsync(
        object request, From from, Dictionary<string, decimal> state, CancellationToken cancellationToken)
    {
        switch (request)
        {
            case Deposit d:
                state[d.Account] = state.GetValueOrDefault(d.Account) + d.Amount;
                return Reply(d, state[d.Account], state); // typed: Reply(d, "text", state) does not compile
            case GetBalance q:
                return Reply(q, state.GetValueOrDefault(q.Account), state);
            case GetBalanceText t:
                return Reply((object)$"{state.GetValueOrDefault(t.Account)} EUR", state); // untyped: checked at run time
            case Hang:
                return NoReply(state);
            default:
                return base.HandleCallAsync(request, from, state, cancellationToken);
        }
    }
}
