using Otp.Net.GenServers;
using Otp.Net.Tasks;

namespace Otp.Net.Tests.Tasks;

public sealed class AgentTests : IDisposable
{
    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    [Fact] // D3
    public async Task Agent_GetUpdateGetAndUpdateCast()
    {
        var agent = (await Agent<int>.StartLinkAsync(_node, () => 1)).Pid;
        (await Agent<int>.GetAsync(agent, s => s * 10)).Should().Be(10);
        await Agent<int>.UpdateAsync(agent, s => s + 1);
        (await Agent<int>.GetAndUpdateAsync(agent, s => (s, s * 100))).Should().Be(2);
        Agent<int>.Cast(agent, s => s + 1);
        (await Agent<int>.GetAsync(agent, s => s)).Should().Be(201);
    }

    [Fact] // D3: cast always returns, even to a dead agent; calls default to a 5 s timeout
    public async Task Agent_CastToDeadAgentSucceeds_GetOnDeadAgentExitsNoProc()
    {
        var agent = (await Agent<int>.StartLinkAsync(_node, () => 0)).Pid;
        await GenServer.StopAsync(agent);
        FluentActions.Invoking(() => Agent<int>.Cast(agent, s => s)).Should().NotThrow();
        (await FluentActions.Awaiting(() => Agent<int>.GetAsync(agent, s => s)).Should().ThrowAsync<CallException>())
            .Which.CallReason.Should().Be(Otp.Net.Processes.ExitReason.NoProc);
        GenServer.DefaultCallTimeout.Should().Be(TimeSpan.FromSeconds(5));
    }
}
