using Otp.Net.Diagnostics;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Sys;
using Otp.Net.Terms;

namespace Otp.Net.Code;

/// <summary>The code server's side of a release install: staged versions, explicit switches and their undo.</summary>
public sealed partial class CodeServer
{
    /// <summary>Holds the code server for a whole release install: no load, upgrade or purge interleaves with it.</summary>
    internal Task EnterAsync(CancellationToken cancellationToken) => _serial.WaitAsync(cancellationToken);

    internal void Exit() => _serial.Release();

    /// <summary>
    /// Loads a module version into a fresh context without making it current (<c>load_object_code</c>): it is
    /// findable by version (for a downgrade's code change, R8.4) and runs nothing until <see cref="MakeCurrent"/>.
    /// The caller holds the code server.
    /// </summary>
    internal async Task<ModuleVersion> StageAsync(byte[] image, string? directory, string module)
    {
        // As for a load: a purged version of the module must be gone before another is staged over it (collections
        // run on the pool, outside every lock); one a callback still holds refuses the stage.
        if (Entry(module) is { } pending && HasPendingUnload(pending))
        {
            await CollectAsync(() => !HasPendingUnload(pending), attempts: 3).ConfigureAwait(false);
            if (HasPendingUnload(pending))
            {
                throw new CodeLoadException(CodeErrorKind.PendingUnload, module, $"{module} {pending.Purged[0].Vsn} was purged but is not unloaded yet (a callback still holds it)");
            }
        }
        var version = CreateVersion(image, directory, module);
        var entry = version.Entry;
        lock (_gate)
        {
            string? refusal = entry.Staged is not null ? $"{module} {entry.Staged.Vsn} is already staged"
                : entry.Current?.Vsn == version.Vsn ? $"{module} {version.Vsn} is already the current version"
                : null;
            if (refusal is null)
            {
                entry.Staged = version;
                return version;
            }
            version.Unload();
            throw new CodeLoadException(CodeErrorKind.SameVersion, module, refusal);
        }
    }

    /// <summary>Whether <paramref name="module"/> has old code that processes still run (what a pre-purge would kill).</summary>
    internal IReadOnlyList<Pid> OldCodeUsers(string module)
    {
        var old = Entry(module)?.Old;
        if (old is null) return [];
        old.Prune();
        return old.LiveProcesses.Select(p => p.Self).ToArray();
    }

    /// <summary>Purges (brutally) with the code server held by the caller.</summary>
    internal Task<bool> PurgeHeldAsync(string module) => PurgeCoreAsync(module);

    /// <summary>Soft-purges with the code server held by the caller.</summary>
    internal Task<bool> SoftPurgeHeldAsync(string module) => SoftPurgeCoreAsync(module);

    /// <summary>
    /// The staged version becomes current and the current one old. Refused (not_purged) while old code exists: the
    /// caller purges it first (PrePurge, R7).
    /// </summary>
    internal (ModuleVersion? Current, ModuleVersion? Old) MakeCurrent(ModuleVersion staged)
    {
        var entry = staged.Entry;
        (ModuleVersion?, ModuleVersion?) before;
        lock (_gate)
        {
            if (entry.Staged != staged) throw new InvalidOperationException($"{staged} is not staged");
            if (entry.Old is { } old) throw new CodeLoadException(CodeErrorKind.NotPurged, entry.Name, $"not_purged: {entry.Name} {old.Vsn} is still loaded as old code");
            before = (entry.Current, entry.Old);
            entry.Staged = null;
            entry.Old = entry.Current;
            entry.Current = staged;
        }
        Loaded(staged);
        return before;
    }

    /// <summary>Undoes <see cref="MakeCurrent"/>: the entry gets back its slots and the version is staged again.</summary>
    internal void UndoMakeCurrent(ModuleVersion staged, (ModuleVersion? Current, ModuleVersion? Old) before)
    {
        var entry = staged.Entry;
        lock (_gate)
        {
            entry.Current = before.Current;
            entry.Old = before.Old;
            entry.Staged = staged;
        }
        Interlocked.MemoryBarrier(); // from here on, a starting process binds to the restored version
    }

    /// <summary><c>delete</c> with the code server held: current becomes old; returns the slots before, for the undo.</summary>
    internal (ModuleVersion? Current, ModuleVersion? Old) Remove(string module)
    {
        var entry = Entry(module) ?? throw new CodeLoadException(CodeErrorKind.UnknownModule, module, $"module {module} is not loaded");
        lock (_gate)
        {
            if (entry.Current is null) throw new CodeLoadException(CodeErrorKind.UnknownModule, module, $"module {module} has no current version");
            if (entry.Old is { } old) throw new CodeLoadException(CodeErrorKind.NotPurged, module, $"not_purged: {module} {old.Vsn} is still loaded as old code");
            var before = (entry.Current, entry.Old);
            entry.Old = entry.Current;
            entry.Current = null;
            return before;
        }
    }

