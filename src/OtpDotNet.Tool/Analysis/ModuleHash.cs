using System.Reflection.Metadata;
using System.Security.Cryptography;
using System.Text;

namespace Otp.Net.Tool.Analysis;

/// <summary>
/// The normalized hash of a module: the hashes of its class, its nested types (closures, state machines) and every
/// type of its own assembly it uses, directly or through those, that is not another module (nor nested in one),
/// combined in name order. Also what the module's code names: the other modules of its assembly and other assemblies
/// (its dependencies, R8.5).
/// </summary>
/// <param name="Hash">The hash, lowercase hex.</param>
/// <param name="Types">The full names of the types hashed.</param>
/// <param name="ModuleTypes">The module classes of the same assembly the code names (besides its own).</param>
/// <param name="Assemblies">The other assemblies the code names.</param>
internal sealed record ModuleHash(string Hash, IReadOnlyList<string> Types, IReadOnlySet<TypeDefinitionHandle> ModuleTypes, IReadOnlySet<string> Assemblies)
{
    public static ModuleHash Compute(AssemblyImage image, ModuleInfo module)
    {
        var moduleTypes = image.Modules.Select(m => m.Type).ToHashSet();
        var seen = new HashSet<TypeDefinitionHandle>();
        var otherModules = new HashSet<TypeDefinitionHandle>();
        var assemblies = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<TypeDefinitionHandle>();
        queue.Enqueue(module.Type);
        seen.Add(module.Type);
        while (queue.Count > 0)
        {
            var type = queue.Dequeue();
            var result = image.TypeHash(type);
            assemblies.UnionWith(result.Assemblies);
            var nested = image.Reader.GetTypeDefinition(type).GetNestedTypes();
            foreach (var next in result.OwnTypes.Concat(nested))
            {
                var outer = image.Outermost(next);
                if (outer != module.Type && moduleTypes.Contains(outer))
                {
                    otherModules.Add(outer);
                    continue;
                }
                // The compiler's per-assembly data holder changes with any module's constants; its field names
                // (hashes of the data) already stand in the IL that uses them.
                if (image.Sigs.FullName(outer).StartsWith("<PrivateImplementationDetails>", StringComparison.Ordinal)) continue;
                if (seen.Add(next)) queue.Enqueue(next);
            }
        }
        var named = seen.Select(t => (Name: image.Sigs.FullName(t), image.TypeHash(t).Hash)).OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, typeHash) in named) hash.AppendData(Encoding.UTF8.GetBytes(name + "=" + typeHash + "\n"));
        return new ModuleHash(Convert.ToHexStringLower(hash.GetHashAndReset()), [.. named.Select(n => n.Name)], otherModules, assemblies);
    }
}
