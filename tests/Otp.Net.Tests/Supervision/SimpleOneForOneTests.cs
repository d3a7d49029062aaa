using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;
using Otp.Net.Terms;

namespace Otp.Net.Tests.Supervision;

public sealed class SimpleOneForOneTests : IDisposable
{
    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    /// <summary>A worker that answers any call with the arguments it was started with.</summary>
    private sealed class ArgsServer : GenServer<IReadOnlyList<object?>>
    {
        public override ValueTask<InitResult<IReadOnlyList<object?>>> InitAsync(object? args, CancellationToken cancellationToken) =>
            Ok((IReadOnlyList<object?>)args!);

        public override ValueTask<ServerResult<IReadOnlyList<object?>>> HandleCallAsync(object request, From from, IReadOnlyList<object?> state, CancellationToken cancellationToken) =>
            Reply(new TermList(state.ToArray()), state);
    }

    private static ChildSpec Template() =>
        ChildSpec.Template(Atom.Of("worker"), (node, args) => GenServer.StartLinkAsync(node, new ArgsServer(), args), Atom.Of("base"));

    private async Task<Pid> StartSup() =>
        (await Supervisor.StartLinkAsync(_node, new SupervisorFlags { Strategy = Strategy.SimpleOneForOne, Intensity = 5 }, [Template()])).GetPidOrThrow();

    [Fact] // U18: start_child appends ExtraArgs to the template's arguments
    public async Task StartChild_AppendsExtraArgsToTemplateArgs()
    {
        var sup = await StartSup();
        var child = (await Supervisor.StartChildAsync(sup, [Atom.Of("extra"), 7])).GetPidOrThrow();
        (await GenServer.CallAsync(child, "args"))!.ToString().Should().Be("[base,extra,7]");
    }

    [Fact] // U18: terminate_child takes a pid only; an id, restart_child and delete_child give {error, simple_one_for_one}
    public async Task IdOperations_GiveSimpleOneForOneError_TerminateByPidWorks()
    {
        var sup = await StartSup();
        var child = (await Supervisor.StartChildAsync(sup, [1])).GetPidOrThrow();
        (await Supervisor.TerminateChildAsync(sup, Atom.Of("worker"))).ToString().Should().Be("{error,simple_one_for_one}");
        (await Supervisor.RestartChildAsync(sup, Atom.Of("worker"))).ToString().Should().Be("{error,simple_one_for_one}");
        (await Supervisor.DeleteChildAsync(sup, Atom.Of("worker"))).ToString().Should().Be("{error,simple_one_for_one}");
        (await Supervisor.TerminateChildAsync(sup, child)).IsOk.Should().BeTrue();
        _node.IsAlive(child).Should().BeFalse();
    }

    [Fact] // U18: which_children reports ids as undefined; specs is 1
    public async Task WhichAndCountChildren_IdsUndefined_SpecsIsOne()
    {
        var sup = await StartSup();
        await Supervisor.StartChildAsync(sup, [1]);
        await Supervisor.StartChildAsync(sup, [2]);
        (await Supervisor.WhichChildrenAsync(sup)).Should().HaveCount(2).And.OnlyContain(c => c.Id == null);
        (await Supervisor.CountChildrenAsync(sup)).Should().Be(new ChildCounts(1, 2, 0, 2));
    }

    [Fact] // U18: a crashed child is restarted with the same arguments
    public async Task CrashedChild_RestartedWithSameArgs()
    {
        var sup = await StartSup();
        var child = (await Supervisor.StartChildAsync(sup, [42])).GetPidOrThrow();
        _node.Exit(child, ExitReason.Kill);
        var restarted = (await Supervisor.WhichChildrenAsync(sup)).Single().Pid;
        restarted.Should().NotBe(child);
        (await GenServer.CallAsync(restarted, "args"))!.ToString().Should().Be("[base,42]");
    }

    [Fact] // U18: exactly one template spec
    public async Task WithoutExactlyOneTemplate_StartFails()
    {
        var result = await Supervisor.StartLinkAsync(_node, new SupervisorFlags { Strategy = Strategy.SimpleOneForOne }, [Template(), Template() with { Id = "b" }]);
        result.Outcome.Should().Be(StartOutcome.Error);
    }
}
