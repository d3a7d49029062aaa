using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Supervision;

/// <summary>
/// A child specification (the .NET form of OTP's child spec map). Defaults are OTP's (U1): permanent, worker,
/// shutdown 5000 ms for workers and infinity for supervisors, not significant. The start function runs inside
/// the supervisor process and must start a process linked to it (e.g. <see cref="GenServer.StartLinkAsync"/>); it
/// runs again for every restart, and should create a new callback object each time (as
/// <see cref="ForGenServer{TServer}(ChildId, object?, GenServerOptions?)"/> does) so that a restarted child starts fresh.
/// </summary>
/// <param name="Id">The child's id, unique within its supervisor: a string or an atom, the same id either way.</param>
/// <param name="Start">Starts the child: <c>{ok, Pid}</c>, <c>ignore</c> or <c>{error, R}</c>.</param>
public sealed record ChildSpec(ChildId Id, Func<Node, Task<StartResult>> Start)
{
    /// <summary>Restart type (default permanent).</summary>
    public RestartType Restart { get; init; } = RestartType.Permanent;

    /// <summary>Shutdown; null means the default for <see cref="Type"/> (U1).</summary>
    public Shutdown? Shutdown { get; init; }

    /// <summary>Worker or supervisor.</summary>
    public ChildType Type { get; init; } = ChildType.Worker;

    /// <summary>Whether the child counts for <see cref="AutoShutdown"/> (U19).</summary>
    public bool Significant { get; init; }

    /// <summary>
    /// For a <see cref="Strategy.SimpleOneForOne"/> template: starts a child from the template's <see cref="Args"/>
    /// followed by the extra arguments given to <c>start_child</c> (U18).
    /// </summary>
    public Func<Node, IReadOnlyList<object?>, Task<StartResult>>? StartWithArgs { get; init; }

    /// <summary>The template's own arguments (<see cref="StartWithArgs"/>).</summary>
    public IReadOnlyList<object?> Args { get; init; } = [];

    /// <summary>
    /// A <see cref="Strategy.SimpleOneForOne"/> template: <paramref name="start"/> receives the template's
    /// <paramref name="args"/> with each <c>start_child</c>'s extra arguments appended.
    /// </summary>
    public static ChildSpec Template(ChildId id, Func<Node, IReadOnlyList<object?>, Task<StartResult>> start, params object?[] args) =>
        new(id, node => start(node, args)) { StartWithArgs = start, Args = args };

    /// <summary>The callback modules the child runs (used by release upgrades to find processes to suspend).</summary>
    public IReadOnlyList<string> Modules { get; init; } = [];

    /// <summary>The effective shutdown: the given one, or 5000 ms for a worker and infinity for a supervisor.</summary>
    public Shutdown EffectiveShutdown => Shutdown ?? (Type == ChildType.Supervisor ? Supervision.Shutdown.Infinity : Supervision.Shutdown.Timeout(5000));

    /// <summary>
    /// A worker running GenServer <typeparamref name="TServer"/> with <paramref name="args"/>: every start and restart
    /// creates a new instance, so nothing a crashed incarnation left in the object's fields survives.
    /// <see cref="Modules"/> is the type's full name.
    /// </summary>
    public static ChildSpec ForGenServer<TServer>(ChildId id, object? args = null, GenServerOptions? options = null)
        where TServer : GenServerBase, new() =>
        ForGenServer(id, static () => new TServer(), args, options);

    /// <summary>
    /// A worker running the GenServer that <paramref name="factory"/> creates, called for every start and restart, so
    /// each incarnation begins from a fresh object. <see cref="Modules"/> is <typeparamref name="TServer"/>'s full name.
    /// </summary>
    public static ChildSpec ForGenServer<TServer>(ChildId id, Func<TServer> factory, object? args = null, GenServerOptions? options = null)
        where TServer : GenServerBase
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new(id, node => GenServer.StartLinkAsync(node, factory(), args, options)) { Modules = [ModuleOf(typeof(TServer))] };
    }

    /// <summary>A child supervisor running a new <typeparamref name="TSupervisor"/> (for every start) with <paramref name="args"/>.</summary>
    public static ChildSpec ForSupervisor<TSupervisor>(ChildId id, object? args = null, GenServerOptions? options = null)
        where TSupervisor : Supervisor, new() =>
        ForSupervisor(id, static () => new TSupervisor(), args, options);

    /// <summary>A child supervisor running the module <paramref name="factory"/> creates, called for every start and restart.</summary>
    public static ChildSpec ForSupervisor<TSupervisor>(ChildId id, Func<TSupervisor> factory, object? args = null, GenServerOptions? options = null)
        where TSupervisor : Supervisor
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new(id, node => Supervisor.StartLinkAsync(node, factory(), args, options)) { Type = ChildType.Supervisor, Modules = [ModuleOf(typeof(TSupervisor))] };
    }

    /// <summary>
    /// A child running the current version of the code-server module <paramref name="module"/> (see
    /// <see cref="Code.CodeServer.StartGenServerAsync"/>), as an OTP child spec naming a loaded module: every start and
    /// restart takes the version that is current then, so the child follows hot upgrades. A module that is not loaded
    /// when the child starts fails the start (<c>{error, R}</c>). <see cref="Modules"/> is <paramref name="module"/>.
    /// The child is a worker, or a supervisor (type supervisor, shutdown infinity) when <paramref name="module"/> is a
    /// <see cref="Supervisor"/> module loaded on the node of the process building the spec (a supervisor's
    /// <c>InitAsync</c>, the usual place); built elsewhere, say so with <c>with { Type = ChildType.Supervisor }</c>.
    /// </summary>
    public static ChildSpec ForModule(ChildId id, string module, object? args = null, GenServerOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(module);
        var type = ProcessContext.Current?.Node.Code.BehaviourOf(module) == "supervisor" ? ChildType.Supervisor : ChildType.Worker;
        return new(id, node => node.Code.StartGenServerAsync(module, args, options, link: true)) { Modules = [module], Type = type };
    }

    private static string ModuleOf(Type type) => type.FullName ?? type.Name;

    /// <summary>The id as printed in reports and which_children.</summary>
    public string IdText => Id.ToString();
}
