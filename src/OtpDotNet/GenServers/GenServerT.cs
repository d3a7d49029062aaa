using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.GenServers;

/// <summary>
/// A GenServer callback module with state of type <typeparamref name="TState"/>. The framework owns the loop,
/// the mailbox, replies, timeouts and the sys protocol; the module only maps (message, state) to a result.
/// An instance holds no per-process data (state is passed in and returned), so one instance may serve many
/// processes and can be swapped for a new version under them.
/// </summary>
/// <typeparam name="TState">The server's state.</typeparam>
public abstract class GenServer<TState> : GenServerBase
{
    /// <summary>The current process (valid inside callbacks).</summary>
    protected static ProcessContext Self =>
        ProcessContext.Current ?? throw new InvalidOperationException("not inside a process");

    /// <summary><c>init/1</c>: returns the initial state (G1, G3).</summary>
    public abstract ValueTask<InitResult<TState>> InitAsync(object? args, CancellationToken cancellationToken);

    /// <summary><c>handle_call/3</c> (G9). The default stops the server with <c>{bad_call, Request}</c>.</summary>
    public virtual ValueTask<ServerResult<TState>> HandleCallAsync(object request, From from, TState state, CancellationToken cancellationToken) =>
        Stop(ExitReason.Of(TermTuple.Of(Atom.Of("bad_call"), request)), state);

    /// <summary><c>handle_cast/2</c>. The default stops the server with <c>{bad_cast, Request}</c>.</summary>
    public virtual ValueTask<ServerResult<TState>> HandleCastAsync(object request, TState state, CancellationToken cancellationToken) =>
        Stop(ExitReason.Of(TermTuple.Of(Atom.Of("bad_cast"), request)), state);

    /// <summary>
    /// <c>handle_info/2</c>: any other message (timer messages, <c>'EXIT'</c> from non-parents while trapping, the
    /// idle <c>timeout</c>). The default logs the message as unexpected and keeps running (G14).
    /// </summary>
    public virtual ValueTask<ServerResult<TState>> HandleInfoAsync(object message, TState state, CancellationToken cancellationToken)
    {
        var process = ProcessContext.Current;
        GenServerLog.UnexpectedMessage(process?.Node.LoggerFactory.CreateLogger(GenServerLog.Category), ModuleName, process?.Self.ToString() ?? "?", TermFormatter.Format(message));
        return NoReply(state);
    }

    /// <summary><c>handle_continue/2</c> (G13). The default stops the server with <c>{bad_continue, Arg}</c>.</summary>
    public virtual ValueTask<ServerResult<TState>> HandleContinueAsync(object continueArg, TState state, CancellationToken cancellationToken) =>
        Stop(ExitReason.Of(TermTuple.Of(Atom.Of("bad_continue"), continueArg)), state);

