using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Distribution;

/// <summary>
/// Process groups, as Erlang's <c>pg</c> (default scope): a process of this node joins a group; every node sees it among
/// the group's members (X11); a member leaves when it exits, and a node's members are removed when the node goes down.
/// Each node holds its own members and a copy of every other node's, exchanged when nodes connect.
/// </summary>
public sealed class ProcessGroups : IClusterService
{
    private static readonly Atom JoinTag = Atom.Of("join");
    private static readonly Atom LeaveTag = Atom.Of("leave");
    private static readonly Atom SyncTag = Atom.Of("sync");

    private readonly Cluster _cluster;
    private readonly object _gate = new();
    private readonly Dictionary<string, List<Pid>> _local = new(StringComparer.Ordinal);
    private readonly Dictionary<NodeIdentity, Dictionary<string, List<Pid>>> _remote = [];
    private readonly HashSet<Pid> _watched = [];

    internal ProcessGroups(Cluster cluster) => _cluster = cluster;

    string IClusterService.Name => "pg";

    /// <summary><c>pg:join(Group, Pid)</c>: <paramref name="pid"/> (a process of this node) joins; joining twice makes it a member twice.</summary>
    /// <exception cref="ArgumentException"><paramref name="pid"/> is not a live process of this node.</exception>
    public void Join(string group, Pid pid) => Join(group, [pid]);

    /// <summary><c>pg:join(Group, Pids)</c>.</summary>
    public void Join(string group, IReadOnlyList<Pid> pids)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        ArgumentNullException.ThrowIfNull(pids);
        foreach (var pid in pids)
        {
            if (pid.Process is not { IsAlive: true }) throw new ArgumentException($"{pid} is not a live process of this node: only local processes join (as in pg)", nameof(pids));
        }
        lock (_gate)
        {
            if (!_local.TryGetValue(group, out var members)) _local[group] = members = [];
            members.AddRange(pids);
            foreach (var pid in pids)
            {
                if (_watched.Add(pid)) _ = WatchAsync(pid);
            }
        }
        Broadcast(TermTuple.Of(JoinTag, group, new TermList([.. pids.Cast<object?>()])));
    }

    /// <summary><c>pg:leave(Group, Pid)</c>: one membership of <paramref name="pid"/> ends; false if it was not a member.</summary>
    public bool Leave(string group, Pid pid)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        lock (_gate)
        {
            if (!_local.TryGetValue(group, out var members) || !members.Remove(pid)) return false;
            if (members.Count == 0) _local.Remove(group);
        }
        Broadcast(TermTuple.Of(LeaveTag, group, new TermList(pid)));
        return true;
    }

    /// <summary><c>pg:get_members(Group)</c>: the members on every connected node.</summary>
    public IReadOnlyList<Pid> GetMembers(string group)
    {
        lock (_gate)
        {
            var all = new List<Pid>();
            if (_local.TryGetValue(group, out var mine)) all.AddRange(mine);
            foreach (var view in _remote.Values)
            {
                if (view.TryGetValue(group, out var theirs)) all.AddRange(theirs);
            }
            return all;
        }
    }

    /// <summary><c>pg:get_local_members(Group)</c>.</summary>
    public IReadOnlyList<Pid> GetLocalMembers(string group)
    {
        lock (_gate) return _local.TryGetValue(group, out var mine) ? mine.ToArray() : [];
    }

    /// <summary><c>pg:which_groups()</c>.</summary>
    public IReadOnlyList<string> WhichGroups()
    {
        lock (_gate) return _local.Keys.Concat(_remote.Values.SelectMany(v => v.Keys)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
    }

    private async Task WatchAsync(Pid pid)
    {
        await _cluster.Node.WaitForExitAsync(pid).ConfigureAwait(false);
        var left = new List<string>();
        lock (_gate)
        {
            _watched.Remove(pid);
            foreach (var (group, members) in _local)
            {
                if (members.RemoveAll(p => p == pid) > 0) left.Add(group);
            }
            foreach (var g in left)
            {
                if (_local[g].Count == 0) _local.Remove(g);
                // Sent under the lock: once the member is gone here, its leave is on its way to every node.
                Broadcast(TermTuple.Of(LeaveTag, g, new TermList(pid)));
            }
        }
    }

    private void Broadcast(object message)
    {
        foreach (var node in _cluster.ConnectedNodes) _cluster.SendService(node, "pg", message);
    }

    void IClusterService.OnNodeUp(NodeIdentity node)
    {
        TermList snapshot;
        lock (_gate)
        {
            _remote[node] = new Dictionary<string, List<Pid>>(StringComparer.Ordinal);
            snapshot = new TermList([.. _local.Select(kv => (object?)TermTuple.Of(kv.Key, new TermList([.. kv.Value.Cast<object?>()])))]);
        }
        _cluster.SendService(node, "pg", TermTuple.Of(SyncTag, snapshot));
    }

    void IClusterService.OnNodeDown(NodeIdentity node)
    {
        lock (_gate) _remote.Remove(node);
    }

    void IClusterService.OnMessage(NodeIdentity from, object? payload)
    {
        if (payload is not TermTuple { Length: >= 2 } t || t[0] is not Atom tag) return;
        lock (_gate)
        {
            if (!_remote.TryGetValue(from, out var view)) return; // a node that is not (or no longer) up
            if (tag == SyncTag && t[1] is TermList groups)
            {
                view.Clear();
                foreach (var g in groups)
                {
                    if (g is TermTuple { Length: 2 } e && e[0] is string name && e[1] is TermList pids) view[name] = Pids(pids, from);
                }
            }
            else if (t is { Length: 3 } && t[1] is string group && t[2] is TermList pids)
            {
                if (!view.TryGetValue(group, out var members)) view[group] = members = [];
                if (tag == JoinTag)
                {
                    members.AddRange(Pids(pids, from));
                }
                else if (tag == LeaveTag)
                {
                    foreach (var p in Pids(pids, from)) members.Remove(p);
                    if (members.Count == 0) view.Remove(group);
                }
            }
        }
    }

    /// <summary>Only pids of the sending node: a node speaks for its own members.</summary>
    private static List<Pid> Pids(TermList pids, NodeIdentity from) =>
        pids.OfType<Pid>().Where(p => p.Node == from).ToList();
}
