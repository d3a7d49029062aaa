using Microsoft.Extensions.Logging;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Counters;

/// <summary>The seed's CounterV6 state: the count, its tick timer, and who asked it to stop gracefully.</summary>
public sealed record CounterState(int Current, Ref? Timer, From? Terminator);

/// <summary>
/// The seed's CounterV6 (003 Part 2): ticks every 100 ms; <c>stop_gracefully</c> makes it stop only when the count
/// reaches a multiple of 10, then replies <c>ok</c> and stops normally.
/// </summary>
public sealed class Counter(ILogger<Counter> logger) : GenServer<CounterState>
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    public override ValueTask<InitResult<CounterState>> InitAsync(object? args, CancellationToken cancellationToken)
    {
        Self.TrapExit = true;
        return Ok(new CounterState((int)args!, Self.Node.StartTimer(Interval, Self.Self, Atom.Of("tick")), null));
    }

    public override ValueTask<ServerResult<CounterState>> HandleCallAsync(object request, From from, CounterState state, CancellationToken cancellationToken) => request switch
    {
        "get" => Reply(state.Current, state),
        "stop_gracefully" when state.Terminator is not null => Reply(Atom.Of("already_stopping"), state),
        "stop_gracefully" => NoReply(state with { Terminator = from }),
        _ => Reply(Atom.Of("unknown"), state),
    };

    public override ValueTask<ServerResult<CounterState>> HandleInfoAsync(object message, CounterState state, CancellationToken cancellationToken)
    {
        if (message is not Otp.Net.Timers.TimeoutMessage) return NoReply(state);
        var next = state.Current + 1;
        if (state.Terminator is { } terminator && next % 10 == 0)
        {
            GenServer.Reply(terminator, Atom.Of("ok"));
            return Stop(ExitReason.Normal, state with { Current = next, Timer = null });
        }
        return NoReply(state with { Current = next, Timer = Self.Node.StartTimer(Interval, Self.Self, Atom.Of("tick")) });
    }

    public override ValueTask TerminateAsync(ExitReason reason, CounterState state, CancellationToken cancellationToken)
    {
        logger.LogInformation("terminating with {Reason}, counter is {Current}", reason, state.Current);
        return ValueTask.CompletedTask;
    }
}
