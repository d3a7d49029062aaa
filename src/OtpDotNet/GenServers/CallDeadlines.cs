using System.Runtime.CompilerServices;

namespace Otp.Net.GenServers;

/// <summary>
/// The timeouts of one node's pending requests (calls and system requests), without a runtime timer per request.
/// </summary>
/// <remarks>
/// A request's timeout was a <see cref="TimeProvider.CreateTimer"/> timer, created and disposed around every call:
/// about 120 bytes and two trips through the runtime's timer queue per call, for a timer that almost never fires.
/// Here a waiting reply token is linked, by its own fields, into a lane of requests that share one timeout length, so
/// each lane is ordered by deadline and only its head can be due. A stripe holds a few such lanes and one more, kept
/// sorted by deadline, for requests whose timeout length finds no lane free. One timer per stripe is armed for the
/// earliest head, at most a day ahead; in steady state (every call answered long before its timeout) it fires about
/// once per timeout length and finds nothing due. Stripes follow the current processor, as the runtime's own timer
/// queues do, so clients on different cores rarely share a lock. Deadlines and timers run on the node's clock, so a
/// fake <see cref="TimeProvider"/> drives them; the timer is created without the caller's execution context, so it
/// keeps no process (or module version) of the caller alive.
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
    /// completes first and is <see cref="Remove">removed</see>. False for a zero timeout, which the caller times out
    /// at once by itself (the lanes' timer, armed in whole milliseconds, would make it wait one).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryAdd(CallReply sink, TimeSpan timeout)
    {
        // Saturated: a timeout of centuries (TimeSpan.MaxValue) is a deadline that never comes, not an overflow.
        var seconds = timeout.TotalSeconds * _clock.TimestampFrequency;
        var ticks = seconds >= long.MaxValue / 4 ? long.MaxValue / 4 : (long)Math.Ceiling(seconds);
        if (ticks <= 0) return false;
        _stripes[(uint)Thread.GetCurrentProcessorId() % (uint)_stripes.Length].Add(sink, ticks);
        return true;
    }

    /// <summary>Stops timing <paramref name="sink"/>; nothing if it was never added or has already timed out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Remove(CallReply sink)
    {
        if (Volatile.Read(ref sink.DeadlineLane) is { } lane) lane.Stripe.Remove(sink);
    }

    /// <summary>Requests of one stripe ordered by deadline: all of one timeout length, or the stripe's sorted overflow lane.</summary>
    internal sealed class Lane(Stripe stripe)
    {
        public readonly Stripe Stripe = stripe;
        public long Ticks;
        public CallReply? Head;
        public CallReply? Tail;
    }

    internal sealed class Stripe
    {
        private readonly TimeProvider _clock;
        private readonly Lane[] _lanes = new Lane[LanesPerStripe];
        private readonly Lane _overflow;
        private int _laneCount;
        private ITimer? _timer;

        /// <summary>The timestamp the timer is armed for; <see cref="long.MaxValue"/> when it is not armed.</summary>
        private long _armedFor = long.MaxValue;

        public Stripe(TimeProvider clock)
        {
            _clock = clock;
            _overflow = new Lane(this);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Add(CallReply sink, long ticks)
        {
            lock (_lanes)
            {
                var deadline = _clock.GetTimestamp() + ticks;
                sink.Deadline = deadline;
                if (FindLane(ticks) is { } lane)
                {
                    InsertAfter(lane, lane.Tail, sink);
                }
                else
                {
                    // Every lane holds another timeout length: keep this one in deadline order among the others.
                    var after = _overflow.Tail;
                    while (after is not null && after.Deadline > deadline) after = after.DeadlinePrevious;
                    InsertAfter(_overflow, after, sink);
                }
                if (deadline < _armedFor) Arm(deadline, ticks);
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
        private static void InsertAfter(Lane lane, CallReply? after, CallReply sink)
        {
            var next = after is null ? lane.Head : after.DeadlineNext;
            sink.DeadlinePrevious = after;
            sink.DeadlineNext = next;
            if (after is null) lane.Head = sink;
            else after.DeadlineNext = sink;
            if (next is null) lane.Tail = sink;
            else next.DeadlinePrevious = sink;
            Volatile.Write(ref sink.DeadlineLane, lane);
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
            // Whole milliseconds, rounded up (a timer due in under a millisecond would fire at once, find nothing due,
            // and be armed again in a loop until the deadline), and at most a day ahead (a runtime timer takes under
            // 50 days): a later deadline is armed again when the timer fires.
            var due = TimeSpan.FromMilliseconds(Math.Clamp(Math.Ceiling(ticks * 1000.0 / _clock.TimestampFrequency), 1, MaxArmMilliseconds));
            if (_timer is null)
            {
                // Created without the execution context of the call that happens to come first: the timer lives as
                // long as the node, and that context holds the calling process.
                using (ExecutionContext.SuppressFlow())
                {
                    _timer = _clock.CreateTimer(static s => ((Stripe)s!).Fire(), this, due, Timeout.InfiniteTimeSpan);
                }
            }
            else
            {
                _timer.Change(due, Timeout.InfiniteTimeSpan);
            }
        }

        private void Fire()
        {
            CallReply? first = null;
            CallReply? last = null;
            lock (_lanes)
            {
                var now = _clock.GetTimestamp();
                var next = long.MaxValue;
                for (var i = 0; i <= _laneCount; i++)
                {
                    var lane = i < _laneCount ? _lanes[i] : _overflow;
                    while (lane.Head is { } head && head.Deadline <= now)
                    {
                        Unlink(lane, head);
                        if (last is null) first = head;
                        else last.DeadlineNext = head;
                        last = head;
                    }
                    if (lane.Head is { } earliest && earliest.Deadline < next) next = earliest.Deadline;
                }
                _armedFor = long.MaxValue;
                if (next != long.MaxValue) Arm(next, next - now);
            }
            // Completed outside the lock: a completion runs the caller's wake-up, which never throws (a waiter's
            // context that refuses it is bypassed), so nothing escapes this timer callback.
            while (first is not null)
            {
                var sink = first;
                first = sink.DeadlineNext;
                sink.DeadlineNext = null;
                sink.TryReply(CallReply.TimedOut);
            }
        }
    }
}
