using Otp.Net.GenServers;
using Otp.Net.Processes;

namespace Otp.Net.Supervision;

/// <summary>
/// A supervisor callback module: <see cref="InitAsync"/> returns the flags and child specs. The static members are
/// the client API (<c>supervisor:start_link</c>, <c>which_children</c>, <c>start_child</c>, ...), with OTP's return
/// values. A supervisor is a GenServer underneath, so <see cref="Sys.SysOps"/> works on it too.
/// </summary>
public abstract partial class Supervisor
{
    /// <summary>The module's name, as reports show it.</summary>
    public virtual string ModuleName => GetType().FullName ?? GetType().Name;

    /// <summary><c>init/1</c>: the flags and children (started in list order), or ignore.</summary>
    public abstract ValueTask<SupervisorInit> InitAsync(object? args, CancellationToken cancellationToken);

    /// <summary>
    /// <c>supervisor:start_link</c>: starts the supervisor linked to the caller and its children in order (U3–U5):
    /// <c>{ok, Pid}</c>, <c>ignore</c>, or <c>{error, {shutdown, {failed_to_start_child, Id, R}}}</c>.
    /// </summary>
    public static Task<StartResult> StartLinkAsync(Node node, Supervisor module, object? args = null, GenServerOptions? options = null, CancellationToken cancellationToken = default) =>
        GenServer.StartCoreAsync(node, new SupervisorServer(module ?? throw new ArgumentNullException(nameof(module))), args, options, link: true, "supervisor", cancellationToken);

    /// <summary>A supervisor from flags and specs alone (no module of your own), like Elixir's <c>Supervisor.start_link(children, opts)</c>.</summary>
    public static Task<StartResult> StartLinkAsync(Node node, SupervisorFlags flags, IReadOnlyList<ChildSpec> children, GenServerOptions? options = null, CancellationToken cancellationToken = default) =>
        StartLinkAsync(node, new Inline(flags, children), null, options, cancellationToken);

