using Otp.Net.Applications;

namespace Otp.Net.Releases;

/// <summary>
/// An application in a release, the serializable form of a <c>.app</c> file (A1): name, version, modules with their
/// files, the applications it depends on, its callback module and environment defaults. Unlike
/// <see cref="ApplicationSpec"/> it names its callback by module name, so it can be written to and read from disk.
/// </summary>
/// <param name="Name">The application's name.</param>
/// <param name="Version">The application's version (<c>vsn</c>).</param>
public sealed record ApplicationDescriptor(string Name, string Version)
{
    /// <summary><c>description</c>.</summary>
    public string Description { get; init; } = "";

    /// <summary><c>modules</c>: the modules the application owns, with their assembly files.</summary>
    public IReadOnlyList<ModuleDescriptor> Modules { get; init; } = [];

    /// <summary>The application's other files (helper assemblies that are not modules), relative to the release folder
    /// with forward slashes: they are hashed and shipped with the modules.</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary><c>applications</c>: the names of the applications that must be running before this one starts.</summary>
    public IReadOnlyList<string> Applications { get; init; } = [];

    /// <summary><c>mod</c>: the name of the module that is the application's callback (an <see cref="Application"/> or
    /// the top supervisor module); null for a library application with no processes.</summary>
    public string? Mod { get; init; }

    /// <summary>The <c>Args</c> of <c>mod</c>: a plain JSON value (string, long, double, bool, null, list or map).</summary>
    public object? Args { get; init; }

    /// <summary><c>env</c>: the environment defaults; values are plain JSON values, read back as string, long, double,
    /// bool, null, <see cref="IReadOnlyList{T}"/> of object and <see cref="IReadOnlyDictionary{TKey, TValue}"/> of
    /// string to object.</summary>
    public IReadOnlyDictionary<string, object?> Env { get; init; } = new Dictionary<string, object?>();

    /// <summary>What happens when the application ends on its own (A6); <see cref="ApplicationType.Permanent"/> by default.</summary>
    public ApplicationType Type { get; init; } = ApplicationType.Permanent;

    /// <summary>The <see cref="ApplicationSpec"/> this descriptor describes, with <paramref name="mod"/> as its callback
    /// factory (resolved by the caller from <see cref="Mod"/> in the loaded module).</summary>
    /// <param name="mod">Creates the callback module; null for a library application.</param>
    public ApplicationSpec ToSpec(Func<Application>? mod = null) => new(Name)
    {
        Version = Version,
        Description = Description,
        Modules = [.. Modules.Select(m => m.Name)],
        Applications = Applications,
        Env = Env,
        Mod = mod,
        Args = Args,
    };
}
