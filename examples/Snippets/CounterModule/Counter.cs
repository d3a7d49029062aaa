using Otp.Net.Code;
using Otp.Net.GenServers;
using Otp.Net.Terms;

namespace Counter;

public sealed record CounterState(int Count, bool Upgraded, IReadOnlyList<string> Log);  // v3's state

public sealed record CounterStateV2(int Count, bool Upgraded);   // v2's state, declared again by v3: no v2 type needed

[OtpModule("counter", Vsn = "3")]
public sealed class CounterServer : GenServer<CounterState>
{
    public override ValueTask<InitResult<CounterState>> InitAsync(object? args, CancellationToken ct) =>
        new(Ok(new CounterState(args is int n ? n : 0, false, [])));

    public override ValueTask<ServerResult<CounterState>> HandleCallAsync(object request, From from, CounterState state, CancellationToken ct) =>
        new(request is "incr" ? Reply(state.Count + 3, state with { Count = state.Count + 3 }) : Reply(state.Count, state));

    public override ValueTask<CodeChangeResult<CounterState>> CodeChangeAsync(object? oldVsn, object? oldState, object? extra, CancellationToken ct)
    {
        var old = ((StateTerm)oldState!).As<CounterStateV2>();                // v2's record, read as data
        return new(CodeChangeResult<CounterState>.Ok(new CounterState(old.Count, old.Upgraded, [$"from {oldVsn}"])));
    }
}
