using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Tests.Terms;

/// <summary>The deep copy a rehearsed code change runs on: same types, no shared mutable data, handles shared.</summary>
public sealed class StateCopyTests
{
    private sealed record Item(string Name, List<int> Values);

    private sealed class Cell
    {
        public Cell? Next { get; set; }

        public Dictionary<string, object?> Data { get; } = [];
    }

    [Fact]
    public void Copy_NestedCollectionsAndRecords_SameTypesNoSharedMutableData()
    {
        var item = new Item("x", [1, 2]);
        var state = new Dictionary<string, object?> { ["item"] = item, ["list"] = new List<object?> { item, (1, item) }, ["arr"] = new[] { item } };

        var copy = (Dictionary<string, object?>)StateCopy.Copy(state)!;

        copy.Should().NotBeSameAs(state);
        var copiedItem = (Item)copy["item"]!;
        copiedItem.Should().NotBeSameAs(item).And.BeOfType<Item>();
        copiedItem.Values.Should().NotBeSameAs(item.Values).And.Equal(1, 2);
        ((List<object?>)copy["list"]!)[0].Should().BeSameAs(copiedItem); // shared references keep their shape
        (((int, Item))((List<object?>)copy["list"]!)[1]!).Item2.Should().BeSameAs(copiedItem);
        ((Item[])copy["arr"]!)[0].Should().BeSameAs(copiedItem);
        copiedItem.Values.Add(3);
        item.Values.Should().Equal(1, 2);
        copy["item"] = null;
        state["item"].Should().BeSameAs(item);
    }

    [Fact]
    public void Copy_CycleAndHandles_CycleKept_PidNodeAndDelegateShared()
    {
        using var node = new Node();
        var pid = node.Spawn(async ctx => await ctx.ReceiveAsync());
        Func<int> fn = () => 1;
        var cell = new Cell();
        cell.Next = cell;
        cell.Data["pid"] = pid;
        cell.Data["node"] = node;
        cell.Data["fn"] = fn;
        cell.Data["atom"] = Atom.Of("a");

        var copy = (Cell)StateCopy.Copy(cell)!;

        copy.Should().NotBeSameAs(cell);
        copy.Next.Should().BeSameAs(copy);
        copy.Data.Should().NotBeSameAs(cell.Data);
        copy.Data["pid"].Should().Be(pid);
        copy.Data["node"].Should().BeSameAs(node);
        copy.Data["fn"].Should().BeSameAs(fn);
        copy.Data["atom"].Should().Be(Atom.Of("a"));
        node.Exit(pid, ExitReason.Kill);
    }
}
