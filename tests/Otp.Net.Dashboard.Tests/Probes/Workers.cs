using Otp.Net.GenServers;

namespace Otp.Net.Dashboard.Tests.Probes;

/// <summary>A plain worker for the probes' trees.</summary>
internal sealed class ProbeWorker : GenServer<int>
{
    public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(0);

    public override ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Reply(state, state));
}
