using Otp.Net.Processes;

namespace Otp.Net.GenServers;

/// <summary>Asynchronous requests: OTP 25's <c>send_request</c>, <c>receive_response</c>, <c>wait_response</c> and <c>check_response</c>.</summary>
public static partial class GenServer
{
    /// <summary>
    /// <c>gen_server:send_request(Server, Request)</c>: sends a call request without waiting and returns its id. The
    /// server handles it as any call (<c>HandleCall</c>, deferred replies included). The request watches the server
    /// like a call's monitor: if the server is not running, or ends before replying, the response is
    /// <see cref="ResponseKind.Down"/> with its reason (<c>noproc</c> when there was none). Works inside a process and
    /// from plain .NET code; a request made by a process is abandoned when that process ends.
    /// </summary>
    /// <exception cref="NameWithoutNodeException">A bare name, outside any process; use <see cref="ServerRef.Named(Node, string)"/>.</exception>
    public static RequestId SendRequest(ServerRef server, object request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var caller = ProcessContext.CurrentProcess;
        var target = server.Resolve();
        // Woken on the pool, never in a replying server's turn: the waiter may be any .NET code.
        var sink = new CallReply { HandOff = false };
        var clock = (caller ?? target)?.Node.TimeProvider ?? server.Node?.TimeProvider ?? TimeProvider.System;
        var id = new RequestId(server, request, sink, clock);
        if (target is null || !target.AddReplyWatch(sink))
        {
            sink.OnProcessDown(ExitReason.NoProc);
        }
        else if (!target.DeliverFrom(caller, new CallRequest(request, sink)))
        {
            // Code left running after its process died makes no request.
            sink.TryReply(CallReply.Cancelled);
            throw new ProcessExitedException();
        }
        id.Start(caller);
        return id;
    }

    /// <summary>
    /// <c>gen_server:send_request(Server, Request, Label, ReqIdCollection)</c>: as
    /// <see cref="SendRequest(ServerRef, object)"/>, adding the request to <paramref name="collection"/> under
    /// <paramref name="label"/>.
    /// </summary>
    /// <exception cref="NameWithoutNodeException">A bare name, outside any process; use <see cref="ServerRef.Named(Node, string)"/>.</exception>
    public static RequestId SendRequest(ServerRef server, object request, object? label, RequestIdCollection collection)
    {
        ArgumentNullException.ThrowIfNull(collection);
        var id = SendRequest(server, request);
        collection.Add(id, label);
        return id;
    }

