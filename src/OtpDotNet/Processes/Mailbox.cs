using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using System.Threading.Tasks.Sources;

namespace Otp.Net.Processes;

/// <summary>
/// A process's mailbox: a <see cref="Channel{T}"/> written for the actor case. Many writers, one reader (the
/// owning process), no preallocated segment and no waiter allocated while idle.
/// </summary>
/// <remarks>
/// The queue is a multi-producer/single-consumer list of array segments, allocated on the first message (an idle
/// process that never got one holds none). A writer reserves a slot with one interlocked increment and then fills
/// it; a full segment gets a successor, small while the reader keeps up and doubling (to
/// <see cref="MaxSegment"/>) while it lags. The reader owns the head and nulls the slots it takes; slots are never
/// reused, so there is no ABA. A reserved slot that is not yet filled counts as a message: the reader waits the few
/// instructions until it is. A writer reads "parked" after its reservation (a full fence); the reader publishes
/// "parked" with a full fence before looking at the reservations, so one of the two always sees the other (no lost
/// wake-up).
/// The waiter is the mailbox itself: a completed wait hands the mailbox (a thread-pool work item) to the
/// <see cref="Scheduler"/>, so waking a process allocates nothing. The continuation never runs on the writer's stack.
/// </remarks>
internal sealed class Mailbox : Channel<object>, IValueTaskSource<bool>, IRunnable
{
    private const int FirstSegment = 8;
    private const int SmallSegment = 32;
    private const int MaxSegment = 1024;

    private Segment? _head;
    private int _readIndex;
    private Segment? _tail;
    private int _parked;
    private short _version;
    private HandOffCore _core;

    public Mailbox()
    {
        Reader = new MailboxReader(this);
        Writer = new MailboxWriter(this);
    }

    /// <summary>Set when the owning process has exited: writes are dropped.</summary>
    public bool IsClosed { get; private set; }

    /// <summary>The process whose mailbox this is (for writes through the channel writer).</summary>
    public LocalProcess? Owner { get; set; }

    /// <summary>Whether a wake-up made by a running process may wait in that process's hand-off slot (see <see cref="Scheduler"/>); true unless the node turned hand-off off.</summary>
    public bool HandOff
    {
        get => !_core.Direct;
        init => _core.Direct = !value;
    }

    /// <summary>Appends a message. Safe from any thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Enqueue(object message)
    {
        var segment = Volatile.Read(ref _tail) ?? FirstSegmentOf();
        while (true)
        {
            var index = Interlocked.Increment(ref segment.Reserved) - 1;
            if (index < segment.Items.Length)
            {
                Volatile.Write(ref segment.Items[index], message);
                break;
            }
            var next = Volatile.Read(ref segment.Next);
            if (next is null)
            {
                var size = Volatile.Read(ref _head) == segment ? SmallSegment : Math.Min(segment.Items.Length * 2, MaxSegment);
                var fresh = new Segment(size);
                next = Interlocked.CompareExchange(ref segment.Next, fresh, null) ?? fresh;
            }
            Interlocked.CompareExchange(ref _tail, next, segment);
            segment = next;
        }
        if (Volatile.Read(ref _parked) == 1) Wake();
    }

    private Segment FirstSegmentOf()
    {
        // The head is installed first, so the reader never starts from a later segment.
        var fresh = new Segment(FirstSegment);
        var first = Interlocked.CompareExchange(ref _head, fresh, null) ?? fresh;
        Interlocked.CompareExchange(ref _tail, first, null);
        return first;
    }

    /// <summary>Takes the oldest message. Reader only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryDequeue([NotNullWhen(true)] out object? message)
    {
        var segment = Volatile.Read(ref _head);
        if (segment is null)
        {
            message = null;
            return false;
        }
        while (true)
        {
            var index = _readIndex;
            if (index < segment.Items.Length)
            {
                if (index >= Volatile.Read(ref segment.Reserved))
                {
                    message = null;
                    return false;
                }
                message = Volatile.Read(ref segment.Items[index]);
                if (message is null)
                {
                    // Reserved, not yet filled: the writer is between its two steps.
                    var spinner = default(SpinWait);
                    while ((message = Volatile.Read(ref segment.Items[index])) is null) spinner.SpinOnce();
                }
                segment.Items[index] = null;
                _readIndex = index + 1;
                return true;
            }
            var next = Volatile.Read(ref segment.Next);
            if (next is null)
            {
                message = null;
                return false;
            }
            _head = segment = next;
            _readIndex = 0;
        }
    }

