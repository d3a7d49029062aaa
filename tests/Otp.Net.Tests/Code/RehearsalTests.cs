using Otp.Net.Code;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Sys;
using Otp.Net.Terms;

namespace Otp.Net.Tests.Code;

/// <summary>
/// A rehearsed code change (<see cref="SystemOp.RehearseChange"/>): the new version's CodeChange runs on a copy of the
/// state with the checks of <c>change_code</c> (S5), suspended or not, and the process keeps its state, code and binding.
/// </summary>
public sealed class RehearsalTests : IDisposable
{
    private static readonly TimeSpan SysTimeout = TimeSpan.FromSeconds(5);

    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    private CodeServer Code => _node.Code;

    private Task<RehearsalOutcome> RehearseAsync(Pid pid, string module, string vsn) =>
        CodeServer.RehearseAsync(pid.Process!, Code.FindVersion(module, vsn)!, "1", null, SysTimeout);

    [Theory] // S4, S5: v2's CodeChange (int -> record) succeeds on a copy; the process still runs v1 on its int
    [InlineData(false)]
    [InlineData(true)]
    public async Task Rehearse_IntStateToRecord_Ok_ProcessKeepsStateAndVersion(bool suspended)
    {
        await Code.LoadAsync(Fixtures.Counter(1));
        var pid = (await Code.StartGenServerAsync("counter", 7)).GetPidOrThrow();
        await Code.LoadAsync(Fixtures.Counter(2));
        if (suspended) await SysOps.SuspendAsync(pid);

        var outcome = await RehearseAsync(pid, "counter", "2");

        outcome.Kind.Should().Be(RehearsalKind.Ok);
        (await SysOps.GetStateAsync(pid)).Should().Be(7);
        if (suspended) await SysOps.ResumeAsync(pid);
        (await GenServer.CallAsync(pid, "version")).Should().Be("1");
        Code.CheckProcessCode(pid, "counter").Should().BeTrue();
    }

    [Fact] // S5: a state of the module's own record type reaches the rehearsed CodeChange as terms; the real one is untouched
    public async Task Rehearse_ModuleRecordState_Ok_StateObjectUnchanged()
    {
        await Code.LoadAsync(Fixtures.Recorder(1), "recorder");
        var pid = (await Code.StartGenServerAsync("recorder")).GetPidOrThrow();
        await GenServer.CallAsync(pid, ("add", "a"));
        var state = await SysOps.GetStateAsync(pid);
        await Code.LoadAsync(Fixtures.Recorder(2), "recorder");

        (await RehearseAsync(pid, "recorder", "2")).Kind.Should().Be(RehearsalKind.Ok);

        (await SysOps.GetStateAsync(pid)).Should().BeSameAs(state);
        (await GenServer.CallAsync(pid, "summary")).Should().Be("v1 1 a v1");
    }

    [Fact] // S5: a CodeChange that refuses fails the rehearsal with the term change_code would return
    public async Task Rehearse_CodeChangeRefuses_FailedWithChangeCodeTerm()
    {
        await Code.LoadAsync(Fixtures.Recorder(1), "cyclic");
        var pid = (await Code.StartGenServerAsync("cyclic", "refuse")).GetPidOrThrow();
        await Code.LoadAsync(Fixtures.Recorder(2), "cyclic");

        var outcome = await RehearseAsync(pid, "cyclic", "2");

        outcome.Kind.Should().Be(RehearsalKind.Failed);
        TermFormatter.Format(outcome.Error).Should().StartWith("{error,{error,{refused,");
        (await GenServer.CallAsync(pid, "version")).Should().Be("1");
    }

    [Fact] // S5: a state the real change cannot convert (a cycle through old records) fails the rehearsal the same way
    public async Task Rehearse_CyclicOldState_FailedLikeTheRealChange()
    {
        await Code.LoadAsync(Fixtures.Recorder(1), "cyclic");
        var pid = (await Code.StartGenServerAsync("cyclic")).GetPidOrThrow();
        await GenServer.CallAsync(pid, "loop");
        await Code.LoadAsync(Fixtures.Recorder(2), "cyclic");

        var outcome = await RehearseAsync(pid, "cyclic", "2");

        outcome.Kind.Should().Be(RehearsalKind.Failed);
        TermFormatter.Format(outcome.Error).Should().Contain("Cycle");
        await SysOps.SuspendAsync(pid);
        (await SysOps.ChangeCodeAsync(pid, null, "1", null)).ToString().Should().Be(TermFormatter.Format(outcome.Error));
        await SysOps.ResumeAsync(pid);
    }

    [Fact] // S8: a pid in a state is a handle, not data: the state does not reach the old version through the pid's process
    public async Task Load_SharedStateHoldingAPid_NextMessageMovesToNewVersion()
    {
        await Code.LoadAsync(Fixtures.Kv(0));
        var kv = (await Code.StartGenServerAsync("kv")).GetPidOrThrow();
        await GenServer.CallAsync(kv, ("put", "self", (object)kv));
        await Code.LoadAsync(Fixtures.Kv(1));

        (await GenServer.CallAsync(kv, ("get", "self"))).Should().Be(kv);

        Code.CheckProcessCode(kv, "kv").Should().BeFalse();
        _node.GetProcessInfo(kv)!.CurrentModule.Should().Be("kv 1");
    }
}
