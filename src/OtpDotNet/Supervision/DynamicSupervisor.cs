using Otp.Net.GenServers;
using Otp.Net.Processes;

namespace Otp.Net.Supervision;

/// <summary>
/// Elixir's DynamicSupervisor (D1): starts empty, one_for_one, children started on demand and identified by pid,
/// an optional <c>max_children</c>, and children stopped concurrently when it shuts down.
/// </summary>
public static class DynamicSupervisor
{
    /// <summary>Starts a dynamic supervisor linked to the caller.</summary>
    public static Task<StartResult> StartLinkAsync(Node node, DynamicSupervisorOptions? options = null, GenServerOptions? serverOptions = null, CancellationToken cancellationToken = default) =>
        GenServer.StartCoreAsync(node, new SupervisorServer(options ?? new DynamicSupervisorOptions()), null, serverOptions, link: true, "supervisor", cancellationToken);

    /// <summary>
    /// <c>start_child</c> (D1): <c>{ok, Pid}</c>, <c>ignore</c> (nothing kept), <c>{error, max_children}</c> or
    /// <c>{error, R}</c> (the spec is discarded).
    /// </summary>
    public static Task<StartResult> StartChildAsync(ServerRef supervisor, ChildSpec spec, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Supervisor.StartChildAsync(supervisor, spec, timeout, cancellationToken);

    /// <summary><c>terminate_child(Sup, Pid)</c>: <c>ok</c> or <c>{error, not_found}</c>.</summary>
    public static Task<SupervisorResult> TerminateChildAsync(ServerRef supervisor, Pid child, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Supervisor.TerminateChildAsync(supervisor, child, timeout, cancellationToken);

    /// <summary><c>which_children</c>: ids are undefined; in the order the current incarnations started.</summary>
    public static Task<IReadOnlyList<ChildInfo>> WhichChildrenAsync(ServerRef supervisor, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Supervisor.WhichChildrenAsync(supervisor, timeout, cancellationToken);

    /// <summary><c>count_children</c>.</summary>
    public static Task<ChildCounts> CountChildrenAsync(ServerRef supervisor, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Supervisor.CountChildrenAsync(supervisor, timeout, cancellationToken);
}
