using System.Globalization;
using Otp.Net.Code;
using Otp.Net.Diagnostics;
using Otp.Net.GenServers;
using Otp.Net.Terms;

namespace Dashboard.Ticker;

/// <summary>v2's state: v1's counts, plus laps of ten ticks and when this process moved to v2 (null if it started on v2).</summary>
public sealed record TickerState(int Ticks, int Pokes, int IntervalMs, int Laps, DateTimeOffset? UpgradedAt);

/// <summary>
/// Ticker v2: the same ticks and pokes, plus a lap every ten ticks. <see cref="CodeChangeAsync"/> turns v1's tuple into
/// the record during a live upgrade (and back on a downgrade), so a running ticker keeps its counts.
/// </summary>
[OtpModule("ticker", Vsn = "2.0.0")]
[ExposeStatus]
public sealed class Ticker : GenServer<TickerState>
{
    public override ValueTask<InitResult<TickerState>> InitAsync(object? args, CancellationToken cancellationToken)
    {
        var interval = args is int ms and > 0 ? ms : 1000;
        Self.Node.SendAfter(TimeSpan.FromMilliseconds(interval), Self.Self, "tick");
        return Ok(new TickerState(0, 0, interval, 0, null));
    }

    public override ValueTask<ServerResult<TickerState>> HandleCallAsync(object request, From from, TickerState state, CancellationToken cancellationToken) => request switch
    {
        "ticks" => Reply(state.Ticks, state),
        "laps" => Reply(state.Laps, state),
        "version" => Reply("2.0.0", state),
        _ => Reply(Atom.Of("unknown"), state),
    };

    public override ValueTask<ServerResult<TickerState>> HandleCastAsync(object request, TickerState state, CancellationToken cancellationToken) =>
        NoReply(request is "poke" ? state with { Pokes = state.Pokes + 1 } : state);

    public override ValueTask<ServerResult<TickerState>> HandleInfoAsync(object message, TickerState state, CancellationToken cancellationToken)
    {
        if (message is not "tick") return NoReply(state);
        Self.Node.SendAfter(TimeSpan.FromMilliseconds(state.IntervalMs), Self.Self, "tick");
        var ticks = state.Ticks + 1;
        return NoReply(state with { Ticks = ticks, Laps = ticks / 10 });
    }

    public override ValueTask<CodeChangeResult<TickerState>> CodeChangeAsync(object? oldVersion, object? oldState, object? extra, CancellationToken cancellationToken)
    {
        if (oldVersion is TermTuple { Length: 2 } down && down[0] is Atom { Name: "down" })
        {
            var s = (TickerState)oldState!;
            return CodeChangeResult<TickerState>.OkAs((s.Ticks, s.Pokes, s.IntervalMs)); // back to v1's tuple
        }
        var (ticks, pokes, interval) = ((int, int, int))oldState!;
        return CodeChangeResult<TickerState>.Ok(new TickerState(ticks, pokes, interval, ticks / 10, DateTimeOffset.UtcNow));
    }

    /// <summary>What the dashboard shows of the state.</summary>
    public override object? FormatStatus(TickerState state) => string.Create(CultureInfo.InvariantCulture,
        $"v2: {state.Ticks} ticks every {state.IntervalMs} ms ({state.Laps} laps), {state.Pokes} pokes{(state.UpgradedAt is { } at ? $", upgraded from v1 at {at:HH:mm:ss}" : "")}");
}