    /// <summary><c>which_children</c> (U12): newest first; a child is a pid, undefined or restarting.</summary>
    public static async Task<IReadOnlyList<ChildInfo>> WhichChildrenAsync(ServerRef supervisor, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        (IReadOnlyList<ChildInfo>)(await Call(supervisor, SupervisorRequests.Which, "which_children", timeout, cancellationToken).ConfigureAwait(false))!;

    /// <summary>
    /// The supervisor's flags, the restarts counted in its current period (U7) and its children with how often each was
    /// restarted and its last exit reason: what a dashboard shows. Works for dynamic supervisors too.
    /// </summary>
    public static async Task<SupervisorStatus> GetStatusAsync(ServerRef supervisor, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        (SupervisorStatus)(await Call(supervisor, SupervisorRequests.Status, "get_status", timeout, cancellationToken).ConfigureAwait(false))!;

    /// <summary><c>count_children</c> (U13).</summary>
    public static async Task<ChildCounts> CountChildrenAsync(ServerRef supervisor, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        (ChildCounts)(await Call(supervisor, SupervisorRequests.Count, "count_children", timeout, cancellationToken).ConfigureAwait(false))!;

    /// <summary>
    /// <c>start_child</c> (U17): <c>{ok, Pid}</c>, <c>{ok, undefined}</c> for ignore, <c>{error, {already_started, Pid}}</c>,
    /// <c>{error, already_present}</c>, <c>{error, {R, Spec}}</c> when the start failed (not stored), or a spec error.
    /// </summary>
    public static async Task<StartResult> StartChildAsync(ServerRef supervisor, ChildSpec spec, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        (StartResult)(await Call(supervisor, new SupervisorRequests.StartChild(spec ?? throw new ArgumentNullException(nameof(spec))), "start_child", timeout, cancellationToken).ConfigureAwait(false))!;

    /// <summary>
    /// <c>start_child(Sup, ExtraArgs)</c> on a <see cref="Strategy.SimpleOneForOne"/> supervisor (U18): starts a child
    /// from the template, appending <paramref name="extraArgs"/> to its arguments.
    /// </summary>
    public static async Task<StartResult> StartChildAsync(ServerRef supervisor, IReadOnlyList<object?> extraArgs, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        (StartResult)(await Call(supervisor, new SupervisorRequests.StartChildWithArgs(extraArgs ?? throw new ArgumentNullException(nameof(extraArgs))), "start_child", timeout, cancellationToken).ConfigureAwait(false))!;

    /// <summary><c>terminate_child(Sup, Id)</c> (U14): <c>ok</c> or <c>{error, not_found}</c>; the spec is kept (a temporary one is deleted).</summary>
    public static async Task<SupervisorResult> TerminateChildAsync(ServerRef supervisor, ChildId id, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        (SupervisorResult)(await Call(supervisor, new SupervisorRequests.TerminateChild(id, default), "terminate_child", timeout, cancellationToken).ConfigureAwait(false))!;

    /// <summary>
    /// <c>terminate_child(Sup, Pid)</c> on a <see cref="Strategy.SimpleOneForOne"/> or dynamic supervisor (U14):
    /// <c>ok</c> or <c>{error, not_found}</c> (a static supervisor knows its children by id only).
    /// </summary>
    public static async Task<SupervisorResult> TerminateChildAsync(ServerRef supervisor, Pid child, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        (SupervisorResult)(await Call(supervisor, new SupervisorRequests.TerminateChild(null, child), "terminate_child", timeout, cancellationToken).ConfigureAwait(false))!;

    /// <summary><c>restart_child</c> (U15): <c>{ok, Pid}</c>, <c>{ok, undefined}</c>, or <c>{error, running | restarting | not_found | R}</c>.</summary>
    public static async Task<StartResult> RestartChildAsync(ServerRef supervisor, ChildId id, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        (StartResult)(await Call(supervisor, new SupervisorRequests.RestartChild(id), "restart_child", timeout, cancellationToken).ConfigureAwait(false))!;

    /// <summary><c>delete_child</c> (U16): <c>ok</c> or <c>{error, running | restarting | not_found}</c>.</summary>
    public static async Task<SupervisorResult> DeleteChildAsync(ServerRef supervisor, ChildId id, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        (SupervisorResult)(await Call(supervisor, new SupervisorRequests.DeleteChild(id), "delete_child", timeout, cancellationToken).ConfigureAwait(false))!;

    /// <summary><c>get_childspec(Sup, Id)</c>: the spec, or null (<c>{error, not_found}</c>).</summary>
    public static async Task<ChildSpec?> GetChildSpecAsync(ServerRef supervisor, ChildId id, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        (ChildSpec?)await Call(supervisor, new SupervisorRequests.GetChildSpec(id, default), "get_childspec", timeout, cancellationToken).ConfigureAwait(false);

    /// <summary><c>get_childspec(Sup, Pid)</c> on a <see cref="Strategy.SimpleOneForOne"/> supervisor: the template, or null.</summary>
    public static async Task<ChildSpec?> GetChildSpecAsync(ServerRef supervisor, Pid child, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        (ChildSpec?)await Call(supervisor, new SupervisorRequests.GetChildSpec(null, child), "get_childspec", timeout, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// <c>check_childspecs/2</c> (U2): null when valid, otherwise the error term (e.g. <c>{duplicate_child_name, Id}</c>,
    /// <c>{invalid_restart_type, R}</c>, <c>{bad_combination, [{restart, permanent}, {significant, true}]}</c>).
    /// </summary>
    /// <param name="specs">The specs.</param>
    /// <param name="autoShutdown">The supervisor's auto_shutdown, when known: with <see cref="AutoShutdown.Never"/> no child may be significant.</param>
    public static object? CheckChildSpecs(IReadOnlyList<ChildSpec> specs, AutoShutdown? autoShutdown = null) =>
        ChildSpecValidation.Check(specs ?? throw new ArgumentNullException(nameof(specs)), autoShutdown);

    private static async Task<object?> Call(ServerRef supervisor, object request, string function, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await GenServer.CallAsync(supervisor, request, timeout ?? Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ICallFailure { Module: "gen_server" } failure)
        {
            throw CallException.For(failure.CallReason, "supervisor", function, new Terms.TermList(supervisor.ToTerm()));
        }
    }

    private sealed class Inline(SupervisorFlags flags, IReadOnlyList<ChildSpec> children) : Supervisor
    {
        /// <summary>As Elixir names the callback module of <c>Supervisor.start_link(children, opts)</c>.</summary>
        public override string ModuleName => "Supervisor.Default";

        public override ValueTask<SupervisorInit> InitAsync(object? args, CancellationToken cancellationToken) => SupervisorInit.Ok(flags, children);
    }
}
