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
        if (!target.AddMonitor(sink.MonitorRef, sink)) throw fail(ExitReason.NoProc, state);
        target.Deliver(envelope);
        object? result;
        try
        {
            var task = sink.Task;
            if (!task.IsCompleted)
            {
                var token = cancellationToken;
                CancellationTokenSource? linked = null;
                if (caller is not null)
                {
                    if (token.CanBeCanceled)
                    {
                        linked = CancellationTokenSource.CreateLinkedTokenSource(token, caller.CancellationToken);
                        token = linked.Token;
                    }
                    else
                    {
                        token = caller.CancellationToken;
                    }
                }
                try
                {
                    await task.WaitAsync(timeout, token).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    sink.Abandon();
                    throw fail(CallException.Timeout, state);
                }
                catch (OperationCanceledException)
                {
                    sink.Abandon();
                    if (caller is { IsAlive: false }) throw new ProcessExitedException();
                    throw;
                }
                finally
                {
                    linked?.Dispose();
                }
            }
            result = task.Result;
        }
        finally
        {
            target.RemoveMonitor(sink.MonitorRef);
        }
        if (ReferenceEquals(result, CallReply.Down)) throw fail(sink.Failure!, state);
        return result;
    }
}
