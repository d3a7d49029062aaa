using Otp.Net.Code;
using Otp.Net.GenServers;

namespace Benchmarks.UpgradeServer;

/// <summary>W7 v1: the state is an integer; incr adds one and replies the new value.</summary>
[OtpModule("upgrade_server", Vsn = "1")]
public sealed class Server : GenServer<int>
{
    public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(0);

    public override ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken) =>
        request is "incr" ? Reply(state + 1, state + 1) : Reply(state, state);
}
