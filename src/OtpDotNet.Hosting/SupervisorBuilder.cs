using Otp.Net.GenServers;
using Otp.Net.Supervision;

namespace Otp.Net.Hosting;

/// <summary>Declares a supervisor's flags and children fluently.</summary>
public sealed class SupervisorBuilder
{
    internal SupervisorBuilder(TreeNode node) => Node = node;

    internal TreeNode Node { get; }

    /// <summary>The restart strategy.</summary>
    public SupervisorBuilder Strategy(Strategy strategy)
    {
        Node.Flags = Node.Flags with { Strategy = strategy };
        return this;
    }

    /// <summary>Restart intensity: at most <paramref name="restarts"/> in <paramref name="periodSeconds"/>.</summary>
    public SupervisorBuilder Intensity(int restarts, int periodSeconds = 5)
    {
        Node.Flags = Node.Flags with { Intensity = restarts, PeriodSeconds = periodSeconds };
        return this;
    }

    /// <summary>
    /// A GenServer child of type <typeparamref name="TServer"/>, created with constructor injection for every start.
    /// With <paramref name="scoped"/>, every incarnation gets its own DI scope: scoped services live as long as the
    /// incarnation and are disposed once it has exited.
    /// </summary>
    public SupervisorBuilder GenServer<TServer>(ChildId id, object? args = null, RestartType restart = RestartType.Permanent, Shutdown? shutdown = null, string? name = null, bool scoped = false)
        where TServer : GenServerBase
    {
        Node.Children.Add(new TreeNode { Id = id, Kind = ChildKind.GenServer, ServerType = typeof(TServer), Args = args, Restart = restart, Shutdown = shutdown, Name = name, Scoped = scoped });
        return this;
    }

    /// <summary>
    /// A GenServer child running the code-server module <paramref name="module"/> (see <see cref="OtpBuilder.LoadModule"/>
    /// and <see cref="ChildSpec.ForModule"/>): every start takes the module's current version, and a live upgrade
    /// (<see cref="Code.CodeServer.UpgradeAsync"/>) moves the running child to the new one.
    /// </summary>
    public SupervisorBuilder Module(ChildId id, string module, object? args = null, RestartType restart = RestartType.Permanent, Shutdown? shutdown = null, string? name = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(module);
        Node.Children.Add(new TreeNode { Id = id, Kind = ChildKind.GenServer, Module = module, Args = args, Restart = restart, Shutdown = shutdown, Name = name });
        return this;
    }

    /// <summary>A child supervisor declared by <paramref name="configure"/>, registered as <paramref name="name"/> if given.</summary>
    public SupervisorBuilder Supervisor(ChildId id, Func<SupervisorBuilder, SupervisorBuilder> configure, RestartType restart = RestartType.Permanent, Shutdown? shutdown = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var built = configure(new SupervisorBuilder(new TreeNode { Id = id, Kind = ChildKind.Supervisor, Restart = restart, Shutdown = shutdown, Name = name })).Node;
        Node.Children.Add(built);
        return this;
    }

    /// <summary>A dynamic supervisor child, registered as <paramref name="name"/> if given (to start children on it by name).</summary>
    public SupervisorBuilder DynamicSupervisor(ChildId id, DynamicSupervisorOptions? options = null, RestartType restart = RestartType.Permanent, string? name = null)
    {
        Node.Children.Add(new TreeNode { Id = id, Kind = ChildKind.DynamicSupervisor, Dynamic = options ?? new DynamicSupervisorOptions(), Restart = restart, Name = name });
        return this;
    }
}
