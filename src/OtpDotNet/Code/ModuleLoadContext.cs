using System.Reflection;
using System.Runtime.Loader;

namespace Otp.Net.Code;

/// <summary>
/// A collectible load context for one module version. Framework, contract, <c>Microsoft.Extensions.*</c>, logging
/// and BCL assemblies — anything the default context already has or can resolve — are never loaded here, so types
/// shared between the host and modules exist once (a second copy would break casts and DI).
/// </summary>
internal sealed class ModuleLoadContext(string name, string? directory) : AssemblyLoadContext(name, isCollectible: true)
{
    private static readonly HashSet<string> Platform = new(
        ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(Path.GetFileNameWithoutExtension)!,
        StringComparer.OrdinalIgnoreCase);

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var simple = assemblyName.Name ?? "";
        if (IsShared(simple)) return null;
        if (directory is not null)
        {
            var candidate = Path.Combine(directory, simple + ".dll");
            if (File.Exists(candidate))
            {
                using var stream = File.OpenRead(candidate);
                return LoadFromStream(stream);
            }
        }
        return null;
    }

    private static bool IsShared(string simple) =>
        Platform.Contains(simple)
        || Default.Assemblies.Any(a => string.Equals(a.GetName().Name, simple, StringComparison.OrdinalIgnoreCase))
        || simple.StartsWith("OtpDotNet", StringComparison.OrdinalIgnoreCase)
        || simple.StartsWith("Microsoft.Extensions.", StringComparison.OrdinalIgnoreCase)
        || simple.StartsWith("Serilog", StringComparison.OrdinalIgnoreCase);
}
