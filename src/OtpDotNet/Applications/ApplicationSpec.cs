namespace Otp.Net.Applications;

/// <summary>
/// An application descriptor, the .NET form of a <c>.app</c> file (A1): name, version, description, modules, the
/// applications that must already run, its environment, and the callback module that starts it.
/// </summary>
/// <param name="Name">The application's name.</param>
public sealed record ApplicationSpec(string Name)
{
    /// <summary><c>vsn</c>.</summary>
    public string Version { get; init; } = "0.0.0";

    /// <summary><c>description</c>.</summary>
    public string Description { get; init; } = "";

    /// <summary><c>modules</c>: the modules the application owns.</summary>
    public IReadOnlyList<string> Modules { get; init; } = [];

    /// <summary><c>applications</c>: applications that must be running before this one starts.</summary>
    public IReadOnlyList<string> Applications { get; init; } = [];

    /// <summary><c>env</c>: the initial environment.</summary>
    public IReadOnlyDictionary<string, object?> Env { get; init; } = new Dictionary<string, object?>();

    /// <summary><c>mod = {Mod, Args}</c>: creates the callback module; null for a library application with no processes.</summary>
    public Func<Application>? Mod { get; init; }

    /// <summary>The <c>Args</c> of <c>mod</c>.</summary>
    public object? Args { get; init; }

    /// <summary>
    /// Whether <see cref="Mod"/> is called again for each callback after the start (<c>PrepStop</c>, <c>Stop</c>,
    /// <c>ConfigChange</c>), so that they run the module's current version: a release's applications.
    /// </summary>
    internal bool ResolveOnEachCallback { get; init; }
}
