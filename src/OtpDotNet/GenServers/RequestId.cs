using Otp.Net.Processes;

namespace Otp.Net.GenServers;

/// <summary>
/// An asynchronous request made with <see cref="GenServer.SendRequest(ServerRef, object)"/> (OTP's
/// <c>request_id()</c>): it watches the server, so its response is either the reply or the server's end
/// (<c>noproc</c> if the server did not exist). The response is taken once, by <see cref="GenServer.ReceiveResponseAsync(RequestId, TimeSpan?, CancellationToken)"/>,
/// <see cref="GenServer.WaitResponseAsync(RequestId, TimeSpan?, CancellationToken)"/> or <see cref="GenServer.CheckResponse(RequestId)"/>.
/// Replies do not go through the caller's mailbox, so waiting for them never disturbs a process's selective receive
/// of its other messages.
/// </summary>
public sealed class RequestId
{
    private const int Pending = 0;
    private const int Taken = 1;
    private const int Abandoned = 2;

    private readonly CallReply _sink;
    private readonly TaskCompletionSource<ServerResponse> _response = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();
    private LocalProcess? _caller;
    private CancellationTokenRegistration _callerExit;
    private bool _observed;
    private int _state;

    internal RequestId(ServerRef server, object request, CallReply sink, TimeProvider clock)
    {
        Server = server;
        Request = request;
        _sink = sink;
        Clock = clock;
    }

    /// <summary>The server the request was sent to, as given.</summary>
    public ServerRef Server { get; }

    /// <summary>The request sent.</summary>
    public object Request { get; }

    /// <summary>True once the response has arrived (taken or not).</summary>
    public bool HasResponse
    {
        get
        {
            Settle();
            return _response.Task.IsCompleted;
        }
    }

    /// <summary>True once the response was taken, or the request abandoned: no wait on it gives a response any more.</summary>
    public bool IsSettled => Volatile.Read(ref _state) != Pending || CallerEnded;

    /// <summary>The process that made the request has ended: the request went with it.</summary>
    internal bool CallerEnded => _caller is { IsAlive: false };

    internal TimeProvider Clock { get; }

    /// <summary>Completes when the response arrives; never, for an abandoned request.</summary>
    internal Task<ServerResponse> Response => _response.Task;

    /// <summary>Starts watching the reply token; the caller's death abandons the request, as its monitor would go with it.</summary>
    internal void Start(LocalProcess? caller)
    {
        _caller = caller;
        if (caller is not null)
        {
            // Lets the server's watch go soon after the caller's death; readers also check the caller directly.
            _callerExit = caller.CancellationToken.UnsafeRegister(static s => ((RequestId)s!).Abandon(), this);
        }
        _ = ObserveAsync();
    }

    private async Task ObserveAsync()
    {
        await _sink.WaitAsync().ConfigureAwait(false);
        Settle();
    }

    /// <summary>
    /// Turns a completed reply token into the response, once: on the observer's pool turn, or earlier by a reader
    /// (a check right after the server replied sees the reply without waiting for that turn).
    /// </summary>
    private void Settle()
    {
        if (!_sink.IsCompleted) return;
        lock (_gate)
        {
            if (_observed) return;
            _observed = true;
            var result = _sink.TakeResult();
            _callerExit.Dispose();
            // Abandoned, or its process ended: the late reply is dropped (G7).
            if (ReferenceEquals(result, CallReply.Cancelled) || CallerEnded) return;
            _response.TrySetResult(ReferenceEquals(result, CallReply.Down)
                ? ServerResponse.Failed(_sink.Failure ?? ExitReason.NoProc, this)
                : ServerResponse.Replied(result, this));
        }
    }

    /// <summary>Takes the arrived response; false if none yet, or it was already taken or the request abandoned.</summary>
    internal bool TryTake(out ServerResponse response)
    {
        response = null!;
        if (CallerEnded) Abandon();
        Settle();
        if (!_response.Task.IsCompleted) return false;
        if (Interlocked.CompareExchange(ref _state, Taken, Pending) != Pending) return false;
        response = _response.Task.Result;
        return true;
    }

    /// <summary>Abandons the request (<c>receive_response</c> timing out): a response arriving later is dropped.</summary>
    internal void Abandon()
    {
        if (Interlocked.CompareExchange(ref _state, Abandoned, Pending) != Pending) return;
        _sink.TryReply(CallReply.Cancelled);
    }

    /// <inheritdoc />
    public override string ToString() => $"#Ref<request to {Server}>";
}
