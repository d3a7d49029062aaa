using Otp.Net.Releases;

namespace Otp.Net.Tool.Analysis;

/// <summary>A module of a release: its application, its manifest entry, its assembly and what the assembly says of it.</summary>
internal sealed class ReleaseModule(ApplicationDescriptor application, ModuleDescriptor descriptor, AssemblyImage image, ModuleInfo info)
{
    private ModuleHash? _hash;

    public ApplicationDescriptor Application { get; } = application;

    public ModuleDescriptor Descriptor { get; } = descriptor;

    public AssemblyImage Image { get; } = image;

    public ModuleInfo Info { get; } = info;

    public string Name => Descriptor.Name;

    /// <summary>The module's normalized hash (computed once).</summary>
    public ModuleHash Hash => _hash ??= ModuleHash.Compute(Image, Info);
}
