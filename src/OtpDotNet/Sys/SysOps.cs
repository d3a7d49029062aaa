using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Sys;

/// <summary>
/// The <c>sys</c> module: system operations served by every behaviour process (GenServer, Supervisor): suspend,
/// resume, get/replace state, status, change_code, statistics and trace. Default timeout 5 s (S1). A cancelled
/// <c>CancellationToken</c> stops the caller's wait (an <see cref="OperationCanceledException"/>), not the request.
/// </summary>
public static class SysOps
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    private static Task<object?> Request(ServerRef server, string function, SystemOp op, TimeSpan? timeout, CancellationToken cancellationToken, object? arg = null, object? arg2 = null, object? arg3 = null, params object?[] extraArgs)
    {
        var t = timeout ?? DefaultTimeout;
        var args = new List<object?> { server.ToTerm() };
        args.AddRange(extraArgs);
        if (timeout is not null) args.Add(GenServer.TimeoutTerm(t));
        var sink = new CallReply();
        return Requests.SendAsync<(string Function, List<object?> Args), object?>(server, sink, new SystemRequest(op, sink, arg, arg2, arg3), t,
            static (reason, s) => CallException.For(reason, "sys", s.Function, new TermList(s.Args.ToArray())), (Function: function, Args: args), cancellationToken);
    }

    /// <summary><c>sys:suspend</c> (S3): the process then serves only system messages and its parent's exit signal; idempotent.</summary>
    public static Task SuspendAsync(ServerRef server, TimeSpan? timeout = null, CancellationToken cancellationToken = default) => Request(server, "suspend", SystemOp.Suspend, timeout, cancellationToken);

    /// <summary><c>sys:resume</c> (S3): serves queued messages again, in order; succeeds also when not suspended.</summary>
    public static Task ResumeAsync(ServerRef server, TimeSpan? timeout = null, CancellationToken cancellationToken = default) => Request(server, "resume", SystemOp.Resume, timeout, cancellationToken);

    /// <summary><c>sys:get_state</c> (S1): the state, also while suspended.</summary>
    public static Task<object?> GetStateAsync(ServerRef server, TimeSpan? timeout = null, CancellationToken cancellationToken = default) => Request(server, "get_state", SystemOp.GetState, timeout, cancellationToken);

    /// <summary><c>sys:get_state</c>, cast to <typeparamref name="T"/>.</summary>
    public static async Task<T> GetStateAsync<T>(ServerRef server, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        (T)(await GetStateAsync(server, timeout, cancellationToken).ConfigureAwait(false))!;

    /// <summary>
    /// <c>sys:replace_state</c> (S2): returns the new state. If <paramref name="replace"/> throws, the state is unchanged
    /// and a <see cref="SysCallbackFailedException"/> is thrown.
    /// </summary>
    public static async Task<object?> ReplaceStateAsync(ServerRef server, Func<object?, object?> replace, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replace);
        var result = await Request(server, "replace_state", SystemOp.ReplaceState, timeout, cancellationToken, replace).ConfigureAwait(false);
        if (result is SysCallbackFailure failure) throw new SysCallbackFailedException(failure.Exception);
        return result;
    }

    /// <summary>
    /// The state as the module's <c>FormatStatus</c> shows it, printed in Erlang term syntax (bounded) by the process
    /// itself between two callbacks: the live state is never read from another thread. A <c>FormatStatus</c> that
    /// throws gives <c>&lt;format_status failed: ...&gt;</c>. For tools that display a process (the dashboard).
    /// </summary>
    public static async Task<string> FormatStatusAsync(ServerRef server, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        (string)(await Request(server, "format_status", SystemOp.FormatStatus, timeout, cancellationToken).ConfigureAwait(false))!;

    /// <summary><c>sys:get_status</c> (S7).</summary>
    public static async Task<GenServerStatus> GetStatusAsync(ServerRef server, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        (GenServerStatus)(await Request(server, "get_status", SystemOp.GetStatus, timeout, cancellationToken).ConfigureAwait(false))!;

    /// <summary>
    /// <c>sys:change_code(Name, Module, OldVsn, Extra)</c> (S4, S5): only while suspended. Runs <paramref name="module"/>'s
    /// <c>CodeChange</c> (the process's own module when null) and, on success, binds the process to it. Returns
    /// <c>ok</c> or an <c>{error, ...}</c> term; on failure the process stays alive with its old state and module.
    /// </summary>
    public static async Task<SysResult> ChangeCodeAsync(ServerRef server, GenServerBase? module, object? oldVersion, object? extra, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var result = await Request(server, "change_code", SystemOp.ChangeCode, timeout, cancellationToken, module, oldVersion, extra,
            module is null ? null : (object)Atom.Of(module.ModuleName), oldVersion, extra).ConfigureAwait(false);
        return new SysResult(result!);
    }

    /// <summary><c>sys:statistics(Name, true | false)</c>.</summary>
    public static Task SetStatisticsAsync(ServerRef server, bool enabled, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Request(server, "statistics", SystemOp.Statistics, timeout, cancellationToken, enabled ? "true" : "false");

    /// <summary><c>sys:statistics(Name, get)</c>: null when not collecting.</summary>
    public static async Task<ServerStatistics?> GetStatisticsAsync(ServerRef server, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        (ServerStatistics?)await Request(server, "statistics", SystemOp.Statistics, timeout, cancellationToken, "get").ConfigureAwait(false);

    /// <summary><c>sys:trace(Name, Flag)</c>: logs every message in and every reply out.</summary>
    public static Task TraceAsync(ServerRef server, bool enabled, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Request(server, "trace", SystemOp.Trace, timeout, cancellationToken, enabled);
}
