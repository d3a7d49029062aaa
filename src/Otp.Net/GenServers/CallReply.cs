using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
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
    private HandOffCore _core;
    private object? _result;
    private int _completed;

    public CallReply(Pid caller) => Caller = caller;

    /// <summary>A reply token for the calling process (undefined outside any process).</summary>
    public CallReply()
        : this(ProcessContext.CurrentProcess?.Self ?? default)
    {
    }

    public Pid Caller { get; }

    /// <summary>The result that means "the server ended before replying"; see <see cref="Failure"/>.</summary>
    public static readonly object Down = new();

    /// <summary>The result that means "the call timed out".</summary>
    public static readonly object TimedOut = new();

    /// <summary>The result that means "the caller's token was cancelled".</summary>
    public static readonly object Cancelled = new();

    /// <summary>The server's exit reason, when the result is <see cref="Down"/>.</summary>
    public ExitReason? Failure { get; private set; }

    public bool IsCompleted => Volatile.Read(ref _completed) == 1;

    /// <inheritdoc />
    public override bool IsDone => IsCompleted;

    /// <summary>The reply, or one of the markers; completes once.</summary>
    public ValueTask<object?> WaitAsync() => new(this, 0);

    /// <summary>Completes the token with a reply, or with <see cref="TimedOut"/> or <see cref="Cancelled"/> when the caller stops waiting; only the first completion counts.</summary>
    public bool TryReply(object? value) => TryComplete(value);

    /// <inheritdoc />
    public override void OnProcessDown(ExitReason reason)
    {
        if (IsCompleted) return;
        Failure = reason;
        TryComplete(Down);
    }

    /// <summary>The result, once completed; the token lets go of it, as it may stay on the server's watch list for a while.</summary>
    public object? TakeResult()
    {
        var result = _result;
        _result = null;
        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryComplete(object? value)
    {
        if (Interlocked.CompareExchange(ref _completed, 1, 0) != 0) return false;
        _result = value;
        _core.Signal(this);
        return true;
    }

    public bool TryClaim() => _core.TryClaim();

    public void RunContinuation() => _core.Run();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void IThreadPoolWorkItem.Execute()
    {
        if (TryClaim()) Scheduler.RunTurn(this);
    }

    object? IValueTaskSource<object?>.GetResult(short token) => _result;

    ValueTaskSourceStatus IValueTaskSource<object?>.GetStatus(short token) => _core.Status;

    void IValueTaskSource<object?>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(this, continuation, state, flags);
}
