using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using System.Threading.Tasks.Sources;

namespace Otp.Net.Processes;

/// <summary>
/// A process's mailbox: a <see cref="Channel{T}"/> written for the actor case. Many writers, one reader (the
/// owning process), no preallocated segment and no waiter allocated while idle.
/// </summary>
/// <remarks>
/// The queue is an intrusive multi-producer/single-consumer linked list (Vyukov): a writer swaps the tail with
/// one interlocked exchange and then links the previous tail to its cell. The reader owns <see cref="_head"/>.
/// A writer that links a cell while the reader is parked completes the reader's waiter; the reader publishes
/// "parked" with a full fence before re-checking the queue, and the writer links with a full fence before
/// checking "parked", so one of the two always sees the other (no lost wake-up).
/// The waiter is the mailbox itself: a completed wait hands the mailbox (a thread-pool work item) to the
/// <see cref="Scheduler"/>, so waking a process allocates nothing. The continuation never runs on the writer's stack.
/// </remarks>
internal sealed class Mailbox : Channel<object>, IValueTaskSource<bool>, IRunnable
{
    private Cell _head;
    private Cell _tail;
    private int _parked;
    private short _version;
    private HandOffCore _core;

    public Mailbox()
    {
        _head = _tail = new Cell(null);
        Reader = new MailboxReader(this);
        Writer = new MailboxWriter(this);
    }

    /// <summary>Set when the owning process has exited: writes are dropped.</summary>
    public bool IsClosed { get; private set; }

    /// <summary>The process whose mailbox this is (for writes through the channel writer).</summary>
    public LocalProcess? Owner { get; set; }

    /// <summary>Appends a message. Safe from any thread.</summary>
    public void Enqueue(object message)
    {
        var cell = new Cell(message);
        var prev = Interlocked.Exchange(ref _tail, cell);
        Interlocked.Exchange(ref prev.Next, cell);
        if (Volatile.Read(ref _parked) == 1) Wake();
    }

    /// <summary>Takes the oldest message. Reader only.</summary>
    public bool TryDequeue([NotNullWhen(true)] out object? message)
    {
        var next = Volatile.Read(ref _head.Next);
        if (next is null)
        {
            message = null;
            return false;
        }
        _head = next;
        message = next.Value!;
        next.Value = null;
        return true;
    }

    /// <summary>Whether a message is waiting in the queue (reader only; may miss a write in progress).</summary>
    public bool HasMessages => Volatile.Read(ref _head.Next) is not null;

    /// <summary>Counts queued messages by walking the list (diagnostics only; racy but safe from any thread).</summary>
    public int CountApprox()
    {
        var n = 0;
        for (var c = Volatile.Read(ref _head).Next; c is not null && n < int.MaxValue; c = Volatile.Read(ref c.Next)) n++;
        return n;
    }

    /// <summary>
    /// Parks the reader until a message arrives or <see cref="Wake"/> is called. Completes at once when a
    /// message is already queued. Reader only; one wait at a time.
    /// </summary>
    public ValueTask<bool> WaitAsync()
    {
        _version++;
        _core.Reset();
        Interlocked.Exchange(ref _parked, 1);
        if (HasMessages || IsClosed)
        {
            if (Interlocked.CompareExchange(ref _parked, 0, 1) == 1) return new ValueTask<bool>(true);
            // A writer took the wake-up; it completes the waiter.
        }
        return new ValueTask<bool>(this, _version);
    }

    /// <summary>Wakes a parked reader (new message, timeout, exit). Safe from any thread; a no-op if not parked.</summary>
    public void Wake()
    {
        if (Interlocked.CompareExchange(ref _parked, 0, 1) != 1) return;
        _core.Signal(this);
    }

    public bool TryClaim() => _core.TryClaim();

    public void RunContinuation() => _core.Run();

    void IThreadPoolWorkItem.Execute()
    {
        if (TryClaim()) Scheduler.RunTurn(this);
    }

    /// <summary>Closes the mailbox, drops every queued message and wakes the reader.</summary>
    public void Close()
    {
        IsClosed = true;
        Wake();
    }

    /// <summary>Drops queued messages (after exit) so they can be collected.</summary>
    public void Drain(Action<object>? each)
    {
        while (TryDequeue(out var m)) each?.Invoke(m);
    }

    bool IValueTaskSource<bool>.GetResult(short token)
    {
        if (token != _version) throw new InvalidOperationException("The mailbox wait was already consumed.");
        return true;
    }

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token)
    {
        if (token != _version) throw new InvalidOperationException("The mailbox wait was already consumed.");
        return _core.Status;
    }

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
    {
        if (token != _version) throw new InvalidOperationException("The mailbox wait was already consumed.");
        _core.OnCompleted(this, continuation, state, flags);
    }

    private sealed class Cell(object? value)
    {
        public object? Value = value;
        public Cell? Next;
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
