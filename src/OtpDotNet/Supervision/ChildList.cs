using System.Collections;
using System.Diagnostics;
using Otp.Net.Processes;

namespace Otp.Net.Supervision;

/// <summary>
/// A supervisor's children in start order, indexed by pid and by key, so that a dynamic or
/// <c>simple_one_for_one</c> supervisor finds, removes and re-appends a child in O(1) however many it holds.
/// Supervisor process only.
/// </summary>
[DebuggerDisplay("Count = {Count}")]
internal sealed class ChildList : IEnumerable<Child>
{
    private readonly LinkedList<Child> _order = new();
    private readonly Dictionary<Pid, Child> _byPid = [];
    private readonly Dictionary<long, Child> _byKey = [];

    public int Count => _order.Count;

    /// <summary>Appends <paramref name="child"/> (the newest).</summary>
    public void Add(Child child)
    {
        Debug.Assert(child.Owner is null, "a child belongs to one list");
        child.Owner = this;
        child.Node = _order.AddLast(child);
        _byKey.Add(child.Key, child);
        if (child.IsRunning) _byPid[child.Pid] = child;
    }

    /// <summary>Removes <paramref name="child"/>; false if it is not in the list.</summary>
    public bool Remove(Child child)
    {
        if (child.Owner != this) return false;
        _order.Remove(child.Node!);
        _byKey.Remove(child.Key);
        if (child.IsRunning && _byPid.TryGetValue(child.Pid, out var indexed) && indexed == child) _byPid.Remove(child.Pid);
        child.Owner = null;
        child.Node = null;
        return true;
    }

    /// <summary>Moves <paramref name="child"/> to the end (newest), as a dynamic child restarted is listed by its new start.</summary>
    public void MoveToEnd(Child child)
    {
        Debug.Assert(child.Owner == this, "the child is in this list");
        _order.Remove(child.Node!);
        _order.AddLast(child.Node!);
    }

    /// <summary>The running child with pid <paramref name="pid"/>.</summary>
    public Child? FindByPid(Pid pid) => !pid.IsUndefined && _byPid.TryGetValue(pid, out var child) ? child : null;

    /// <summary>The child with key <paramref name="key"/>.</summary>
    public Child? FindByKey(long key) => _byKey.GetValueOrDefault(key);

    /// <summary>The oldest child matching <paramref name="match"/> (a linear search, for ids of static children).</summary>
    public Child? Find(Func<Child, bool> match)
    {
        foreach (var child in _order)
        {
            if (match(child)) return child;
        }
        return null;
    }

    /// <summary>The children newest first.</summary>
    public IEnumerable<Child> NewestFirst()
    {
        for (var node = _order.Last; node is not null; node = node.Previous) yield return node.Value;
    }

    /// <summary><paramref name="child"/> and the children started after it, in start order.</summary>
    public IEnumerable<Child> From(Child child)
    {
        for (var node = child.Node; node is not null; node = node.Next) yield return node.Value;
    }

    public void Clear()
    {
        foreach (var child in _order)
        {
            child.Owner = null;
            child.Node = null;
        }
        _order.Clear();
        _byPid.Clear();
        _byKey.Clear();
    }

    internal void PidChanged(Child child, Pid old)
    {
        if (!old.IsUndefined && _byPid.TryGetValue(old, out var indexed) && indexed == child) _byPid.Remove(old);
        if (child.IsRunning) _byPid[child.Pid] = child;
    }

    public IEnumerator<Child> GetEnumerator() => _order.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
