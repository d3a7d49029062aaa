using System.Globalization;
using Otp.Net.Code;
using Otp.Net.Diagnostics;
using Otp.Net.GenServers;
using Otp.Net.Terms;

namespace Dashboard.Ticker;

/// <summary>
/// Ticker v1: counts its own ticks (one every <c>IntervalMs</c>, the start argument) and the pokes other processes cast
/// to it. The state is a value tuple of framework types, so the next version can read it after a live upgrade.
/// </summary>
[OtpModule("ticker", Vsn = "1.0.0")]
[ExposeStatus]
public sealed class Ticker : GenServer<(int Ticks, int Pokes, int IntervalMs)>
{
    public override ValueTask<InitResult<(int Ticks, int Pokes, int IntervalMs)>> InitAsync(object? args, CancellationToken cancellationToken)
    {
        var interval = args is int ms and > 0 ? ms : 1000;
        Self.Node.SendAfter(TimeSpan.FromMilliseconds(interval), Self.Self, "tick");
        return Ok((0, 0, interval));
    }

    public override ValueTask<ServerResult<(int Ticks, int Pokes, int IntervalMs)>> HandleCallAsync(object request, From from, (int Ticks, int Pokes, int IntervalMs) state, CancellationToken cancellationToken) => request switch
    {
        "ticks" => Reply(state.Ticks, state),
        "version" => Reply("1.0.0", state),
        _ => Reply(Atom.Of("unknown"), state),
    };

    public override ValueTask<ServerResult<(int Ticks, int Pokes, int IntervalMs)>> HandleCastAsync(object request, (int Ticks, int Pokes, int IntervalMs) state, CancellationToken cancellationToken) =>
        NoReply(request is "poke" ? state with { Pokes = state.Pokes + 1 } : state);

    public override ValueTask<ServerResult<(int Ticks, int Pokes, int IntervalMs)>> HandleInfoAsync(object message, (int Ticks, int Pokes, int IntervalMs) state, CancellationToken cancellationToken)
    {
        if (message is not "tick") return NoReply(state);
        Self.Node.SendAfter(TimeSpan.FromMilliseconds(state.IntervalMs), Self.Self, "tick");
        return NoReply(state with { Ticks = state.Ticks + 1 });
    }

    /// <summary>What the dashboard shows of the state.</summary>
    public override object? FormatStatus((int Ticks, int Pokes, int IntervalMs) state) =>
        string.Create(CultureInfo.InvariantCulture, $"v1: {state.Ticks} ticks every {state.IntervalMs} ms, {state.Pokes} pokes");
}
