using System.Diagnostics;
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
/// <item>a slot that takes a process while no one watches it queues its watcher (the slot itself, a thread-pool work
/// item) to the pool. The watcher runs on another thread, and if it finds the same process still in the slot after
/// <see cref="StealAfterMicroseconds"/> µs (the waker computes for long, or blocks its thread, for example on a
/// call's result), it takes the process and runs it there. It stops watching when it finds the slot empty, so
/// an idle program has no thread polling, and the waker arms it again with its next hand-off.</item>
/// </list>
/// A slot belongs to a thread of the .NET thread pool, which every node in the process shares; the scheduler holds
/// no other state (no list of slots, no thread of its own), so nodes share nothing through it but the pool itself.
/// A node created with <see cref="NodeOptions.HandOff"/> off has its processes' wake-ups queued to the pool directly;
/// so has every node while other programs keep the machine's cores busy (see <see cref="ForeignLoadMonitor"/>).
/// The hot methods of the message path (here, in <see cref="Mailbox"/>, <see cref="LocalProcess"/> and the reply
/// token) are compiled fully optimized from their first call. Left to tiered compilation, a busy program ran them as
/// unoptimized code for its first second or more (call counting waits for a quiet spell that eight busy clients on
/// two cores never give), and eight clients calling one server made about a quarter fewer calls in that time.
/// </remarks>
internal static class Scheduler
{
    /// <summary>How many processes one thread runs back to back by hand-off before it yields to the pool.</summary>
    internal const int HandOffBudget = 256;

    /// <summary>How long a process may wait in a slot whose owner does not end its turn before another thread takes it.</summary>
    internal const int StealAfterMicroseconds = 5;

    /// <summary>How long one watcher run may last before it requeues itself behind other work.</summary>
    private const int WatchMicroseconds = 200;

    private static readonly long StealAfterTicks = Math.Max(1, Stopwatch.Frequency * StealAfterMicroseconds / 1_000_000);
    private static readonly long WatchTicks = Stopwatch.Frequency * WatchMicroseconds / 1_000_000;
    private static readonly long PollTicks = Math.Max(1, Stopwatch.Frequency / 1_000_000);

    [ThreadStatic]
    private static Slot? t_slot;

    private static volatile bool s_handOffSuspended;

    /// <summary>
    /// Whether wake-ups go to the pool directly, as with hand-off off, because other programs keep the cores busy
    /// (set by <see cref="ForeignLoadMonitor"/>).
    /// </summary>
    internal static bool HandOffSuspended
    {
        get => s_handOffSuspended;
        set => s_handOffSuspended = value;
    }

    /// <summary>Whether the current thread's turn holds a handed-off process (diagnostics and tests).</summary>
    internal static bool HoldsHandOff => t_slot is { Next: not null };

    /// <summary>A waiting process became runnable: hand it to the current turn, or queue it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Ready(IRunnable work)
    {
        if (t_slot is { InTurn: true } slot && !s_handOffSuspended)
        {
            slot.Occupancy++;
            var previous = Interlocked.Exchange(ref slot.Next, work);
            if (previous is null)
            {
                // Full fence above; the watcher clears Armed with a full fence before it looks at Next again, so
                // either it sees this process or this thread sees it gone and arms it anew.
                if (Volatile.Read(ref slot.Armed) == 0) slot.Arm();
                return;
            }
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunTurn(IRunnable first) => RunTurn(RunContinuationStep, first);

    private static readonly Action<object?> RunContinuationStep = RunContinuationOf;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunContinuationOf(object? runnable) => ((IRunnable)runnable!).RunContinuation();

    /// <summary>Runs <paramref name="step"/> as a turn, then whatever it handed off, up to the budget.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunTurn(Action<object?> step, object? state)
    {
        var slot = t_slot ??= new Slot();
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

    /// <summary>A thread's hand-off slot; also the work item that watches it from another thread.</summary>
    private sealed class Slot : IThreadPoolWorkItem
    {
        /// <summary>The process waiting for this thread's turn to end.</summary>
        public IRunnable? Next;

        /// <summary>Counts the processes put in the slot (owner only), so the watcher tells one stay from the next.</summary>
        public int Occupancy;

        /// <summary>1 while the watcher is queued or running.</summary>
        public int Armed;

        /// <summary>Whether the owning thread is in a turn (owner only).</summary>
        public bool InTurn;

        public void Arm()
        {
            if (Interlocked.Exchange(ref Armed, 1) == 0) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }

        /// <summary>
        /// Watches the slot from another thread: takes a process that stays in it for longer than the steal delay,
        /// and stops once the slot is empty (the owner arms it again with its next hand-off).
        /// </summary>
        void IThreadPoolWorkItem.Execute()
        {
            var started = Stopwatch.GetTimestamp();
            var seen = Volatile.Read(ref Occupancy) - 1;
            var since = started;
            while (true)
            {
                var next = Volatile.Read(ref Next);
                if (next is null)
                {
                    Interlocked.Exchange(ref Armed, 0);
                    // A process put in the slot while this watcher was armed was not armed by its waker: look again.
                    if (Volatile.Read(ref Next) is null || Interlocked.Exchange(ref Armed, 1) != 0) return;
                    continue;
                }
                var occupancy = Volatile.Read(ref Occupancy);
                var now = Stopwatch.GetTimestamp();
                if (occupancy != seen)
                {
                    seen = occupancy;
                    since = now;
                }
                else if (now - since >= StealAfterTicks && ReferenceEquals(Interlocked.CompareExchange(ref Next, null, next), next))
                {
                    // The owner keeps its thread: run the process here. The watcher stays armed while a process
                    // is in the slot, so it goes back to the pool first if the owner has handed off another one.
                    Interlocked.Exchange(ref Armed, 0);
                    if (Volatile.Read(ref Next) is not null) Arm();
                    next.Execute();
                    return;
                }
                if (now - started >= WatchTicks)
                {
                    // A slot occupied for this long by ever new processes: let other work run, then watch again.
                    ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
                    return;
                }
                // Look again in about a microsecond, reading only the clock meanwhile: the slot's fields are written
                // by the owner at every hand-off, and reading them in a tight loop would pull their cache line away
                // from the owner each time (a ping-pong pair ran 40% slower that way).
                var until = now + PollTicks;
                while (Stopwatch.GetTimestamp() < until) Thread.SpinWait(8);
            }
        }
    }
}
