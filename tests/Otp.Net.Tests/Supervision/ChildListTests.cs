using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;
using Otp.Net.Terms;

namespace Otp.Net.Tests.Supervision;

public sealed class ChildListTests : IDisposable
{
    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    private static ChildSpec Spec(string id) => new(Atom.Of(id), _ => Task.FromResult(StartResult.Ignore));

    [Fact] // U12, D1: order kept through removals and moves; the pid index follows each child's current pid
    public void ChildList_AddRemoveMoveAndPidChanges_KeepsOrderAndIndex()
    {
        var list = new ChildList();
        var children = Enumerable.Range(0, 5).Select(i => new Child(i, Spec($"c{i}")) { Pid = _node.SpawnIdle() }).ToArray();
        foreach (var c in children) list.Add(c);
        list.Remove(children[1]).Should().BeTrue();
        list.Remove(children[1]).Should().BeFalse();
        list.MoveToEnd(children[0]);
        var old = children[2].Pid;
        children[2].Pid = _node.SpawnIdle();
        children[3].Pid = default;

        list.Select(c => c.Key).Should().Equal(2, 3, 4, 0);
        list.NewestFirst().Select(c => c.Key).Should().Equal(0, 4, 3, 2);
        list.From(children[3]).Select(c => c.Key).Should().Equal(3, 4, 0);
        list.FindByPid(children[2].Pid).Should().BeSameAs(children[2]);
        list.FindByPid(old).Should().BeNull();
        list.FindByPid(children[1].Pid).Should().BeNull();
        list.FindByPid(default).Should().BeNull();
        list.FindByKey(4).Should().BeSameAs(children[4]);
        list.FindByKey(1).Should().BeNull();
        list.Count.Should().Be(4);
    }
}
