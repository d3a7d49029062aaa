using System.Runtime.CompilerServices;

namespace Otp.Net.Processes;

/// <summary>
/// Runs processes on the thread pool, with a hand-off slot per thread (as Go's scheduler keeps a "run next"
/// goroutine). A process woken by a process that is running on this thread is not queued at once: it waits in the
/// slot, and when the waker's turn ends (it parks, or awaits something else) this thread runs it straight away.
/// A request answered by a reply therefore runs on one thread, without a cross-thread wake-up per message.
/// </summary>
/// <remarks>
/// The slot never holds a process for long:
/// <list type="bullet">
/// <item>the waker's next send, or a second wake-up, moves the waiting process to the pool (so a producer that keeps
/// sending runs in parallel with its consumer);</item>
/// <item>one thread runs at most <see cref="HandOffBudget"/> hand-offs in a row, then yields to the pool;</item>
/// <item>a monitor thread moves to the pool any process it finds in the same slot, unchanged, on two looks in a row:
/// looks are a millisecond apart while slots are in use and back off to 10 ms when they stay empty, so a waker that
/// computes for long or blocks its thread delays the process it woke by 1–2 ms, or about 11 ms after a quiet
/// spell.</item>
/// </list>
/// The hot methods of the message path (here, in <see cref="Mailbox"/>, <see cref="LocalProcess"/> and the reply
/// token) are compiled fully optimized from their first call. Left to tiered compilation, a busy program ran them as
/// unoptimized code for its first second or more (call counting waits for a quiet spell that eight busy clients on
/// two cores never give), and eight clients calling one server made about a quarter fewer calls in that time.
/// </remarks>
internal static class Scheduler
{
    /// <summary>How many processes one thread runs back to back by hand-off before it yields to the pool.</summary>
    internal const int HandOffBudget = 256;

    private static readonly List<Slot> Slots = [];
    private static Thread? s_monitor;

    [ThreadStatic]
    private static Slot? t_slot;

    /// <summary>A waiting process became runnable: hand it to the current turn, or queue it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Ready(IRunnable work)
    {
        if (t_slot is { InTurn: true } slot)
        {
            slot.Deferrals++;
            var previous = Interlocked.Exchange(ref slot.Next, work);
            if (previous is null) return;
            work = previous;
        }
        ThreadPool.UnsafeQueueUserWorkItem(work, preferLocal: false);
    }

    /// <summary>The current turn sends a message: a process handed off earlier goes to the pool now.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Flush()
    {
        if (t_slot is { Next: not null } slot && Interlocked.Exchange(ref slot.Next, null) is { } next)
        {
            ThreadPool.UnsafeQueueUserWorkItem(next, preferLocal: false);
        }
    }

    /// <summary>Runs <paramref name="first"/>'s continuation, then whatever it handed off, up to the budget.</summary>
    public static void RunTurn(IRunnable first) => RunTurn(static m => ((IRunnable)m!).RunContinuation(), first);

    /// <summary>Runs <paramref name="step"/> as a turn, then whatever it handed off, up to the budget.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunTurn(Action<object?> step, object? state)
    {
        var slot = t_slot ?? CreateSlot();
        var outerTurn = slot.InTurn;
        var outerNext = outerTurn ? Interlocked.Exchange(ref slot.Next, null) : null;
        slot.InTurn = true;
        try
        {
            step(state);
            for (var hops = 0; hops < HandOffBudget; hops++)
            {
                var next = Interlocked.Exchange(ref slot.Next, null);
                if (next is null) break;
                if (next.TryClaim()) next.RunContinuation();
            }
        }
        finally
        {
            slot.InTurn = outerTurn;
            if (Interlocked.Exchange(ref slot.Next, outerNext) is { } left) ThreadPool.UnsafeQueueUserWorkItem(left, preferLocal: false);
        }
    }

    private static Slot CreateSlot()
    {
        var slot = new Slot(Thread.CurrentThread);
        lock (Slots)
        {
            Slots.Add(slot);
            if (s_monitor is null)
            {
                s_monitor = new Thread(Monitor) { IsBackground = true, Name = "Otp.Net hand-off monitor" };
                s_monitor.Start();
            }
        }
        t_slot = slot;
        return slot;
    }

    /// <summary>Moves processes found unchanged in a slot on two looks in a row to the pool.</summary>
    private static void Monitor()
    {
        var delay = 1;
        while (true)
        {
            Thread.Sleep(delay);
            var busy = false;
            lock (Slots)
            {
                for (var i = Slots.Count - 1; i >= 0; i--)
                {
                    var slot = Slots[i];
                    var next = Volatile.Read(ref slot.Next);
                    if (next is null)
                    {
                        if (!slot.Owner.IsAlive) Slots.RemoveAt(i);
                        continue;
                    }
                    busy = true;
                    var deferrals = Volatile.Read(ref slot.Deferrals);
                    if (deferrals != slot.SeenDeferrals)
                    {
                        slot.SeenDeferrals = deferrals;
                        continue;
                    }
                    if (Interlocked.CompareExchange(ref slot.Next, null, next) == next) ThreadPool.UnsafeQueueUserWorkItem(next, preferLocal: false);
                }
            }
            delay = busy ? 1 : Math.Min(delay * 2, 10);
        }
    }

    private sealed class Slot(Thread owner)
    {
        public readonly Thread Owner = owner;
        public IRunnable? Next;
        public bool InTurn;
        public int Deferrals;
        public int SeenDeferrals;
    }
}
