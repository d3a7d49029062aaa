using Otp.Net.Code;
using Otp.Net.GenServers;

namespace Benchmarks.UpgradeServer;

/// <summary>W7 v2's state: {count => N, upgraded => true}.</summary>
public sealed record State(int Count, bool Upgraded);

/// <summary>W7 v2: the same requests on the new shape; CodeChange turns v1's integer into the record.</summary>
[OtpModule("upgrade_server", Vsn = "2")]
public sealed class Server : GenServer<State>
{
    public override ValueTask<InitResult<State>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(new State(0, true));

    public override ValueTask<ServerResult<State>> HandleCallAsync(object request, From from, State state, CancellationToken cancellationToken) =>
        request is "incr" ? Reply(state.Count + 1, state with { Count = state.Count + 1 }) : Reply(state, state);

    public override ValueTask<CodeChangeResult<State>> CodeChangeAsync(object? oldVersion, object? oldState, object? extra, CancellationToken cancellationToken) =>
        CodeChangeResult<State>.Ok(new State((int)oldState!, true));
}