    /// <summary>Undoes <see cref="Remove"/>.</summary>
    internal void UndoRemove(string module, (ModuleVersion? Current, ModuleVersion? Old) before)
    {
        var entry = Entry(module)!;
        lock (_gate)
        {
            entry.Current = before.Current;
            entry.Old = before.Old;
        }
        Interlocked.MemoryBarrier();
    }

    /// <summary>
    /// Drops a staged version that did not become current (a rehearsal, or an install that rolled back): what started
    /// on it meanwhile is killed, as a purge would, and its context unloads.
    /// </summary>
    internal async Task DiscardAsync(ModuleVersion staged)
    {
        var entry = staged.Entry;
        lock (_gate)
        {
            if (entry.Staged == staged) entry.Staged = null;
            if (entry.Current == staged || entry.Old == staged) return; // it is in use after all
        }
        await KillAndUnloadAsync(entry, staged).ConfigureAwait(false);
    }

    /// <summary>Kills what runs <paramref name="version"/> (as a purge would), waits for the exits, and unloads it.</summary>
    private async Task KillAndUnloadAsync(ModuleEntry entry, ModuleVersion version)
    {
        var strays = version.LiveProcesses.ToArray();
        var exits = strays.Select(p => _node.WaitForExitAsync(p.Self)).ToArray();
        foreach (var p in strays) p.ReceiveExitSignal(default, ExitReason.Kill, viaLink: false);
        await Task.WhenAll(exits).ConfigureAwait(false);
        lock (_gate) entry.Purged.Add(version);
        version.Unload();
    }

    /// <summary>The module's entry slots, for a rehearsal's checks.</summary>
    internal (ModuleVersion? Current, ModuleVersion? Old, ModuleVersion? Staged) Slots(string module) =>
        Entry(module) is { } e ? (e.Current, e.Old, e.Staged) : (null, null, null);

    /// <summary>The live GenServers (engines) bound to <paramref name="version"/>, in start order.</summary>
    internal static LocalProcess[] ServersBoundTo(ModuleVersion version) => ServersOn(version, except: null).Where(p => p.IsAlive).ToArray();

    /// <summary>Live bare processes (no engine) bound to <paramref name="version"/>: they cannot change code.</summary>
    internal static LocalProcess[] BareProcessesOn(ModuleVersion version) =>
        version.Processes.Where(kv => kv.Value is null && kv.Key.IsAlive).Select(kv => kv.Key).ToArray();

    /// <summary>
    /// Sends the same system request to every process at once and waits for all the replies under one deadline (one
    /// timer for all, no per-request frame): what a release install does to thousands of processes. Each result is the
    /// process's reply, <see cref="CallReply.Down"/> if it ended first, or <see cref="CallReply.TimedOut"/>.
    /// </summary>
    internal static async Task<object?[]> SystemCallAllAsync(Node node, IReadOnlyList<LocalProcess> processes, SystemOp op, TimeSpan timeout, object? arg = null, object? arg2 = null, object? arg3 = null)
    {
        if (OtpTelemetry.Tracing)
        {
            // Listened to: each request goes the observed way, a span per process (a child of the upgrade's or install's).
            return await Task.WhenAll(processes.Select(async p =>
            {
                try
                {
                    return await SystemCallAsync(p, op, timeout, arg, arg2, arg3).ConfigureAwait(false);
                }
                catch (CallTimeoutException)
                {
                    return CallReply.TimedOut;
                }
                catch (Exception ex) when (ex is ICallFailure)
                {
                    return CallReply.Down;
                }
            })).ConfigureAwait(false);
        }
        var results = new object?[processes.Count];
        var sinks = new CallReply?[processes.Count];
        for (var i = 0; i < sinks.Length; i++)
        {
            var sink = new CallReply { HandOff = false };
            if (!processes[i].AddReplyWatch(sink))
            {
                results[i] = CallReply.Down;
                continue;
            }
            sinks[i] = sink;
            processes[i].Deliver(new SystemRequest(op, sink, arg, arg2, arg3));
        }
        using var timer = timeout == Timeout.InfiniteTimeSpan ? null : node.TimeProvider.CreateTimer(static state =>
        {
            foreach (var sink in (CallReply?[])state!) sink?.TryReply(CallReply.TimedOut);
        }, sinks, timeout, Timeout.InfiniteTimeSpan);
        for (var i = 0; i < sinks.Length; i++)
        {
            if (sinks[i] is not { } sink) continue;
            await sink.WaitAsync().ConfigureAwait(false);
            results[i] = sink.TakeResult();
        }
        return results;
    }
}
