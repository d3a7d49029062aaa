using System.Runtime.CompilerServices;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Registries;

/// <summary>
/// A registry's entries: the counterpart of the ETS tables behind an Elixir registry partition. Callers read and
/// write it directly (under its lock), so lookups and via-name resolution never wait on the registry process; the
/// registry process only removes the entries of owners that die, when their exit signal reaches it (D4: removal is
/// asynchronous, and readers check liveness where it matters).
/// </summary>
internal sealed class RegistryTable
{
    private static readonly ConditionalWeakTable<LocalProcess, RegistryTable> Tables = new();

    private readonly object _gate = new();
    private readonly Dictionary<object, List<Entry>> _byKey = new(TermEquality.Comparer!);
    private readonly Dictionary<Pid, List<object>> _byOwner = new();

    private RegistryTable(LocalProcess process, RegistryKeys kind)
    {
        Process = process;
        Kind = kind;
    }

    /// <summary>The registry process (entries live as long as it does).</summary>
    public LocalProcess Process { get; }

    public RegistryKeys Kind { get; }

    /// <summary>Creates the table of the registry process <paramref name="process"/>.</summary>
    public static RegistryTable Create(LocalProcess process, RegistryKeys kind)
    {
        var table = new RegistryTable(process, kind);
        Tables.AddOrUpdate(process, table);
        return table;
    }

    /// <summary>The table of the running registry <paramref name="registry"/>.</summary>
    /// <exception cref="UnknownRegistryException">No running registry there.</exception>
    public static RegistryTable Of(ServerRef registry)
    {
        if (registry.Resolve() is { } process && Tables.TryGetValue(process, out var table)) return table;
        throw new UnknownRegistryException(registry.ToString());
    }

    /// <summary>Registers <paramref name="caller"/> under <paramref name="key"/>, linking it to the registry first.</summary>
    public RegistrationResult Register(LocalProcess caller, object key, object? value)
    {
        // Linked before the entry exists: if the caller dies after the entry is written, its exit signal reaches the
        // registry, whose removal takes the lock this write holds. LinkPair does not touch the caller's mailbox.
        if (!LocalProcess.LinkPair(caller, Process)) throw Unknown();
        Pid taken = default;
        lock (_gate)
        {
            if (!Process.IsAlive) throw Unknown();
            // A caller killed after the link is not written in (its exit signal may already have been handled).
            if (!caller.IsAlive) throw new ProcessExitedException();
            if (Kind == RegistryKeys.Unique && _byKey.TryGetValue(key, out var held) && held.Count > 0)
            {
                var holder = held[0].Owner;
                if (holder.Process is { IsAlive: true }) taken = holder;
                else RemoveLocked(holder, key); // its removal is on the way (D4): the key is free
            }
            if (taken.IsUndefined)
            {
                if (!_byKey.TryGetValue(key, out var list)) _byKey[key] = list = [];
                list.Add(new Entry(caller.Self, value));
                if (!_byOwner.TryGetValue(caller.Self, out var keys)) _byOwner[caller.Self] = keys = [];
                keys.Add(key);
                return RegistrationResult.Ok(Process.Self);
            }
        }
        UnlinkIfUnregistered(caller);
        return RegistrationResult.Taken(taken);
    }

    /// <summary>Removes every entry of <paramref name="caller"/> under <paramref name="key"/>.</summary>
    public void Unregister(LocalProcess caller, object key)
    {
        lock (_gate) RemoveLocked(caller.Self, key);
        UnlinkIfUnregistered(caller);
    }

    /// <summary>Removes every entry of <paramref name="owner"/> (it has died).</summary>
    public void RemoveOwner(Pid owner)
    {
        lock (_gate)
        {
            if (!_byOwner.Remove(owner, out var keys)) return;
            foreach (var key in keys)
            {
                if (!_byKey.TryGetValue(key, out var list)) continue;
                list.RemoveAll(e => e.Owner == owner);
                if (list.Count == 0) _byKey.Remove(key);
            }
        }
    }

    /// <summary>The entries under <paramref name="key"/>, dead owners included until their removal (D4).</summary>
    public IReadOnlyList<RegistryEntry> Lookup(object key)
    {
        lock (_gate)
        {
            return _byKey.TryGetValue(key, out var list) ? list.Select(e => new RegistryEntry(e.Owner, e.Value)).ToArray() : [];
        }
    }

    /// <summary>The live holder of a unique key (via resolution skips dead pids: D4).</summary>
    public Pid? WhereIs(object key)
    {
        lock (_gate)
        {
            if (!_byKey.TryGetValue(key, out var list)) return null;
            foreach (var e in list)
            {
                if (e.Owner.Process is { IsAlive: true }) return e.Owner;
            }
            return null;
        }
    }

    public IReadOnlyList<object> KeysOf(Pid owner)
    {
        lock (_gate) return _byOwner.TryGetValue(owner, out var keys) ? keys.ToArray() : [];
    }

    public IReadOnlyList<object?> ValuesOf(object key, Pid owner)
    {
        lock (_gate)
        {
            return _byKey.TryGetValue(key, out var list) ? list.Where(e => e.Owner == owner).Select(e => e.Value).ToArray() : [];
        }
    }

    public int Count
    {
        get
        {
            lock (_gate) return _byKey.Values.Sum(l => l.Count);
        }
    }

    /// <summary>Replaces the value of <paramref name="owner"/>'s entry under a unique key; null if it holds none.</summary>
    public (object? New, object? Old)? UpdateValue(Pid owner, object key, Func<object?, object?> update)
    {
        lock (_gate)
        {
            if (!_byKey.TryGetValue(key, out var list)) return null;
            var i = list.FindIndex(e => e.Owner == owner);
            if (i < 0) return null;
            var old = list[i].Value;
            var updated = update(old);
            list[i] = list[i] with { Value = updated };
            return (updated, old);
        }
    }

    private void RemoveLocked(Pid owner, object key)
    {
        if (_byKey.TryGetValue(key, out var list))
        {
            list.RemoveAll(e => e.Owner == owner);
            if (list.Count == 0) _byKey.Remove(key);
        }
        if (_byOwner.TryGetValue(owner, out var keys))
        {
            keys.RemoveAll(k => TermEquality.Equal(k, key));
            if (keys.Count == 0) _byOwner.Remove(owner);
        }
    }

    /// <summary>As Elixir's registry: a process left without entries is unlinked (unless it is the registry's parent).</summary>
    private void UnlinkIfUnregistered(LocalProcess caller)
    {
        if (caller.Self == Process.Parent) return;
        bool none;
        lock (_gate) none = !_byOwner.ContainsKey(caller.Self);
        if (none) caller.Unlink(Process.Self);
    }

    private UnknownRegistryException Unknown() => new(Process.RegisteredName ?? Process.Self.ToString());

    private readonly record struct Entry(Pid Owner, object? Value);
}
