using Otp.Net.Code;
using Otp.Net.GenServers;
using Otp.Net.Terms;

namespace Soak.Counter;

/// <summary>Version 2's state: version 1's record plus the number of upgrades it went through.</summary>
public sealed record Tally(long Count, long Ticks, int Upgrades);

/// <summary>Version 1's state, as version 2 reads it when it replaces version 1.</summary>
public sealed record TallyV1(long Count, long Ticks);

/// <summary>Version 2 of the counter: the same requests on the new shape.</summary>
[OtpModule("soak_counter", Vsn = "2")]
public sealed class Counter : GenServer<Tally>
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    public override ValueTask<InitResult<Tally>> InitAsync(object? args, CancellationToken cancellationToken)
    {
        Self.Node.SendAfter(Interval, Self.Self, "tick");
        return Ok(new Tally(0, 0, 0));
    }

    public override ValueTask<ServerResult<Tally>> HandleCallAsync(object request, From from, Tally state, CancellationToken cancellationToken) => request switch
    {
        "incr" => Reply(state.Count + 1, state with { Count = state.Count + 1 }),
        "count" => Reply(state.Count, state),
        _ => Reply("2", state),
    };

    public override ValueTask<ServerResult<Tally>> HandleInfoAsync(object message, Tally state, CancellationToken cancellationToken)
    {
        if (message is not "tick") return NoReply(state);
        Self.Node.SendAfter(Interval, Self.Self, "tick");
        return NoReply(state with { Ticks = state.Ticks + 1 });
    }

    public override ValueTask<CodeChangeResult<Tally>> CodeChangeAsync(object? oldVersion, object? oldState, object? extra, CancellationToken cancellationToken)
    {
        var old = ((StateTerm)oldState!).As<TallyV1>();
        return CodeChangeResult<Tally>.Ok(new Tally(old.Count, old.Ticks, 1));
    }
}
