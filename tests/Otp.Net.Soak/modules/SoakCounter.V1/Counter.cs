using Otp.Net.Code;
using Otp.Net.GenServers;
using Otp.Net.Terms;

namespace Soak.Counter;

/// <summary>Version 1's state: a record of this assembly.</summary>
public sealed record Tally(long Count, long Ticks);

/// <summary>Version 2's state, as version 1 reads it when it replaces version 2.</summary>
public sealed record TallyV2(long Count, long Ticks, int Upgrades);

/// <summary>A counter with a timer: "incr" adds one and replies the count; a tick every 20 ms.</summary>
[OtpModule("soak_counter", Vsn = "1")]
public sealed class Counter : GenServer<Tally>
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    public override ValueTask<InitResult<Tally>> InitAsync(object? args, CancellationToken cancellationToken)
    {
        Self.Node.SendAfter(Interval, Self.Self, "tick");
        return Ok(new Tally(0, 0));
    }

    public override ValueTask<ServerResult<Tally>> HandleCallAsync(object request, From from, Tally state, CancellationToken cancellationToken) => request switch
    {
        "incr" => Reply(state.Count + 1, state with { Count = state.Count + 1 }),
        "count" => Reply(state.Count, state),
        _ => Reply("1", state),
    };

    public override ValueTask<ServerResult<Tally>> HandleInfoAsync(object message, Tally state, CancellationToken cancellationToken)
    {
        if (message is not "tick") return NoReply(state);
        Self.Node.SendAfter(Interval, Self.Self, "tick");
        return NoReply(state with { Ticks = state.Ticks + 1 });
    }

    public override ValueTask<CodeChangeResult<Tally>> CodeChangeAsync(object? oldVersion, object? oldState, object? extra, CancellationToken cancellationToken)
    {
        var old = ((StateTerm)oldState!).As<TallyV2>();
        return CodeChangeResult<Tally>.Ok(new Tally(old.Count, old.Ticks));
    }
}
