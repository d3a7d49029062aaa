using System.Runtime.CompilerServices;
using Otp.Net.Diagnostics;
using Otp.Net.Processes;

namespace Otp.Net.GenServers;

/// <summary>
/// The request/reply machinery shared by gen_server calls and sys requests: monitor the server, send the
/// envelope, wait for the one-shot reply, the server's death, the timeout, or the caller's own exit.
/// </summary>
internal static class Requests
{
    /// <summary>
    /// A request to <paramref name="server"/>, on this node or through the distribution, whose <paramref name="sink"/>
    /// accepts only a <typeparamref name="TResult"/> (<see cref="object"/> for any reply): the reply is returned as
    /// one, with no second state machine to cast it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Task<TResult> SendAsync<TState, TResult>(
        ServerRef server,
        CallReply sink,
        object envelope,
        TimeSpan timeout,
        Func<ExitReason, TState, Exception> fail,
        TState state,
        CancellationToken cancellationToken)
    {
        var target = server.Resolve();
        if (target is null && server.ResolveRemote() is { } remote)
        {
            return SendCoreAsync<TState, TResult>(null, sink, envelope, timeout, fail, state, cancellationToken, remote.Distribution, remote.Server);
        }
        return SendAsync<TState, TResult>(target, sink, envelope, timeout, fail, state, cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="envelope"/> (which carries <paramref name="sink"/>) and waits for the reply. Failures are
    /// built by <paramref name="fail"/> from <paramref name="state"/>: a static lambda and a value-type state, so a call
    /// allocates no closure.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Task<TResult> SendAsync<TState, TResult>(
        LocalProcess? target,
        CallReply sink,
        object envelope,
        TimeSpan timeout,
        Func<ExitReason, TState, Exception> fail,
        TState state,
        CancellationToken cancellationToken) =>
        target is not null && (OtpTelemetry.Tracing || (envelope is CallRequest && target.Node.Metrics.CallDuration.Enabled))
            ? SendObservedAsync<TState, TResult>(target, sink, envelope, timeout, fail, state, cancellationToken)
            : SendCoreAsync<TState, TResult>(target, sink, envelope, timeout, fail, state, cancellationToken);

    /// <summary>
    /// <see cref="SendAsync{TState, TResult}(LocalProcess, CallReply, object, TimeSpan, Func{ExitReason, TState, Exception}, TState, CancellationToken)"/> with the caller's span (its context travels in a call's envelope) and, for a call, the
    /// duration on <see cref="OtpDiagnostics.CallDuration"/>, tagged with the server's module and application.
    /// </summary>
    private static async Task<TResult> SendObservedAsync<TState, TResult>(
        LocalProcess target,
        CallReply sink,
        object envelope,
        TimeSpan timeout,
        Func<ExitReason, TState, Exception> fail,
        TState state,
        CancellationToken cancellationToken)
    {
        using var activity = RequestTelemetry.StartRequest(target, envelope);
        var duration = envelope is CallRequest ? target.Node.Metrics.CallDuration : null;
        var clock = target.Node.TimeProvider;
        var measure = duration is { Enabled: true };
        var started = measure ? clock.GetTimestamp() : 0;
        string? errorType = null;
        try
        {
            return await SendCoreAsync<TState, TResult>(target, sink, envelope, timeout, fail, state, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            errorType = RequestTelemetry.ErrorType(ex);
            OtpTelemetry.Fail(activity, errorType, ex.Message);
            throw;
        }
        finally
        {
            if (measure) OtpMetrics.Record(duration!, clock.GetElapsedTime(started).TotalSeconds, target.ModuleName, target.Application, errorType);
        }
    }

    /// <summary>
    /// Sends the request and arms its timeout, synchronously; the wait itself is <see cref="WaitAsync"/>, whose state
    /// machine carries only what it needs after the reply (the server's reference and the envelope stay here). A
    /// failure before the wait is returned as a faulted task, as an async method would.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Task<TResult> SendCoreAsync<TState, TResult>(
        LocalProcess? target,
        CallReply sink,
        object envelope,
        TimeSpan timeout,
        Func<ExitReason, TState, Exception> fail,
        TState state,
        CancellationToken cancellationToken,
        IRemoteRequests? distribution = null,
        ServerRef remote = default)
    {
        var caller = ProcessContext.CurrentProcess;
        Node node;
        try
        {
            if (distribution is not null)
            {
                // A server on another node: the distribution carries the request and completes the sink.
                if (caller is { IsAlive: false }) throw new ProcessExitedException();
                node = caller?.Node ?? distribution.LocalNode;
                distribution.StartRequest(caller, remote, envelope, sink);
            }
            else
            {
                if (target is null) throw fail(ExitReason.NoProc, state);
                if (target == caller) throw fail(CallException.CallingSelf, state);
                // The caller's node decides how the caller is woken (the server's, for a caller outside any process).
                node = (caller ?? target).Node;
                if (!node.Options.HandOff) sink.HandOff = false;
                if (!target.AddReplyWatch(sink)) throw fail(ExitReason.NoProc, state);
                if (!target.DeliverFrom(caller, envelope))
                {
                    // Code left running after its process died makes no call.
                    sink.TryReply(CallReply.Cancelled);
                    throw new ProcessExitedException();
                }
            }
            // On the caller's node's clock, so a fake clock drives it. A zero timeout is due at once.
            if (!sink.IsCompleted && timeout != Timeout.InfiniteTimeSpan && !node.CallDeadlines.TryAdd(sink, timeout))
            {
                sink.TryReply(CallReply.TimedOut);
            }
        }
        catch (Exception ex)
        {
            return FailedAsync<TResult>(System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex));
        }
        return WaitAsync<TState, TResult>(sink, fail, state, caller, distribution, cancellationToken);
    }

    /// <summary>
    /// A task ended by <paramref name="failure"/> exactly as an async method's would be: faulted, or cancelled with the
    /// same exception when it is an <see cref="OperationCanceledException"/> (a <see cref="ProcessExitedException"/>).
    /// </summary>
    private static async Task<TResult> FailedAsync<TResult>(System.Runtime.ExceptionServices.ExceptionDispatchInfo failure)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        failure.Throw();
        return default!;
    }

    /// <summary>Waits for the sink's completion; see <see cref="CallWait{TState, TResult}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Task<TResult> WaitAsync<TState, TResult>(
        CallReply sink,
        Func<ExitReason, TState, Exception> fail,
        TState state,
        LocalProcess? caller,
        IRemoteRequests? distribution,
        CancellationToken cancellationToken)
    {
        var wait = new CallWait<TState, TResult>(sink, fail, state, caller, distribution, cancellationToken);
        return wait.Start();
    }

    /// <summary>
    /// The caller's side of one request after it was sent: the task it awaits, completed by the sink's own completion
    /// (through the <see cref="Scheduler"/>, so a replying server still hands its thread to the caller). It does what an
    /// async method awaiting the sink would (the same task, faulted or cancelled with the same exception), without a
    /// state machine whose code tiered compilation would run unoptimized for a busy program's first second.
    /// </summary>
    private sealed class CallWait<TState, TResult>
    {
        private static readonly Action<object?> Completed = static wait => ((CallWait<TState, TResult>)wait!).Complete();

        private readonly CallReply _sink;
        private readonly Func<ExitReason, TState, Exception> _fail;
        private readonly TState _state;
        private readonly LocalProcess? _caller;
        private readonly IRemoteRequests? _distribution;
        private readonly CancellationToken _cancellationToken;
        private CancellationTokenRegistration _byToken;
        private CancellationTokenRegistration _byExit;
        private AsyncTaskMethodBuilder<TResult> _builder;

        public CallWait(CallReply sink, Func<ExitReason, TState, Exception> fail, TState state, LocalProcess? caller, IRemoteRequests? distribution, CancellationToken cancellationToken)
        {
            _sink = sink;
            _fail = fail;
            _state = state;
            _caller = caller;
            _distribution = distribution;
            _cancellationToken = cancellationToken;
            _builder = AsyncTaskMethodBuilder<TResult>.Create();
        }

        /// <summary>Starts waiting (or completes at once if the sink already has its result) and returns the caller's task.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public Task<TResult> Start()
        {
            // The task exists before anything can complete it: the builder creates it lazily, and not thread-safely.
            var task = _builder.Task;
            if (_sink.IsCompleted)
            {
                Complete();
                return task;
            }
            if (_cancellationToken.CanBeCanceled)
            {
                _byToken = _cancellationToken.UnsafeRegister(static s => ((CallReply)s!).TryReply(CallReply.Cancelled), _sink);
            }
            if (_caller is not null)
            {
                _byExit = _caller.CancellationToken.UnsafeRegister(static s => ((CallReply)s!).TryReply(CallReply.Cancelled), _sink);
            }
            // A token already cancelled (or a caller already exiting) completed the sink in its registration: the task
            // ends before it is returned, as it would in an async method.
            if (_sink.IsCompleted) Complete();
            else _sink.OnCompleted(Completed, this);
            return task;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Complete()
        {
            TResult result;
            try
            {
                result = Finish();
            }
            catch (Exception ex)
            {
                _builder.SetException(ex);
                return;
            }
            _builder.SetResult(result);
        }

        /// <summary>The reply as the caller's result, or the failure thrown.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private TResult Finish()
        {
            // Also when the reply came before the wait: the token leaves its deadline lane either way.
            CallDeadlines.Remove(_sink);
            _byToken.Dispose();
            _byExit.Dispose();
            _distribution?.EndRequest(_sink);
            var result = _sink.TakeResult();
            if (ReferenceEquals(result, CallReply.TimedOut)) throw _fail(CallException.Timeout, _state);
            if (ReferenceEquals(result, CallReply.Cancelled))
            {
                if (_caller is { IsAlive: false }) throw new ProcessExitedException();
                throw new OperationCanceledException(_cancellationToken);
            }
            if (ReferenceEquals(result, CallReply.Down) || ReferenceEquals(result, CallReply.Refused)) throw _fail(_sink.Failure!, _state);
            // A typed request's token accepted only a TResult (or null where TResult allows it).
            return (TResult)result!;
        }
    }
}
