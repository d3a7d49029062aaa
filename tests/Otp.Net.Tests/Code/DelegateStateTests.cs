using Otp.Net.Code;
using Otp.Net.GenServers;

namespace Otp.Net.Tests.Code;

/// <summary>
/// A state holding a delegate into its module version's own code (Erlang's fun in state, the badfun class of upgrade
/// bugs) cannot move to a new version: the upgrade is refused and rolled back, the process stays as it was.
/// </summary>
public sealed class DelegateStateTests : IDisposable
{
    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    [Fact] // C4 (deviation: refused at the change, where OTP raises badfun after the purge); S5: the process keeps its old state
    public async Task Upgrade_StateHoldsALambdaOfTheOldVersion_Refused_ProcessKeepsItsVersionAndState()
    {
        await _node.Code.LoadAsync(Fixtures.Diff("V1"), "callbacks");
        var pid = (await _node.Code.StartGenServerAsync("callbacks", null)).GetPidOrThrow();

        var upgrade = () => _node.Code.UpgradeAsync("callbacks", Fixtures.Diff("V2Bad"));
        var failed = (await upgrade.Should().ThrowAsync<UpgradeFailedException>()).Which;
        failed.Process.Should().Be(pid);
        failed.Message.Should().Contain("OldVersionObject").And.Contain("\"Next\"").And.Contain("Fixtures.Diff.Callbacks");

        _node.Code.Versions("callbacks").Should().ContainSingle(v => v.Status == ModuleStatus.Current).Which.Version.Should().Be("1");
        (await Otp.Net.Sys.SysOps.GetStateAsync(pid)).Should().NotBeNull();
        _node.IsAlive(pid).Should().BeTrue();
    }
}
