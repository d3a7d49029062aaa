using System.Reflection;

namespace Otp.Net.Releases;

/// <summary>A shared assembly the release's modules were compiled against and that the running host must hold in
/// its default load context with the same identity (a second copy would break casts and DI).</summary>
/// <param name="Name">The assembly's simple name.</param>
/// <param name="Version">The assembly version (e.g. <c>1.2.0.0</c>).</param>
/// <param name="PublicKeyToken">The public key token in lowercase hex, or null for an unsigned assembly.</param>
public sealed record ContractAssembly(string Name, string Version, string? PublicKeyToken)
{
    /// <summary>The identity of a loaded assembly.</summary>
    public static ContractAssembly Of(Assembly assembly) => Of(assembly.GetName());

    /// <summary>The identity named by an assembly name.</summary>
    public static ContractAssembly Of(AssemblyName name)
    {
        var token = name.GetPublicKeyToken();
        return new ContractAssembly(
            name.Name ?? throw new ArgumentException("the assembly name has no simple name", nameof(name)),
            (name.Version ?? new Version(0, 0, 0, 0)).ToString(),
            token is { Length: > 0 } ? Convert.ToHexStringLower(token) : null);
    }
}
