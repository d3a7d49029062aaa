using Otp.Net.Processes;

namespace Otp.Net.GenServers;

/// <summary>
/// The request/reply machinery shared by gen_server calls and sys requests: monitor the server, send the
/// envelope, wait for the one-shot reply, the server's death, the timeout, or the caller's own exit.
/// </summary>
internal static class Requests
{
    public static async Task<object?> SendAsync(
        LocalProcess? target,
        Func<CallReply, object> envelope,
        TimeSpan timeout,
        Func<ExitReason, Exception> fail,
        CancellationToken cancellationToken)
    {
        var caller = ProcessContext.CurrentProcess;
        if (target is null) throw fail(ExitReason.NoProc);
        if (target == caller) throw fail(CallException.CallingSelf);
        var sink = new CallReply(caller?.Self ?? default);
        if (!target.AddMonitor(sink.MonitorRef, sink)) throw fail(ExitReason.NoProc);
        target.Deliver(envelope(sink));
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
                    throw fail(CallException.Timeout);
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
        if (ReferenceEquals(result, CallReply.Down)) throw fail(sink.Failure!);
        return result;
    }
}
