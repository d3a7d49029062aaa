using Otp.Net.Applications;

namespace Otp.Net.Tool.Analysis;

/// <summary>An application of a <see cref="ReleaseSpec"/>: the <c>.app</c> fields and where its assemblies come from.</summary>
internal sealed record ReleaseSpecApplication(string Name, string Version)
{
    public string Description { get; init; } = "";

    /// <summary>The callback module (an application module, or the top supervisor).</summary>
    public string? Mod { get; init; }

    public object? Args { get; init; }

    public IReadOnlyDictionary<string, object?> Env { get; init; } = new Dictionary<string, object?>();

    /// <summary>The applications that must run before this one.</summary>
    public IReadOnlyList<string> Applications { get; init; } = [];

    public ApplicationType Type { get; init; } = ApplicationType.Permanent;

    /// <summary>Projects built with <c>dotnet build</c> (deterministic): each one's <c>TargetPath</c> is a module assembly.</summary>
    public IReadOnlyList<string> Projects { get; init; } = [];

    /// <summary>Assemblies built already (they must be deterministic).</summary>
    public IReadOnlyList<string> Assemblies { get; init; } = [];

    /// <summary>Other files shipped with the application (helper assemblies, data).</summary>
    public IReadOnlyList<string> Files { get; init; } = [];
}