    /// <summary><c>terminate/2</c>: runs when G15 says. The default does nothing.</summary>
    public virtual ValueTask TerminateAsync(ExitReason reason, TState state, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// <c>code_change/3</c>: migrates the state of a process from <paramref name="oldVersion"/> (on a downgrade,
    /// a <c>{down, Vsn}</c> term). The default keeps a state that is already a <typeparamref name="TState"/> and fails
    /// otherwise.
    /// </summary>
    public virtual ValueTask<CodeChangeResult<TState>> CodeChangeAsync(object? oldVersion, object? oldState, object? extra, CancellationToken cancellationToken) =>
        oldState is TState s || (oldState is null && default(TState) is null)
            ? CodeChangeResult<TState>.Ok((TState)oldState!)
            : CodeChangeResult<TState>.Fail(TermTuple.Of(Atom.Of("incompatible_state"), oldState?.GetType().FullName));

    /// <summary><c>format_status</c>: the state as reports and <c>get_status</c> show it. Defaults to the state itself.</summary>
    public virtual object? FormatStatus(TState state) => state;

    /// <summary><c>{reply, Reply, State}</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected static ServerResult<TState> Reply(object? reply, TState state) => new(ServerResultKind.Reply, state, reply, null, default);

    /// <summary><c>{reply, Reply, State, Action}</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected static ServerResult<TState> Reply(object? reply, TState state, ServerAction action) => new(ServerResultKind.Reply, state, reply, null, action);

    /// <summary>
    /// <c>{reply, Reply, State}</c> to a typed call (<see cref="ICall{TReply}"/>): the reply's type is checked against the
    /// request's declared reply type at compile time, e.g. <c>GetBalance q =&gt; Reply(q, state.Balance, state)</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected static ServerResult<TState> Reply<TReply>(ICall<TReply> request, TReply reply, TState state) => new(ServerResultKind.Reply, state, reply, null, default);

    /// <summary><c>{reply, Reply, State, Action}</c> to a typed call (see <see cref="Reply{TReply}(ICall{TReply}, TReply, TState)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected static ServerResult<TState> Reply<TReply>(ICall<TReply> request, TReply reply, TState state, ServerAction action) => new(ServerResultKind.Reply, state, reply, null, action);

    /// <summary><c>{stop, Reason, Reply, State}</c> to a typed call: the caller gets the typed reply, then terminate runs.</summary>
    protected static ServerResult<TState> StopReply<TReply>(ExitReason reason, ICall<TReply> request, TReply reply, TState state) => new(ServerResultKind.StopReply, state, reply, reason, default);

    /// <summary><c>{noreply, State}</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected static ServerResult<TState> NoReply(TState state) => new(ServerResultKind.NoReply, state, null, null, default);

    /// <summary><c>{noreply, State, Action}</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected static ServerResult<TState> NoReply(TState state, ServerAction action) => new(ServerResultKind.NoReply, state, null, null, action);

    /// <summary><c>{stop, Reason, State}</c>.</summary>
    protected static ServerResult<TState> Stop(ExitReason reason, TState state) => new(ServerResultKind.Stop, state, null, reason, default);

    /// <summary><c>{stop, Reason, Reply, State}</c> (HandleCall only): the caller gets the reply, then terminate runs.</summary>
    protected static ServerResult<TState> StopReply(ExitReason reason, object? reply, TState state) => new(ServerResultKind.StopReply, state, reply, reason, default);

    /// <summary><c>{ok, State}</c> from Init.</summary>
    protected static InitResult<TState> Ok(TState state, ServerAction action = default) => InitResult<TState>.Ok(state, action);

    /// <summary><c>ignore</c> from Init.</summary>
    protected static InitResult<TState> Ignore() => InitResult<TState>.Ignore();

    /// <summary><c>{stop, Reason}</c> from Init.</summary>
    protected static InitResult<TState> StopInit(ExitReason reason) => InitResult<TState>.Stop(reason);

    internal override async ValueTask<IInitResult?> InitCore(object? args, CancellationToken ct) => await InitAsync(args, ct).ConfigureAwait(false);

    // The per-message wrappers pass a synchronously completed result straight through (no state machine), and let a
    // synchronously thrown exception reach the engine once instead of being captured and rethrown by a wrapper.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal override ValueTask<IServerResult?> HandleCallCore(object request, From from, object? state, CancellationToken ct) =>
        Pass(HandleCallAsync(request, from, (TState)state!, ct));

    internal override ValueTask<IServerResult?> HandleCastCore(object request, object? state, CancellationToken ct) =>
        Pass(HandleCastAsync(request, (TState)state!, ct));

    internal override ValueTask<IServerResult?> HandleInfoCore(object message, object? state, CancellationToken ct) =>
        Pass(HandleInfoAsync(message, (TState)state!, ct));

    internal override ValueTask<IServerResult?> HandleContinueCore(object continueArg, object? state, CancellationToken ct) =>
        Pass(HandleContinueAsync(continueArg, (TState)state!, ct));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ValueTask<IServerResult?> Pass(ValueTask<ServerResult<TState>> pending) =>
        pending.IsCompletedSuccessfully ? new ValueTask<IServerResult?>(pending.Result) : AwaitResult(pending);

    private static async ValueTask<IServerResult?> AwaitResult(ValueTask<ServerResult<TState>> pending) => await pending.ConfigureAwait(false);

    internal override ValueTask TerminateCore(ExitReason reason, object? state, CancellationToken ct) =>
        TerminateAsync(reason, (TState)state!, ct);

    internal override async ValueTask<ICodeChangeResult?> CodeChangeCore(object? oldVersion, object? state, object? extra, CancellationToken ct) =>
        await CodeChangeAsync(oldVersion, state, extra, ct).ConfigureAwait(false);

    internal override object? FormatStatusCore(object? state) => state is TState s ? FormatStatus(s) : state;
}
