using System.Reflection.Metadata;

namespace Otp.Net.Tool.Analysis;

/// <summary>A module found in an assembly: its <c>[OtpModule]</c> name and version, its kind, its class, and for a
/// GenServer its state type and whether it overrides <c>CodeChangeAsync</c>.</summary>
internal sealed record ModuleInfo(string Name, string Vsn, ModuleKind Kind, TypeDefinitionHandle Type, string TypeName)
{
    /// <summary>The <c>TState</c> of a GenServer.</summary>
    public TypeSig? StateType { get; init; }

    /// <summary>Whether the class declares <c>CodeChangeAsync</c>.</summary>
    public bool OverridesCodeChange { get; init; }
}
