using Otp.Net.Processes;

namespace Otp.Net.GenServers;

/// <summary>
/// The request/reply machinery shared by gen_server calls and sys requests: monitor the server, send the
/// envelope, wait for the one-shot reply, the server's death, the timeout, or the caller's own exit.
/// </summary>
internal static class Requests
{
    /// <summary>
    /// Sends <paramref name="envelope"/> (which carries <paramref name="sink"/>) and waits for the reply. Failures are
    /// built by <paramref name="fail"/> from <paramref name="state"/>: a static lambda and a value-type state, so a call
    /// allocates no closure.
    /// </summary>
    public static async Task<object?> SendAsync<TState>(
        LocalProcess? target,
        CallReply sink,
        object envelope,
        TimeSpan timeout,
        Func<ExitReason, TState, Exception> fail,
        TState state,
        CancellationToken cancellationToken)
    {
        var caller = ProcessContext.CurrentProcess;
        if (target is null) throw fail(ExitReason.NoProc, state);
        if (target == caller) throw fail(CallException.CallingSelf, state);
        // The caller's node decides how the caller is woken (the server's, for a caller outside any process).
        var node = (caller ?? target).Node;
        if (!node.Options.HandOff) sink.HandOff = false;
        if (!target.AddReplyWatch(sink)) throw fail(ExitReason.NoProc, state);
        if (!target.DeliverFrom(caller, envelope))
        {
            // Code left running after its process died makes no call.
            sink.TryReply(CallReply.Cancelled);
            throw new ProcessExitedException();
        }
        if (!sink.IsCompleted)
        {
            ITimer? timer = null;
            CancellationTokenRegistration byToken = default;
            CancellationTokenRegistration byExit = default;
            try
            {
                if (timeout != Timeout.InfiniteTimeSpan)
                {
                    // On the caller's node's clock, so a fake clock drives it.
                    timer = node.TimeProvider.CreateTimer(static s => ((CallReply)s!).TryReply(CallReply.TimedOut), sink, timeout, Timeout.InfiniteTimeSpan);
                }
                if (cancellationToken.CanBeCanceled)
                {
                    byToken = cancellationToken.UnsafeRegister(static s => ((CallReply)s!).TryReply(CallReply.Cancelled), sink);
                }
                if (caller is not null)
                {
                    byExit = caller.CancellationToken.UnsafeRegister(static s => ((CallReply)s!).TryReply(CallReply.Cancelled), sink);
                }
                await sink.WaitAsync().ConfigureAwait(false);
            }
            finally
            {
                timer?.Dispose();
                byToken.Dispose();
                byExit.Dispose();
            }
        }
        var result = sink.TakeResult();
        if (ReferenceEquals(result, CallReply.TimedOut)) throw fail(CallException.Timeout, state);
        if (ReferenceEquals(result, CallReply.Cancelled))
        {
            if (caller is { IsAlive: false }) throw new ProcessExitedException();
            throw new OperationCanceledException(cancellationToken);
        }
        if (ReferenceEquals(result, CallReply.Down) || ReferenceEquals(result, CallReply.Refused)) throw fail(sink.Failure!, state);
        return result;
    }
}
