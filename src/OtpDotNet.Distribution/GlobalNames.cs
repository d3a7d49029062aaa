using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Distribution;

/// <summary>
/// The cluster-wide name registry, as Erlang's <c>global</c>: a name is held by one process in the whole cluster
/// (X10), seen from every node, and released when its process exits or its node goes down.
/// </summary>
/// <remarks>
/// Registrations go through one node at a time, the registrar: the connected node whose name sorts first. It decides,
/// then tells every node; every node keeps the whole table. When nodes connect (a new node, or a partition that heals)
/// each sends its table to the other; a name held on both sides goes to the holder whose node name (then
/// process number) sorts first, on every node alike, and the other holder is sent the exit signal
/// <c>{global_name_conflict, Name}</c> by its own node (OTP's default resolution kills one of the two as well).
/// </remarks>
public sealed class GlobalNames : IClusterService, IViaRegistry, IViaNameTerm
{
    private static readonly Atom RegisterTag = Atom.Of("register");
    private static readonly Atom RegisteredTag = Atom.Of("registered");
    private static readonly Atom AddTag = Atom.Of("add");
    private static readonly Atom RemoveTag = Atom.Of("remove");
    private static readonly Atom SyncTag = Atom.Of("sync");
    private static readonly Atom ConflictAtom = Atom.Of("global_name_conflict");
    private static readonly Atom GlobalAtom = Atom.Of("global");
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    private readonly Cluster _cluster;
    private readonly object _gate = new();
    private readonly Dictionary<string, Pid> _names = new(StringComparer.Ordinal);
    private readonly HashSet<Pid> _watched = [];
    private readonly ConcurrentDictionary<long, (TaskCompletionSource<bool> Reply, NodeIdentity Registrar)> _pending = new();
    private long _nextRequest;

    internal GlobalNames(Cluster cluster) => _cluster = cluster;

    string IClusterService.Name => "global";

