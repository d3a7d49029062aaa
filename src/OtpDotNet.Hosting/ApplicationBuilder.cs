using Otp.Net.Applications;

namespace Otp.Net.Hosting;

/// <summary>Declares one application: descriptor fields, start type, callback type and its supervision tree.</summary>
public sealed class ApplicationBuilder
{
    internal ApplicationBuilder(string name) => Name = name;

    internal string Name { get; }

    internal string Version { get; private set; } = "0.0.0";

    internal string Description { get; private set; } = "";

    internal List<string> Dependencies { get; } = [];

    internal Dictionary<string, object?> Env { get; } = new(StringComparer.Ordinal);

    internal ApplicationType Type { get; private set; } = ApplicationType.Temporary;

    internal Type? CallbackType { get; private set; }

    internal TreeNode Tree { get; private set; } = new() { Id = "top", Kind = ChildKind.Supervisor };

    /// <summary><c>vsn</c> and <c>description</c>.</summary>
    public ApplicationBuilder Describe(string version, string description = "")
    {
        Version = version;
        Description = description;
        return this;
    }

    /// <summary>Applications that must run first (started before this one by the host).</summary>
    public ApplicationBuilder DependsOn(params string[] applications)
    {
        Dependencies.AddRange(applications);
        return this;
    }

    /// <summary>An environment entry.</summary>
    public ApplicationBuilder WithEnv(string key, object? value)
    {
        Env[key] = value;
        return this;
    }

    /// <summary>The start type (A6): what happens when the application ends on its own.</summary>
    public ApplicationBuilder AsType(ApplicationType type)
    {
        Type = type;
        return this;
    }

    /// <summary>
    /// A callback module for PrepStop, Stop and ConfigChange, created with constructor injection; derive it from
    /// <see cref="SupervisedApplication"/> so it starts the declared tree.
    /// </summary>
    public ApplicationBuilder UseCallback<TApplication>()
        where TApplication : SupervisedApplication
    {
        CallbackType = typeof(TApplication);
        return this;
    }

    /// <summary>The top supervisor (registered under the application's name) and its children.</summary>
    public ApplicationBuilder Supervisor(Func<SupervisorBuilder, SupervisorBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Tree = configure(new SupervisorBuilder(new TreeNode { Id = Name, Kind = ChildKind.Supervisor, Name = Name })).Node;
        return this;
    }

    internal ApplicationBuilder WithCallback(Type callback)
    {
        CallbackType = callback;
        return this;
    }

    internal ApplicationBuilder WithTree(TreeNode tree)
    {
        Tree = tree;
        return this;
    }
}
