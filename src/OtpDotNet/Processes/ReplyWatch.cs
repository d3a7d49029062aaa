using System.Runtime.CompilerServices;
namespace Otp.Net.Processes;

/// <summary>
/// A caller waiting for a reply from a process (a call or a sys request), told if that process dies first. Unlike a
/// monitor it needs no reference and no lock: it is pushed on the process's <see cref="ReplyWatchList"/> and never
/// removed one by one; once it is done it is dropped at the list's next prune.
/// </summary>
internal abstract class ReplyWatch
{
    /// <summary>The next watch in the list; written only while this watch is not reachable from the list's head.</summary>
    internal ReplyWatch? NextWatch;

    /// <summary>True once the caller has its answer (a reply, a timeout, a cancellation or the process's death).</summary>
    public abstract bool IsDone { get; }

    /// <summary>The watched process died before the watch was done.</summary>
    public abstract void OnProcessDown(ExitReason reason);
}

/// <summary>
/// The reply watches on one process: a lock-free stack that callers push on, pruned of finished watches in
/// amortized constant time, and closed once when the process dies. Whoever holds watches when the list closes (the
/// dying process, or a prune that had taken them off) tells them the exit reason, so no caller is left waiting.
/// </summary>
internal sealed class ReplyWatchList
{
    private const int MinPruneInterval = 64;

    private static readonly ReplyWatch Closed = new ClosedMarker();

    /// <summary>The list of a process that died before anyone watched it for a reply.</summary>
    public static readonly ReplyWatchList ClosedList = new() { _head = Closed };

    private ReplyWatch? _head;
    private int _pushes;
    private int _pruneAt;
    private int _pruning;

    /// <summary>Adds <paramref name="watch"/>; false when the process has already died (its list is closed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryAdd(ReplyWatch watch, LocalProcess owner)
    {
        while (true)
        {
            var head = Volatile.Read(ref _head);
            if (ReferenceEquals(head, Closed)) return false;
            watch.NextWatch = head;
            if (ReferenceEquals(Interlocked.CompareExchange(ref _head, watch, head), head)) break;
        }
        if (Interlocked.Increment(ref _pushes) >= Math.Max(MinPruneInterval, Volatile.Read(ref _pruneAt))) Prune(owner);
        return true;
    }

    /// <summary>How many watches are not done yet.</summary>
    public int CountPending()
    {
        var n = 0;
        for (var w = Volatile.Read(ref _head); w is not null && !ReferenceEquals(w, Closed); w = w.NextWatch)
        {
            if (!w.IsDone) n++;
        }
        return n;
    }

    /// <summary>Closes the list (the process has died) and tells every pending watch; runs once.</summary>
    public void Close(ExitReason reason)
    {
        var list = Interlocked.Exchange(ref _head, Closed);
        if (!ReferenceEquals(list, Closed)) Notify(list, reason);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Prune(LocalProcess owner)
    {
        if (Interlocked.CompareExchange(ref _pruning, 1, 0) != 0) return;
        try
        {
            ReplyWatch? list;
            while (true)
            {
                list = Volatile.Read(ref _head);
                if (ReferenceEquals(list, Closed)) return;
                if (ReferenceEquals(Interlocked.CompareExchange(ref _head, null, list), list)) break;
            }
            Volatile.Write(ref _pushes, 0);
            ReplyWatch? keptHead = null, keptTail = null;
            var kept = 0;
            for (var w = list; w is not null;)
            {
                var next = w.NextWatch;
                // A dropped watch lets go of the rest of the list: whoever still holds it (its caller) keeps no other
                // caller's watch alive.
                w.NextWatch = null;
                if (!w.IsDone)
                {
                    if (keptTail is null) keptHead = w;
                    else keptTail.NextWatch = w;
                    keptTail = w;
                    kept++;
                }
                w = next;
            }
            // A process with many callers waiting at once (deferred replies) is pruned less often, so the cost
            // per push stays constant.
            Volatile.Write(ref _pruneAt, kept * 2);
            if (keptHead is null) return;
            while (true)
            {
                var head = Volatile.Read(ref _head);
                if (ReferenceEquals(head, Closed))
                {
                    // The process died while the pending watches were off the list: they are ours to tell.
                    Notify(keptHead, owner.ExitReason ?? ExitReason.NoProc);
                    return;
                }
                keptTail!.NextWatch = head;
                if (ReferenceEquals(Interlocked.CompareExchange(ref _head, keptHead, head), head)) return;
            }
        }
        finally
        {
            Volatile.Write(ref _pruning, 0);
        }
    }

    private static void Notify(ReplyWatch? list, ExitReason reason)
    {
        for (var w = list; w is not null;)
        {
            var next = w.NextWatch;
            w.NextWatch = null;
            if (!w.IsDone) w.OnProcessDown(reason);
            w = next;
        }
    }

    private sealed class ClosedMarker : ReplyWatch
    {
        public override bool IsDone => true;

        public override void OnProcessDown(ExitReason reason)
        {
        }
    }
}
