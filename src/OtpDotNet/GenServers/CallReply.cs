using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
using Microsoft.Extensions.Logging;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.GenServers;

/// <summary>
/// A one-shot reply token for one request (call or system request). It also watches the server: if the server
/// dies before replying, the waiting caller learns the exit reason. Once completed, further replies are ignored,
/// so a reply arriving after a timeout never reaches the caller (G7).
/// </summary>
/// <remarks>
/// The caller awaits the token itself. Its completion goes through the <see cref="Scheduler"/>, so a server that
/// replies and then waits for its next message hands its thread to the caller.
/// </remarks>
internal sealed class CallReply : ReplyWatch, IValueTaskSource<object?>, IRunnable
{
    private const int Pending = 0;
    private const int Claimed = 1;
    private const int Published = 2;

    /// <summary>The deadline list this token waits in (see <see cref="CallDeadlines"/>), and its place there; under the stripe's lock.</summary>
    internal CallDeadlines.Lane? DeadlineLane;
    internal CallReply? DeadlinePrevious;
    internal CallReply? DeadlineNext;
    internal long Deadline;

    private HandOffCore _core;
    private object? _result;
    private int _phase;

    public CallReply(Pid caller) => Caller = caller;

    /// <summary>A reply token for the calling process (undefined outside any process).</summary>
    public CallReply()
        : this(ProcessContext.CurrentProcess?.Self ?? default)
    {
    }

    public Pid Caller { get; }

    /// <summary>Whether the caller's wake-up may wait in the replying turn's hand-off slot (see <see cref="Scheduler"/>); set before the request is sent.</summary>
    public bool HandOff
    {
        get => !_core.Direct;
        set => _core.Direct = !value;
    }

    /// <summary>The result that means "the server ended before replying"; see <see cref="Failure"/>.</summary>
    public static readonly object Down = new();

    /// <summary>The result that means "the call timed out".</summary>
    public static readonly object TimedOut = new();

    /// <summary>The result that means "the caller's token was cancelled".</summary>
    public static readonly object Cancelled = new();

    /// <summary>The result that means "the server replied with a value of a type the caller does not accept"; see <see cref="Failure"/>.</summary>
    public static readonly object Refused = new();

    /// <summary>The server's exit reason, when the result is <see cref="Down"/>; <c>{bad_reply_type, ...}</c> when it is <see cref="Refused"/>.</summary>
    public ExitReason? Failure { get; private set; }

    private Func<object?, bool>? _accepts;
    private Type? _expected;

    /// <summary>Makes this a typed call's token: a reply that is not a <typeparamref name="T"/> is refused (set before the request is sent).</summary>
    public void Expect<T>()
    {
        _expected = typeof(T);
        _accepts = ReplyType<T>.Accepts;
    }

    /// <summary>True once the result (and <see cref="Failure"/>) can be read: it is published before this turns true.</summary>
    public bool IsCompleted
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        get => Volatile.Read(ref _phase) == Published;
    }

    /// <inheritdoc />
    public override bool IsDone
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        get => Volatile.Read(ref _phase) != Pending;
    }

    /// <summary>The reply, or one of the markers; completes once.</summary>
    public ValueTask<object?> WaitAsync() => new(this, 0);

    /// <summary>
    /// Runs <paramref name="continuation"/> with <paramref name="state"/> once the token completes, on the thread the
    /// <see cref="Scheduler"/> chooses (never inline), without the caller's execution context. Instead of
    /// <see cref="WaitAsync"/>, once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void OnCompleted(Action<object?> continuation, object state) =>
        _core.OnCompleted(this, continuation, state, ValueTaskSourceOnCompletedFlags.None);

    /// <summary>Completes the token with a reply, or with <see cref="TimedOut"/> or <see cref="Cancelled"/> when the caller stops waiting; only the first completion counts.</summary>
    public bool TryReply(object? value) => TryComplete(value, null);

    /// <summary>
    /// Completes the token with the server's reply (the engine's and <see cref="GenServer.Reply"/>'s path). A typed call
    /// refuses a reply of another type: the caller gets <see cref="CallReplyTypeException"/>, and the refusal is logged on
    /// the replying process's node.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryAnswer(object? value)
    {
        if (_accepts is null || _accepts(value)) return TryComplete(value, null);
        var reason = CallReplyTypeException.ReasonFor(_expected!, value);
        if (!TryComplete(Refused, reason)) return false;
        var process = ProcessContext.CurrentProcess;
        if (process is not null)
        {
            GenServerLog.BadReplyType(process.Node.LoggerFactory.CreateLogger(GenServerLog.Category), process.Self.ToString(),
                Caller.ToString(), _expected!.FullName ?? _expected.Name, value?.GetType().FullName ?? "null");
        }
        return true;
    }

    /// <inheritdoc />
    public override void OnProcessDown(ExitReason reason) => TryComplete(Down, reason);

    /// <summary>The result, once completed; the token lets go of it, as it may stay on the server's watch list for a while.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public object? TakeResult()
    {
        var result = _result;
        _result = null;
        return result;
    }

    /// <summary>
    /// The first completion claims the token, writes the result, then publishes it: a reader that sees
    /// <see cref="IsCompleted"/> (or the awaited completion) reads this result, never a default.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryComplete(object? value, ExitReason? failure)
    {
        if (Interlocked.CompareExchange(ref _phase, Claimed, Pending) != Pending) return false;
        Failure = failure;
        _result = value;
        Volatile.Write(ref _phase, Published);
        _core.Signal(this);
        return true;
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    object? IValueTaskSource<object?>.GetResult(short token) => _result;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    ValueTaskSourceStatus IValueTaskSource<object?>.GetStatus(short token) => _core.Status;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void IValueTaskSource<object?>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(this, continuation, state, flags);
}

/// <summary>Whether a reply fits a typed call's <typeparamref name="T"/> (null fits a reference or nullable type).</summary>
internal static class ReplyType<T>
{
    public static readonly Func<object?, bool> Accepts = static value => value is T || (value is null && default(T) is null);
}
