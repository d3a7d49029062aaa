using System.Runtime.CompilerServices;
namespace Otp.Net.GenServers;

/// <summary>
/// The timeouts of one node's pending requests (calls and system requests), without a runtime timer per request.
/// </summary>
/// <remarks>
/// A request's timeout was a <see cref="TimeProvider.CreateTimer"/> timer, created and disposed around every call:
/// about 120 bytes and two trips through the runtime's timer queue per call, for a timer that almost never fires.
/// Here a waiting reply token is linked, by its own fields, into a lane of requests that share one timeout length, so
/// each lane is ordered by deadline and only its head can be due. One timer per stripe is armed for the earliest
/// head; in steady state (every call answered long before its timeout) it fires about once per timeout length and
/// finds nothing due. Stripes follow the current processor, as the runtime's own timer queues do, so clients on
/// different cores rarely share a lock. A stripe holds a few lanes; a request with yet another timeout length, while
/// all lanes are in use, gets its own timer as before. Deadlines and timers run on the node's clock, so a fake
/// <see cref="TimeProvider"/> drives them.
/// </remarks>
internal sealed class CallDeadlines
{
    private const int LanesPerStripe = 8;
    private const double MaxArmMilliseconds = 24 * 60 * 60 * 1000;

    private readonly TimeProvider _clock;
    private readonly Stripe[] _stripes;

    public CallDeadlines(TimeProvider clock)
    {
        _clock = clock;
        _stripes = new Stripe[Math.Clamp(Environment.ProcessorCount, 1, 16)];
        for (var i = 0; i < _stripes.Length; i++) _stripes[i] = new Stripe(clock);
    }

    /// <summary>
    /// Times <paramref name="sink"/> out (<see cref="CallReply.TimedOut"/>) after <paramref name="timeout"/> unless it
    /// completes first and is <see cref="Remove">removed</see>. False when no lane is free for this timeout length.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryAdd(CallReply sink, TimeSpan timeout)
    {
        var ticks = (long)Math.Ceiling(timeout.TotalSeconds * _clock.TimestampFrequency);
        // A zero timeout is due at once; the lanes' timer, armed in whole milliseconds, would make it wait one.
        if (ticks <= 0) return false;
        return _stripes[(uint)Thread.GetCurrentProcessorId() % (uint)_stripes.Length].TryAdd(sink, ticks);
    }

    /// <summary>Stops timing <paramref name="sink"/>; nothing if it was never added or has already timed out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Remove(CallReply sink)
    {
        if (Volatile.Read(ref sink.DeadlineLane) is { } lane) lane.Stripe.Remove(sink);
    }

    /// <summary>The requests of one stripe that share a timeout length, oldest (earliest deadline) first.</summary>
    internal sealed class Lane(Stripe stripe)
    {
        public readonly Stripe Stripe = stripe;
        public long Ticks;
        public CallReply? Head;
        public CallReply? Tail;
    }

    internal sealed class Stripe(TimeProvider clock)
    {
        private readonly Lane[] _lanes = new Lane[LanesPerStripe];
        private int _laneCount;
        private ITimer? _timer;

        /// <summary>The timestamp the timer is armed for; <see cref="long.MaxValue"/> when it is not armed.</summary>
        private long _armedFor = long.MaxValue;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public bool TryAdd(CallReply sink, long ticks)
        {
            lock (_lanes)
            {
                var lane = FindLane(ticks);
                if (lane is null) return false;
                var deadline = clock.GetTimestamp() + ticks;
                sink.Deadline = deadline;
                sink.DeadlinePrevious = lane.Tail;
                sink.DeadlineNext = null;
                if (lane.Tail is { } tail) tail.DeadlineNext = sink;
                else lane.Head = sink;
                lane.Tail = sink;
                Volatile.Write(ref sink.DeadlineLane, lane);
                if (deadline < _armedFor) Arm(deadline, ticks);
                return true;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Remove(CallReply sink)
        {
            lock (_lanes)
            {
                if (sink.DeadlineLane is { } lane && ReferenceEquals(lane.Stripe, this)) Unlink(lane, sink);
            }
        }

        /// <summary>The lane for this timeout length: the one in use, an empty one taken over, or a new one while there is room.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private Lane? FindLane(long ticks)
        {
            Lane? empty = null;
            for (var i = 0; i < _laneCount; i++)
            {
                var lane = _lanes[i];
                if (lane.Ticks == ticks) return lane;
                if (lane.Head is null) empty ??= lane;
            }
            if (empty is null)
            {
                if (_laneCount == _lanes.Length) return null;
                empty = _lanes[_laneCount++] = new Lane(this);
            }
            empty.Ticks = ticks;
            return empty;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Unlink(Lane lane, CallReply sink)
        {
            if (sink.DeadlinePrevious is { } previous) previous.DeadlineNext = sink.DeadlineNext;
            else lane.Head = sink.DeadlineNext;
            if (sink.DeadlineNext is { } next) next.DeadlinePrevious = sink.DeadlinePrevious;
            else lane.Tail = sink.DeadlinePrevious;
            sink.DeadlinePrevious = null;
            sink.DeadlineNext = null;
            Volatile.Write(ref sink.DeadlineLane, null);
        }

        /// <summary>Arms the timer for <paramref name="deadline"/>, <paramref name="ticks"/> from now (under the lock).</summary>
        private void Arm(long deadline, long ticks)
        {
            _armedFor = deadline;
            // Whole milliseconds, rounded up: a timer due in under a millisecond would fire at once, find nothing
            // due, and be armed again in a loop until the deadline.
            // At most a day ahead (a runtime timer takes under 50 days): a longer deadline is armed again when it fires.
            var due = TimeSpan.FromMilliseconds(Math.Clamp(Math.Ceiling(ticks * 1000.0 / clock.TimestampFrequency), 1, MaxArmMilliseconds));
            if (_timer is null) _timer = clock.CreateTimer(static s => ((Stripe)s!).Fire(), this, due, Timeout.InfiniteTimeSpan);
            else _timer.Change(due, Timeout.InfiniteTimeSpan);
        }

        private void Fire()
        {
            CallReply? due = null;
            lock (_lanes)
            {
                var now = clock.GetTimestamp();
                var next = long.MaxValue;
                for (var i = 0; i < _laneCount; i++)
                {
                    var lane = _lanes[i];
                    while (lane.Head is { } head && head.Deadline <= now)
                    {
                        Unlink(lane, head);
                        head.DeadlineNext = due;
                        due = head;
                    }
                    if (lane.Head is { } first && first.Deadline < next) next = first.Deadline;
                }
                _armedFor = long.MaxValue;
                if (next != long.MaxValue) Arm(next, next - now);
            }
            // Completed outside the lock: a completion runs the caller's wake-up.
            while (due is not null)
            {
                var sink = due;
                due = sink.DeadlineNext;
                sink.DeadlineNext = null;
                sink.TryReply(CallReply.TimedOut);
            }
        }
    }
}
