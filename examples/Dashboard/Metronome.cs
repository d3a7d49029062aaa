using Otp.Net.GenServers;

namespace Dashboard;

/// <summary>
/// A plain worker: every beat it pokes each ticker by its registered name, so the dashboard has message rates to show.
/// Its state is the number of beats so far. It is not marked <c>[ExposeStatus]</c>: the dashboard shows that its state
/// is not exposed, where the tickers show what their <c>FormatStatus</c> returns.
/// </summary>
public sealed class Metronome : GenServer<int>
{
    /// <summary>The time between two beats.</summary>
    public static readonly TimeSpan Beat = TimeSpan.FromMilliseconds(250);

    /// <summary>The registered names of the tickers it pokes.</summary>
    public static readonly string[] Tickers = ["ticker_1", "ticker_2", "ticker_3"];

    public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken)
    {
        Self.Node.SendAfter(Beat, Self.Self, "beat");
        return Ok(0);
    }

    public override ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken) =>
        Reply(request is "beats" ? state : (object)Otp.Net.Terms.Atom.Of("unknown"), state);

    public override ValueTask<ServerResult<int>> HandleInfoAsync(object message, int state, CancellationToken cancellationToken)
    {
        if (message is not "beat") return NoReply(state);
        foreach (var ticker in Tickers) GenServer.Cast(ServerRef.Local(ticker), "poke"); // a cast to a name not (yet) registered is dropped
        Self.Node.SendAfter(Beat, Self.Self, "beat");
        return NoReply(state + 1);
    }
}
