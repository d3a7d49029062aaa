using Otp.Net.GenServers;

namespace Otp.Net.Dashboard.Tests.Browser;

/// <summary>The example's plain worker: every 250 ms it casts "poke" to each ticker by name, so there are message rates to show.</summary>
public sealed class Metronome : GenServer<int>
{
    private static readonly TimeSpan Beat = TimeSpan.FromMilliseconds(250);

    public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken)
    {
        Self.Node.SendAfter(Beat, Self.Self, "beat");
        return Ok(0);
    }

    public override ValueTask<ServerResult<int>> HandleInfoAsync(object message, int state, CancellationToken cancellationToken)
    {
        if (message is not "beat") return NoReply(state);
        foreach (var ticker in (string[])["ticker_1", "ticker_2", "ticker_3"]) GenServer.Cast(ServerRef.Local(ticker), "poke");
        Self.Node.SendAfter(Beat, Self.Self, "beat");
        return NoReply(state + 1);
    }
}
