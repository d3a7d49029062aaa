using Microsoft.Extensions.Configuration;
using Otp.Net.Supervision;

namespace Otp.Net.Hosting;

/// <summary>
/// A child of a supervision tree in <see cref="OtpOptions"/> (the configuration form of a child spec). What it is
/// follows from <see cref="Kind"/>, or from <see cref="GenServer"/> or <see cref="Module"/> being set.
/// </summary>
public sealed class ChildOptions
{
    /// <summary>The child id, unique within its supervisor (ignored for an application's top supervisor).</summary>
    public string? Id { get; set; }

    /// <summary>What the child is; by default a GenServer if <see cref="GenServer"/> or <see cref="Module"/> is set, else a supervisor if it has <see cref="Children"/>, else a GenServer (which then needs one of them).</summary>
    public ChildKind? Kind { get; set; }

    /// <summary>For a GenServer: the assembly-qualified name of its callback type, created with constructor injection.</summary>
    public string? GenServer { get; set; }

    /// <summary>
    /// For a GenServer: the name of a code-server module (see <see cref="OtpOptions.Modules"/>); every start takes the
    /// module's current version, so the child can be upgraded live.
    /// </summary>
    public string? Module { get; set; }

    /// <summary>
    /// The Init argument. A plain value is an <see cref="int"/> if it reads as one, else a string; with
    /// <see cref="ArgsType"/>, any value or section that the configuration binder can bind to that type.
    /// </summary>
    public IConfigurationSection? Args { get; set; }

    /// <summary>The assembly-qualified name of the type <see cref="Args"/> is bound to (unknown keys are errors).</summary>
    public string? ArgsType { get; set; }

    /// <summary>A registered name for the child; none by default (an application's top supervisor: the application's name).</summary>
    public string? Name { get; set; }

    /// <summary>Restart type (default permanent).</summary>
    public RestartType Restart { get; set; } = RestartType.Permanent;

    /// <summary>Milliseconds, <c>brutal_kill</c> or <c>infinity</c>; none for the default of the kind (U1).</summary>
    public string? Shutdown { get; set; }

    /// <summary>
    /// For a GenServer of a compiled type: give every incarnation its own DI scope, so scoped services live as long as
    /// the incarnation and are disposed when it exits.
    /// </summary>
    public bool Scoped { get; set; }

    /// <summary>For a supervisor: the restart strategy (default one_for_one).</summary>
    public Strategy Strategy { get; set; } = Strategy.OneForOne;

    /// <summary>For a supervisor or dynamic supervisor: restart intensity (default 1, and 3 for a dynamic supervisor).</summary>
    public int? Intensity { get; set; }

    /// <summary>For a supervisor or dynamic supervisor: the intensity period in seconds (default 5).</summary>
    public int? Period { get; set; }

    /// <summary>For a dynamic supervisor: <c>max_children</c> (default unlimited).</summary>
    public int? MaxChildren { get; set; }

    /// <summary>For a supervisor: its children, in start order.</summary>
    public List<ChildOptions> Children { get; } = [];
}
