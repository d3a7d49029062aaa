using Otp.Net.Releases;

namespace Otp.Net.Tool.Analysis;

/// <summary>A module of a release: its application, its manifest entry, its assembly and what the assembly says of it.</summary>
internal sealed record ReleaseModule(ApplicationDescriptor Application, ModuleDescriptor Descriptor, AssemblyImage Image, ModuleInfo Info)
{
    private ModuleHash? _hash;

    public string Name => Descriptor.Name;

    /// <summary>The module's normalized hash (computed once).</summary>
    public ModuleHash Hash => _hash ??= ModuleHash.Compute(Image, Info);
}