    /// <summary>
    /// <c>global:register_name(Name, Pid)</c>: true (yes) if the name was free in the whole cluster, false (no) if any
    /// node holds it or the process is not alive.
    /// </summary>
    /// <exception cref="TimeoutException">The registrar did not answer in time (it went down and no other took over).</exception>
    public async Task<bool> RegisterNameAsync(string name, Pid pid, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (pid.IsUndefined) return false;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var registrar = Registrar();
            if (registrar == _cluster.Self) return Decide(name, pid);
            var id = Interlocked.Increment(ref _nextRequest);
            var reply = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending[id] = (reply, registrar);
            try
            {
                _cluster.SendService(registrar, "global", TermTuple.Of(RegisterTag, id, name, pid));
                if (_cluster.IsConnected(registrar.Name)) return await reply.Task.WaitAsync(RequestTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (RegistrarDownException)
            {
                // The registrar went down before it answered: ask the next one.
            }
            finally
            {
                _pending.TryRemove(id, out _);
            }
        }
        throw new TimeoutException($"no registrar answered for global name '{name}'");
    }

    /// <summary>As <see cref="RegisterNameAsync"/>, waiting (for a via-name: <see cref="IViaRegistry"/>).</summary>
    public bool RegisterName(string name, Pid pid) => RegisterNameAsync(name, pid).GetAwaiter().GetResult();

    /// <summary><c>global:unregister_name(Name)</c>: the name is released on every node.</summary>
    public void UnregisterName(string name)
    {
        Pid holder;
        lock (_gate)
        {
            if (!_names.Remove(name, out holder)) return;
        }
        Broadcast(TermTuple.Of(RemoveTag, name, holder));
    }

    /// <summary><c>global:whereis_name(Name)</c>: the holder, or null (undefined).</summary>
    public Pid? WhereIsName(string name)
    {
        lock (_gate)
        {
            if (!_names.TryGetValue(name, out var pid)) return null;
            if (pid.Process is { IsAlive: false }) return null;
            return pid;
        }
    }

    /// <summary><c>global:registered_names()</c>.</summary>
    public IReadOnlyList<string> RegisteredNames()
    {
        lock (_gate) return _names.Keys.Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>A via-name for <paramref name="name"/>: <c>{global, Name}</c>, for GenServer start options and <see cref="ServerRef"/>.</summary>
    public ViaName Via(string name) => new(this, name);

    bool IViaRegistry.RegisterName(object name, Pid pid) => RegisterName(NameOf(name), pid);

    void IViaRegistry.UnregisterName(object name) => UnregisterName(NameOf(name));

    Pid? IViaRegistry.WhereIsName(object name) => WhereIsName(NameOf(name));

    object IViaNameTerm.ViaTerm(object name) => TermTuple.Of(GlobalAtom, name is string s ? Atom.Of(s) : name);

    private static string NameOf(object name) => name is Atom a ? a.Name : name as string ?? TermFormatter.Format(name);

    /// <summary>The registrar: the first of this node and the connected ones, by name.</summary>
    private NodeIdentity Registrar()
    {
        var first = _cluster.Self;
        foreach (var n in _cluster.ConnectedNodes)
        {
            if (string.CompareOrdinal(n.Name, first.Name) < 0) first = n;
        }
        return first;
    }

    /// <summary>The registrar's decision: the name is free and the process (if it is here) alive.</summary>
    private bool Decide(string name, Pid pid)
    {
        lock (_gate)
        {
            if (_names.TryGetValue(name, out var holder) && holder.Process is not { IsAlive: false }) return false;
            if (pid.Process is { IsAlive: false }) return false;
            _names[name] = pid;
            WatchIfLocal(pid);
        }
        Broadcast(TermTuple.Of(AddTag, name, pid));
        return true;
    }

    private void WatchIfLocal(Pid pid)
    {
        if (pid.Process is not null && _watched.Add(pid)) _ = WatchAsync(pid);
    }

    private async Task WatchAsync(Pid pid)
    {
        await _cluster.Node.WaitForExitAsync(pid).ConfigureAwait(false);
        List<string> released = [];
        lock (_gate)
        {
            _watched.Remove(pid);
            foreach (var (name, holder) in _names)
            {
                if (holder == pid) released.Add(name);
            }
            foreach (var name in released)
            {
                _names.Remove(name);
                // Sent under the lock: once the name is released here, the release is on its way to every node.
                Broadcast(TermTuple.Of(RemoveTag, name, pid));
            }
        }
    }

    private void Broadcast(object message)
    {
        foreach (var node in _cluster.ConnectedNodes) _cluster.SendService(node, "global", message);
    }

    void IClusterService.OnNodeUp(NodeIdentity node)
    {
        TermList mine;
        // The whole table: a registration decided by the registrar may have reached this node before the new one
        // was connected to the registrar.
        lock (_gate) mine = new TermList([.. _names.Select(kv => (object?)TermTuple.Of(kv.Key, kv.Value))]);
        _cluster.SendService(node, "global", TermTuple.Of(SyncTag, mine));
    }

    void IClusterService.OnNodeDown(NodeIdentity node)
    {
        lock (_gate)
        {
            // X10: the names of the node's processes are released.
            foreach (var name in _names.Where(kv => kv.Value.Node == node).Select(kv => kv.Key).ToArray()) _names.Remove(name);
        }
        foreach (var (id, pending) in _pending)
        {
            if (pending.Registrar == node) pending.Reply.TrySetException(new RegistrarDownException());
        }
    }

    void IClusterService.OnMessage(NodeIdentity from, object? payload)
    {
        if (payload is not TermTuple { Length: >= 2 } t || t[0] is not Atom tag) return;
        if (tag == RegisterTag && t is { Length: 4 } && t[1] is long id && t[2] is string name && t[3] is Pid pid)
        {
            var yes = Registrar() == _cluster.Self && Decide(name, pid);
            _cluster.SendService(from, "global", TermTuple.Of(RegisteredTag, id, yes));
        }
        else if (tag == RegisteredTag && t is { Length: 3 } && t[1] is long rid && t[2] is bool answer)
        {
            if (_pending.TryGetValue(rid, out var pending)) pending.Reply.TrySetResult(answer);
        }
        else if (tag == AddTag && t is { Length: 3 } && t[1] is string added && t[2] is Pid holder)
        {
            lock (_gate)
            {
                _names[added] = holder;
                WatchIfLocal(holder);
            }
        }
        else if (tag == RemoveTag && t is { Length: 3 } && t[1] is string removed && t[2] is Pid was)
        {
            lock (_gate)
            {
                if (_names.TryGetValue(removed, out var current) && current == was) _names.Remove(removed);
            }
        }
        else if (tag == SyncTag && t[1] is TermList entries)
        {
            Merge(from, entries);
        }
    }

    /// <summary>Another node's own names, after it connected: added, or resolved where both sides hold a name.</summary>
    private void Merge(NodeIdentity from, TermList entries)
    {
        var losers = new List<(string Name, Pid Loser)>();
        lock (_gate)
        {
            foreach (var e in entries)
            {
                if (e is not TermTuple { Length: 2 } entry || entry[0] is not string name || entry[1] is not Pid pid) continue;
                // An entry for a process of a node that is down here is stale.
                if (pid.Process is null && pid.Node != from && !_cluster.IsConnected(pid.Node.Name)) continue;
                if (pid.Process is { IsAlive: false }) continue;
                if (!_names.TryGetValue(name, out var current) || current == pid)
                {
                    _names[name] = pid;
                    continue;
                }
                var (kept, lost) = Order(current, pid) <= 0 ? (current, pid) : (pid, current);
                _names[name] = kept;
                losers.Add((name, lost));
                DistributionLog.GlobalNameConflict(Logger, name, kept.ToString(), lost.ToString());
            }
        }
        foreach (var (name, lost) in losers)
        {
            if (lost.Process is not null) _cluster.Node.Exit(lost, ExitReason.Of(TermTuple.Of(ConflictAtom, Atom.Of(name))));
        }
    }

    private ILogger Logger => _cluster.Node.LoggerFactory.CreateLogger(DistributionLog.Category);

    private int Order(Pid a, Pid b)
    {
        var an = a.Process is not null ? _cluster.Self.Name : a.Node.Name;
        var bn = b.Process is not null ? _cluster.Self.Name : b.Node.Name;
        var c = string.CompareOrdinal(an, bn);
        return c != 0 ? c : a.Id.CompareTo(b.Id);
    }

    private sealed class RegistrarDownException : Exception
    {
    }
}
