using System.Runtime.CompilerServices;
using Otp.Net.Diagnostics;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.GenServers;

/// <summary>
/// The client side of gen_server: start, call, cast, reply, stop. Every method works from inside a process and from
/// plain .NET code (an ASP.NET handler, a test) with async/await.
/// </summary>
public static partial class GenServer
{
    /// <summary>gen_server's default call timeout, 5 s (G5).</summary>
    public static readonly TimeSpan DefaultCallTimeout = TimeSpan.FromSeconds(5);

    private static readonly Atom GenServerAtom = Atom.Of("gen_server");

    /// <summary>
    /// <c>gen_server:start</c>: starts a server (not linked) and returns once <c>Init</c> has returned (G1):
    /// <c>{ok, Pid}</c>, <c>ignore</c> or <c>{error, Reason}</c>.
    /// </summary>
    public static Task<StartResult> StartAsync(Node node, GenServerBase module, object? args = null, GenServerOptions? options = null, CancellationToken cancellationToken = default) =>
        StartCoreAsync(node, module, args, options, link: false, "gen_server", cancellationToken);

    /// <summary>
    /// <c>gen_server:start_link</c>: as <see cref="StartAsync"/>, linked to the calling process, which becomes the
    /// server's parent (G2: if Init stops, a non-trapping caller gets the error and is then killed by the exit signal).
    /// Outside a process there is nobody to link to and this is <see cref="StartAsync"/>.
    /// </summary>
    public static Task<StartResult> StartLinkAsync(Node node, GenServerBase module, object? args = null, GenServerOptions? options = null, CancellationToken cancellationToken = default) =>
        StartCoreAsync(node, module, args, options, link: true, "gen_server", cancellationToken);

    internal static async Task<StartResult> StartCoreAsync(Node node, GenServerBase module, object? args, GenServerOptions? options, bool link, string behaviour, CancellationToken cancellationToken, Code.ModuleVersion? binding = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(module);
        options ??= GenServerOptions.Default;
        var started = new StartAck();
        Pid pid;
        try
        {
            var via = options.Name?.Via;
            pid = node.Spawn(
                via is null
                    ? ctx => GenServerProcess.RunAsync(ctx, module, args, started, behaviour, binding)
                    : ctx => RegisterViaThenRunAsync(ctx, via, started, () => GenServerProcess.RunAsync(ctx, module, args, started, behaviour, binding)),
                new SpawnOptions { Link = link, Name = options.Name?.Local });
        }
        catch (BadArgumentException) when (options.Name?.Local is { } name)
        {
            return node.WhereIs(name) is { } owner ? StartResult.AlreadyStarted(owner) : StartResult.Failed(ExitReason.Of(Atom.Of("name_taken")));
        }
        // Wait for the acknowledgement, or for the process to end without one. The caller's own exit does not cut
        // the wait short: a non-trapping caller killed by the failed init's exit signal still gets the result (G2).
        using var watch = Node.WatchExit(pid); // disposed on return: no monitor stays on the new process
        var exit = watch.Task;
        var ack = started.Task;
        try
        {
            var first = await Task.WhenAny(ack, exit).WaitAsync(options.StartTimeout, cancellationToken).ConfigureAwait(false);
            if (first == ack || ack.IsCompleted) return await ack.ConfigureAwait(false);
            return started.Pending ?? StartResult.Failed(await exit.ConfigureAwait(false));
        }
        catch (TimeoutException)
        {
            node.Exit(pid, ExitReason.Kill);
            return StartResult.Failed(CallException.Timeout);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller gave up: no server it does not know of is left running (or registered under its name).
            node.Exit(pid, ExitReason.Kill);
            throw;
        }
    }

