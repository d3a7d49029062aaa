using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace Otp.Net.Processes;

/// <summary>Something the <see cref="Scheduler"/> can run: a completed wait whose continuation is ready.</summary>
internal interface IRunnable : IThreadPoolWorkItem
{
    /// <summary>Takes the right to run the pending continuation; false if another thread took it.</summary>
    bool TryClaim();

    /// <summary>Runs the continuation (after a successful <see cref="TryClaim"/>).</summary>
    void RunContinuation();
}

/// <summary>
/// The continuation half of a value-task source whose completion goes through the <see cref="Scheduler"/>: the
/// continuation never runs on the completing thread's stack, and a completion made by a running process is handed
/// to that process's thread. Used as a field of its owner (never copied).
/// </summary>
internal struct HandOffCore
{
    private static readonly Action<object?> Signalled = static _ => { };

    private Action<object?>? _continuation;
    private object? _state;
    private ExecutionContext? _executionContext;
    private object? _schedulingContext;
    private int _ticket;
    private bool _direct;

    /// <summary>Queues every completion to the thread pool, never to the completing turn's hand-off slot (set before the first wait).</summary>
    public bool Direct
    {
        readonly get => _direct;
        set => _direct = value;
    }

    /// <summary>Prepares for a new wait (the waiter only, before publishing it).</summary>
    public void Reset()
    {
        _continuation = null;
        _state = null;
        _executionContext = null;
        _schedulingContext = null;
    }

    /// <summary>Whether the wait has completed (before a continuation was registered).</summary>
    public readonly ValueTaskSourceStatus Status =>
        ReferenceEquals(Volatile.Read(in _continuation), Signalled) ? ValueTaskSourceStatus.Succeeded : ValueTaskSourceStatus.Pending;

    /// <summary>
    /// Completes the wait. Completion is this one exchange, so the waiter cannot see it before it has landed.
    /// Whoever comes second (completion or registration) dispatches the continuation.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Signal(IRunnable owner)
    {
        if (Interlocked.CompareExchange(ref _continuation, Signalled, null) is not null) Dispatch(owner);
    }

    /// <summary>Registers the waiter's continuation (<see cref="IValueTaskSource.OnCompleted"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void OnCompleted(IRunnable owner, Action<object?> continuation, object? state, ValueTaskSourceOnCompletedFlags flags)
    {
        if ((flags & ValueTaskSourceOnCompletedFlags.FlowExecutionContext) != 0) _executionContext = ExecutionContext.Capture();
        if ((flags & ValueTaskSourceOnCompletedFlags.UseSchedulingContext) != 0)
        {
            if (SynchronizationContext.Current is { } sc && sc.GetType() != typeof(SynchronizationContext)) _schedulingContext = sc;
            else if (TaskScheduler.Current != TaskScheduler.Default) _schedulingContext = TaskScheduler.Current;
        }
        _state = state;
        if (Interlocked.CompareExchange(ref _continuation, continuation, null) is null) return;
        // Already completed: dispatch now (never inline on the awaiting stack).
        _continuation = continuation;
        Dispatch(owner);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Dispatch(IRunnable owner)
    {
        if (_schedulingContext is { } context)
        {
            // The continuation leaves the core here: nothing of the waiter stays reachable from it.
            var work = new Work(_continuation!, _state, _executionContext);
            Clear();
            try
            {
                if (context is SynchronizationContext sc) sc.Post(static w => ((Work)w!).Run(), work);
                else Task.Factory.StartNew(static w => ((Work)w!).Run(), work, CancellationToken.None, TaskCreationOptions.DenyChildAttach, (TaskScheduler)context);
            }
            catch (Exception)
            {
                // The waiter's context refused the continuation (a disposed UI context, a scheduler that throws): run
                // it on the thread pool rather than lose the waiter, and never fail the completing side (a server
                // replying, the deadline timer).
                ThreadPool.UnsafeQueueUserWorkItem(static w => w.Run(), work, preferLocal: false);
            }
            return;
        }
        Volatile.Write(ref _ticket, 1);
        if (_direct) ThreadPool.UnsafeQueueUserWorkItem(owner, preferLocal: false);
        else Scheduler.Ready(owner);
    }

    /// <summary>Takes the right to run the pending continuation; false if another thread took it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryClaim() => Interlocked.Exchange(ref _ticket, 0) == 1;

    /// <summary>
    /// Runs the continuation (after a successful <see cref="TryClaim"/>). The core lets go of the continuation, its
    /// state and its execution context first: a finished wait keeps nothing of its waiter alive (the reply a caller
    /// awaited, an old module version's code), and the continuation may start the next wait.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run()
    {
        var continuation = _continuation!;
        var state = _state;
        var ec = _executionContext;
        Clear();
        if (ec is null) continuation(state);
        else ExecutionContext.Run(ec, static s => Invoke(s), (continuation, state));
    }

    /// <summary>Forgets the dispatched continuation; the wait stays completed until the next <see cref="Reset"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Clear()
    {
        _state = null;
        _executionContext = null;
        _schedulingContext = null;
        Volatile.Write(ref _continuation, Signalled);
    }

    private static void Invoke(object? work)
    {
        var (continuation, state) = ((Action<object?>, object?))work!;
        continuation(state);
    }

    /// <summary>A continuation posted to the waiter's scheduling context, run in the waiter's execution context.</summary>
    private sealed class Work(Action<object?> continuation, object? state, ExecutionContext? executionContext)
    {
        public void Run()
        {
            if (executionContext is null) continuation(state);
            else ExecutionContext.Run(executionContext, static s => Invoke(s), (continuation, state));
        }
    }
}
