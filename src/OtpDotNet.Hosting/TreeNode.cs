using Otp.Net.Supervision;

namespace Otp.Net.Hosting;

/// <summary>
/// A declared child of a supervision tree, as data: built by <see cref="SupervisorBuilder"/> or bound from
/// configuration, turned into <see cref="ChildSpec"/>s when the application starts.
/// </summary>
public sealed class TreeNode
{
    /// <summary>The child id (from a string in code or configuration: the same id, see <see cref="ChildId"/>).</summary>
    public required ChildId Id { get; init; }

    /// <summary>What the child is.</summary>
    public ChildKind Kind { get; init; }

    /// <summary>For a GenServer: its callback type, created with constructor injection.</summary>
    public Type? ServerType { get; init; }

    /// <summary>
    /// For a GenServer: a code-server module to run instead of <see cref="ServerType"/>; every start takes the module's
    /// current version (<see cref="ChildSpec.ForModule"/>).
    /// </summary>
    public string? Module { get; init; }

    /// <summary>For a GenServer of <see cref="ServerType"/>: whether every incarnation gets its own DI scope.</summary>
    public bool Scoped { get; init; }

    /// <summary>For a GenServer: the Init argument.</summary>
    public object? Args { get; init; }

    /// <summary>
    /// A registered name for the child (GenServer, supervisor or dynamic supervisor); none by default. The top supervisor
    /// of an application is registered under the application's name.
    /// </summary>
    public string? Name { get; init; }

    /// <summary>Restart type.</summary>
    public RestartType Restart { get; init; } = RestartType.Permanent;

    /// <summary>Shutdown; null for the default of the kind (U1).</summary>
    public Shutdown? Shutdown { get; init; }

    /// <summary>For a supervisor: its flags.</summary>
    public SupervisorFlags Flags { get; set; } = new();

    /// <summary>For a dynamic supervisor: its settings.</summary>
    public DynamicSupervisorOptions Dynamic { get; init; } = new();

    /// <summary>For a supervisor: its children, in start order.</summary>
    public List<TreeNode> Children { get; } = [];
}