    /// <summary>
    /// As gen's <c>init_it</c> for <c>{via, Module, Name}</c>: the new process registers itself before <c>Init</c>; a
    /// taken name gives <c>{error, {already_started, Pid}}</c> and the process exits <c>normal</c>.
    /// </summary>
    private static Task RegisterViaThenRunAsync(ProcessContext context, ViaName via, StartAck started, Func<Task> run)
    {
        var process = (LocalProcess)context;
        StartResult failed;
        ExitReason exit;
        try
        {
            if (via.Registry.RegisterName(via.Name, process.Self)) return run();
            failed = StartResult.AlreadyStarted(via.WhereIs() ?? default);
            exit = ExitReason.Normal;
        }
        catch (Exception ex)
        {
            // The registry failed (e.g. it is not running): the start fails with that error, as the process does.
            exit = ExitReason.FromException(ex);
            failed = StartResult.Failed(exit);
        }
        started.Record(failed);
        process.Terminate(exit);
        started.Complete(failed);
        return Task.CompletedTask;
    }

    /// <summary>
    /// <c>gen_server:call(Server, Request[, Timeout])</c> (G5–G7): the reply, or an exception carrying OTP's exit term
    /// (<see cref="ICallFailure.Reason"/>): <see cref="CallNoProcException"/> (no such server),
    /// <see cref="CallTimeoutException"/> (a <see cref="TimeoutException"/>), <see cref="CallServerExitedException"/>
    /// (the server ended first, with its reason), or <see cref="CallException"/> (<c>calling_self</c>). A timed-out
    /// request is not cancelled: the server still handles it and its late reply is dropped. <paramref name="timeout"/>
    /// defaults to 5 s; <see cref="Timeout.InfiniteTimeSpan"/> waits forever. The caller's
    /// <paramref name="cancellationToken"/> stops the wait (an <see cref="OperationCanceledException"/>), not the request.
    /// </summary>
    /// <exception cref="NameWithoutNodeException">A <see cref="ServerRef.Local(string)"/> name, outside any process; use <see cref="ServerRef.Named(Node, string)"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Task<object?> CallAsync(ServerRef server, object request, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return CallCoreAsync<object?>(server, request, new CallReply(), timeout, cancellationToken);
    }

    /// <summary>
    /// A typed <c>gen_server:call</c>: the request declares its reply type (<c>record GetBalance(string Account) :
    /// ICall&lt;decimal&gt;</c>), so the result is a <typeparamref name="TReply"/> checked at compile time. Fails as
    /// <see cref="CallAsync(ServerRef, object, TimeSpan?, CancellationToken)"/> does, and with
    /// <see cref="CallReplyTypeException"/> if the server replies with a value of another type (the server refuses to
    /// send it, logs the mismatch, and keeps running).
    /// </summary>
    /// <exception cref="NameWithoutNodeException">A <see cref="ServerRef.Local(string)"/> name, outside any process; use <see cref="ServerRef.Named(Node, string)"/>.</exception>
    public static Task<TReply> CallAsync<TReply>(ServerRef server, ICall<TReply> request, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var sink = new CallReply();
        sink.Expect<TReply>();
        return CallCoreAsync<TReply>(server, request, sink, timeout, cancellationToken);
    }

    /// <summary>
    /// As <see cref="CallAsync(ServerRef, object, TimeSpan?, CancellationToken)"/>, for an untyped request whose reply
    /// should be a <typeparamref name="T"/>: a reply of another type gives <see cref="CallReplyTypeException"/> (never an
    /// <see cref="InvalidCastException"/>). Prefer declaring the reply type on the request with <see cref="ICall{TReply}"/>.
    /// </summary>
    public static Task<T> CallAsync<T>(ServerRef server, object request, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var sink = new CallReply();
        sink.Expect<T>();
        return CallCoreAsync<T>(server, request, sink, timeout, cancellationToken);
    }

    /// <summary>A call whose reply is a <typeparamref name="TResult"/>: <paramref name="sink"/> refuses any other (or accepts any, for <see cref="object"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Task<TResult> CallCoreAsync<TResult>(ServerRef server, object request, CallReply sink, TimeSpan? timeout, CancellationToken cancellationToken) =>
        Requests.SendAsync<(ServerRef Server, object Request, TimeSpan? Timeout), TResult>(server, sink, new CallRequest(request, sink), timeout ?? DefaultCallTimeout,
            static (reason, s) => CallException.For(reason, "gen_server", "call",
                s.Timeout is { } given ? new TermList(s.Server.ToTerm(), s.Request, TimeoutTerm(given)) : new TermList(s.Server.ToTerm(), s.Request)),
            (Server: server, Request: request, Timeout: timeout),
            cancellationToken);

    /// <summary>
    /// <c>gen_server:cast</c>: succeeds even to a dead pid or an unknown name (G8). A <see cref="ServerRef.Local(string)"/> name used outside any process
    /// has no node to be resolved on: that is a programming error, and it throws rather than drop the cast.
    /// </summary>
    /// <exception cref="NameWithoutNodeException">A <see cref="ServerRef.Local(string)"/> name, outside any process; use <see cref="ServerRef.Named"/>.</exception>
    public static void Cast(ServerRef server, object request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (server.Resolve() is not { } target)
        {
            if (server.ResolveRemote() is { } remote && ProcessContext.CurrentProcess is not { IsAlive: false })
            {
                remote.Distribution.Cast(ProcessContext.CurrentProcess, remote.Server, request);
            }
            return;
        }
        var envelope = new CastRequest(request);
        using var activity = OtpTelemetry.Tracing ? RequestTelemetry.StartCast(target, envelope) : null;
        target.DeliverFromCaller(envelope);
    }

    /// <summary><c>gen_server:reply(From, Reply)</c> (G11): answers a call that returned noreply. Only the first reply counts.</summary>
    public static void Reply(From from, object? reply) => from.Sink?.TryAnswer(reply);

    /// <summary>
    /// A typed <c>gen_server:reply(From, Reply)</c> (G11): answers the deferred call <paramref name="request"/> with a
    /// <typeparamref name="TReply"/>, checked at compile time against the request's declared reply type.
    /// </summary>
    public static void Reply<TReply>(From from, ICall<TReply> request, TReply reply)
    {
        ArgumentNullException.ThrowIfNull(request);
        from.Sink?.TryAnswer(reply);
    }

    /// <summary>
    /// <c>gen_server:stop(Server[, Reason[, Timeout]])</c> (G17): asks the server to run <c>Terminate</c> and exit with
    /// <paramref name="reason"/> (default <c>normal</c>); completes once it has exited. A dead server gives a
    /// <see cref="CallNoProcException"/>; exiting with another reason gives a <see cref="CallServerExitedException"/> with that
    /// reason, and no exit in time a <see cref="CallTimeoutException"/>.
    /// </summary>
    public static async Task StopAsync(ServerRef server, ExitReason? reason = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        reason ??= ExitReason.Normal;
        var target = server.Resolve();
        var args = new TermList(server.ToTerm(), reason, TimeoutTerm(timeout ?? Timeout.InfiniteTimeSpan));
        if (target is null) throw CallException.For(ExitReason.NoProc, "proc_lib", "stop", args);
        var exit = target.Node.WaitForExitAsync(target.Self, cancellationToken);
        target.Deliver(new SystemRequest(SystemOp.Terminate, new CallReply(default), reason));
        ExitReason actual;
        try
        {
            actual = await exit.WaitAsync(timeout ?? Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw CallException.For(CallException.Timeout, "proc_lib", "stop", args);
        }
        if (actual != reason) throw CallException.For(actual, "proc_lib", "stop", args);
    }

    internal static object TimeoutTerm(TimeSpan t) =>
        t == Timeout.InfiniteTimeSpan ? Atom.Of("infinity") : (object)(long)t.TotalMilliseconds;
}