    /// <summary>Whether a message is waiting in the queue, or reserved and about to be (reader only).</summary>
    public bool HasMessages
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        get
        {
            var segment = Volatile.Read(ref _head);
            if (segment is null) return false;
            var index = _readIndex;
            if (index < segment.Items.Length) return index < Volatile.Read(ref segment.Reserved);
            return Volatile.Read(ref segment.Next) is { } next && Volatile.Read(ref next.Reserved) > 0;
        }
    }

    /// <summary>Counts queued messages (diagnostics only; racy but safe from any thread).</summary>
    public int CountApprox()
    {
        var segment = Volatile.Read(ref _head);
        var n = -Volatile.Read(ref _readIndex);
        for (; segment is not null; segment = Volatile.Read(ref segment.Next))
        {
            n += Math.Min(Volatile.Read(ref segment.Reserved), segment.Items.Length);
        }
        return Math.Max(n, 0);
    }

    /// <summary>
    /// Parks the reader until a message arrives or <see cref="Wake"/> is called. Completes at once when a
    /// message is already queued. Reader only; one wait at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ValueTask<bool> WaitAsync() => Park() ? new ValueTask<bool>(this, _version) : new ValueTask<bool>(true);

    /// <summary>
    /// Starts a wait: true if the reader is now parked (complete it with <see cref="OnReady"/> or through the
    /// <see cref="WaitAsync"/> task), false if a message is already there or the mailbox is closed. Reader only.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Park()
    {
        _version++;
        _core.Reset();
        Interlocked.Exchange(ref _parked, 1);
        if (HasMessages || IsClosed)
        {
            if (Interlocked.CompareExchange(ref _parked, 0, 1) == 1) return false;
            // A writer took the wake-up; it completes the waiter.
        }
        return true;
    }

    /// <summary>Registers what runs when the wait started by <see cref="Park"/> completes (the reader's own receive).</summary>
    /// <param name="continuation">What runs.</param>
    /// <param name="state">Its argument.</param>
    /// <param name="flowContext">Run it in the reader's execution context (when it calls code the user gave).</param>
    public void OnReady(Action<object?> continuation, object? state, bool flowContext) =>
        _core.OnCompleted(this, continuation, state, flowContext ? ValueTaskSourceOnCompletedFlags.FlowExecutionContext : ValueTaskSourceOnCompletedFlags.None);

    /// <summary>Wakes a parked reader (new message, timeout, exit). Safe from any thread; a no-op if not parked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Wake()
    {
        if (Interlocked.CompareExchange(ref _parked, 0, 1) != 1) return;
        _core.Signal(this);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryClaim() => _core.TryClaim();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RunContinuation() => _core.Run();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void IThreadPoolWorkItem.Execute()
    {
        if (TryClaim()) Scheduler.RunTurn(this);
    }

    /// <summary>Closes the mailbox and wakes the reader.</summary>
    public void Close()
    {
        IsClosed = true;
        Wake();
    }

    /// <summary>Drops queued messages (after exit) so they can be collected. Reader only, like every dequeue.</summary>
    public void Drain(Action<object>? each)
    {
        while (TryDequeue(out var m)) each?.Invoke(m);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    bool IValueTaskSource<bool>.GetResult(short token)
    {
        if (token != _version) throw new InvalidOperationException("The mailbox wait was already consumed.");
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token)
    {
        if (token != _version) throw new InvalidOperationException("The mailbox wait was already consumed.");
        return _core.Status;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
    {
        if (token != _version) throw new InvalidOperationException("The mailbox wait was already consumed.");
        _core.OnCompleted(this, continuation, state, flags);
    }

    private sealed class Segment(int size)
    {
        public readonly object?[] Items = new object?[size];
        public int Reserved;
        public Segment? Next;
    }

    private sealed class MailboxReader(Mailbox mailbox) : ChannelReader<object>
    {
        public override bool TryRead([MaybeNullWhen(false)] out object item) => mailbox.TryDequeue(out item);

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) =>
            mailbox.HasMessages ? new ValueTask<bool>(true) : mailbox.IsClosed ? new ValueTask<bool>(false) : mailbox.WaitAsync();
    }

    private sealed class MailboxWriter(Mailbox mailbox) : ChannelWriter<object>
    {
        public override bool TryWrite(object item)
        {
            ArgumentNullException.ThrowIfNull(item);
            if (mailbox.IsClosed) return false;
            if (mailbox.Owner is { } owner) owner.Deliver(item);
            else mailbox.Enqueue(item);
            return true;
        }

        public override ValueTask<bool> WaitToWriteAsync(CancellationToken cancellationToken = default) =>
            new(!mailbox.IsClosed);
    }
}
