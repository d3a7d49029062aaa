using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.GenServers;

/// <summary>
/// A one-shot reply token for one request (call or system request). It also watches the server: if the server
/// dies before replying, the waiting caller learns the exit reason. Once completed, further replies are ignored,
/// so a reply arriving after a timeout never reaches the caller (G7).
/// </summary>
internal sealed class CallReply : IDownWatcher
{
    private readonly TaskCompletionSource<object?> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CallReply(Pid caller) => Caller = caller;

    /// <summary>A reply token for the calling process (undefined outside any process).</summary>
    public CallReply()
        : this(ProcessContext.CurrentProcess?.Self ?? default)
    {
    }

    public Pid Caller { get; }

    public Ref MonitorRef { get; } = new();

    /// <summary>The result that means "the server ended before replying"; see <see cref="Failure"/>.</summary>
    public static readonly object Down = new();

    /// <summary>The result that means "the caller gave up".</summary>
    public static readonly object Abandoned = new();

    /// <summary>The server's exit reason, when the result is <see cref="Down"/>.</summary>
    public ExitReason? Failure { get; private set; }

    public Task<object?> Task => _completion.Task;

    public bool TryReply(object? value) => _completion.TrySetResult(value);

    /// <summary>The caller stopped waiting: later replies are dropped.</summary>
    public void Abandon() => _completion.TrySetResult(Abandoned);

    public void OnDown(Ref monitorRef, Pid pid, ExitReason reason)
    {
        if (_completion.Task.IsCompleted) return;
        Failure = reason;
        _completion.TrySetResult(Down);
    }
}