    /// <summary>
    /// <c>gen_server:receive_response(ReqId, Timeout)</c>: waits for the response: <see cref="ResponseKind.Reply"/>,
    /// <see cref="ResponseKind.Down"/> (with the reason), or <see cref="ResponseKind.Timeout"/>, in which case the
    /// request is <b>abandoned</b>: a reply arriving later is dropped. <paramref name="timeout"/> defaults to infinity.
    /// Cancelling <paramref name="cancellationToken"/> stops this wait only (the request stays pending).
    /// </summary>
    /// <exception cref="InvalidOperationException">The response was already taken, or the request abandoned.</exception>
    public static Task<ServerResponse> ReceiveResponseAsync(RequestId request, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        WaitOneAsync(request, timeout, abandon: true, cancellationToken);

    /// <summary>
    /// <c>gen_server:wait_response(ReqId, Timeout)</c>: as <see cref="ReceiveResponseAsync(RequestId, TimeSpan?, CancellationToken)"/>,
    /// but a timeout does not abandon the request: it can be waited for again.
    /// </summary>
    /// <exception cref="InvalidOperationException">The response was already taken, or the request abandoned.</exception>
    public static Task<ServerResponse> WaitResponseAsync(RequestId request, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        WaitOneAsync(request, timeout, abandon: false, cancellationToken);

    /// <summary>
    /// <c>gen_server:check_response</c>: the response if it has arrived (taking it), otherwise
    /// <see cref="ResponseKind.NoReply"/>. Never waits.
    /// </summary>
    /// <exception cref="InvalidOperationException">The response was already taken, or the request abandoned.</exception>
    public static ServerResponse CheckResponse(RequestId request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfSettled(request);
        return request.TryTake(out var response) ? response : ServerResponse.NoReply;
    }

    /// <summary>
    /// <c>gen_server:receive_response(ReqIdCollection, Timeout, Delete)</c>: waits for the first response to any request
    /// in <paramref name="collection"/>; the response carries that request's <see cref="ServerResponse.Label"/>, and with
    /// <paramref name="delete"/> the request leaves the collection. An empty collection gives
    /// <see cref="ResponseKind.NoRequest"/>. On <see cref="ResponseKind.Timeout"/> every request still pending in the
    /// collection is abandoned. Requests whose response was taken before (kept with <c>delete: false</c>) or that were
    /// abandoned are not waited for.
    /// </summary>
    public static Task<ServerResponse> ReceiveResponseAsync(RequestIdCollection collection, TimeSpan? timeout = null, bool delete = true, CancellationToken cancellationToken = default) =>
        WaitAnyAsync(collection, timeout, delete, abandon: true, cancellationToken);

    /// <summary>
    /// <c>gen_server:wait_response(ReqIdCollection, Timeout, Delete)</c>: as
    /// <see cref="ReceiveResponseAsync(RequestIdCollection, TimeSpan?, bool, CancellationToken)"/>, but a timeout abandons nothing.
    /// </summary>
    public static Task<ServerResponse> WaitResponseAsync(RequestIdCollection collection, TimeSpan? timeout = null, bool delete = true, CancellationToken cancellationToken = default) =>
        WaitAnyAsync(collection, timeout, delete, abandon: false, cancellationToken);

    /// <summary>
    /// <c>gen_server:check_response(Msg, ReqIdCollection, Delete)</c>: a response that has arrived for a request in
    /// <paramref name="collection"/> (with its label), <see cref="ResponseKind.NoReply"/> if none has, or
    /// <see cref="ResponseKind.NoRequest"/> for an empty collection. Never waits.
    /// </summary>
    public static ServerResponse CheckResponse(RequestIdCollection collection, bool delete = true)
    {
        ArgumentNullException.ThrowIfNull(collection);
        if (collection.Count == 0) return ServerResponse.NoRequest;
        return TryTakeAny(collection, delete) ?? ServerResponse.NoReply;
    }

    private static async Task<ServerResponse> WaitOneAsync(RequestId request, TimeSpan? timeout, bool abandon, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfSettled(request);
        var wait = timeout ?? Timeout.InfiniteTimeSpan;
        var caller = ProcessContext.CurrentProcess;
        using var linked = WithCallerExit(caller, cancellationToken);
        try
        {
            await request.Response.WaitAsync(wait, request.Clock, linked?.Token ?? cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            if (abandon) request.Abandon();
            return ServerResponse.Timeout;
        }
        catch (OperationCanceledException) when (caller is { IsAlive: false })
        {
            throw new ProcessExitedException();
        }
        if (request.TryTake(out var response)) return response;
        // Taken by a concurrent wait, or abandoned meanwhile.
        throw SettledError();
    }

    private static async Task<ServerResponse> WaitAnyAsync(RequestIdCollection collection, TimeSpan? timeout, bool delete, bool abandon, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(collection);
        if (collection.Count == 0) return ServerResponse.NoRequest;
        var clock = collection.InOrder[0].Clock;
        var wait = timeout ?? Timeout.InfiniteTimeSpan;
        // One deadline for the whole wait, however often it resumes.
        var caller = ProcessContext.CurrentProcess;
        using var linked = WithCallerExit(caller, cancellationToken);
        var token = linked?.Token ?? cancellationToken;
        var deadline = wait == Timeout.InfiniteTimeSpan ? (long?)null : clock.GetTimestamp() + (long)(wait.TotalSeconds * clock.TimestampFrequency);
        while (true)
        {
            if (TryTakeAny(collection, delete) is { } ready) return ready;
            var pending = collection.InOrder.Where(r => !r.IsSettled).Select(r => r.Response).ToArray();
            var left = deadline is { } d ? TimeSpan.FromSeconds(Math.Max(0, d - clock.GetTimestamp()) / (double)clock.TimestampFrequency) : Timeout.InfiniteTimeSpan;
            try
            {
                // With nothing pending, as in OTP, nothing can arrive: the wait runs out its timeout.
                var any = pending.Length > 0 ? Task.WhenAny(pending) : Task.Delay(Timeout.InfiniteTimeSpan, token);
                await any.WaitAsync(left, clock, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (caller is { IsAlive: false })
            {
                throw new ProcessExitedException();
            }
            catch (TimeoutException)
            {
                if (abandon)
                {
                    foreach (var r in collection.InOrder) r.Abandon();
                }
                return ServerResponse.Timeout;
            }
        }
    }

    /// <summary>A wait inside a process ends when the process does (its code may be left running after a kill).</summary>
    private static CancellationTokenSource? WithCallerExit(LocalProcess? caller, CancellationToken cancellationToken) =>
        caller is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, caller.CancellationToken);

    private static ServerResponse? TryTakeAny(RequestIdCollection collection, bool delete)
    {
        foreach (var request in collection.InOrder)
        {
            if (!request.TryTake(out var response)) continue;
            var label = collection.LabelOf(request);
            if (delete) collection.Remove(request);
            return response.WithLabel(label);
        }
        return null;
    }

    private static void ThrowIfSettled(RequestId request)
    {
        if (request.CallerEnded && ProcessContext.CurrentProcess is { IsAlive: false }) throw new ProcessExitedException();
        if (request.IsSettled) throw SettledError();
    }

    private static InvalidOperationException SettledError() =>
        new("the request's response was already taken, or the request was abandoned (receive_response timed out, or its process ended)");
}
