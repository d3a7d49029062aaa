using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Otp.Net.Dashboard;

/// <summary>
/// The module files of <see cref="OtpDashboardOptions.ModuleDirectory"/>: each assembly's <c>[OtpModule]</c> classes, read
/// from metadata (nothing is loaded or run). A file that is not a readable assembly is left out.
/// </summary>
internal sealed class ModuleCatalog(OtpDashboardOptions options)
{
    public sealed record Entry(string File, string Path, string Module, string Version);

    public IReadOnlyList<Entry> Scan()
    {
        if (options.ModuleDirectory is not { } directory || !Directory.Exists(directory)) return [];
        var found = new List<Entry>();
        foreach (var path in Directory.EnumerateFiles(directory, "*.dll").Order(StringComparer.Ordinal))
        {
            try
            {
                found.AddRange(Read(path));
            }
            catch (Exception ex) when (ex is BadImageFormatException or IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                // not an assembly, or unreadable: not offered
            }
        }
        return found;
    }

    /// <summary>The entry for <paramref name="file"/> (a bare file name listed by <see cref="Scan"/>) and <paramref name="module"/>, or null.</summary>
    public Entry? Find(string module, string file) =>
        file.Length == 0 || System.IO.Path.GetFileName(file) != file ? null : Scan().FirstOrDefault(e => e.File == file && e.Module == module);

    private static IEnumerable<Entry> Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata) yield break;
        var reader = pe.GetMetadataReader();
        var assemblyVersion = reader.GetAssemblyDefinition().Version.ToString();
        var file = System.IO.Path.GetFileName(path);
        foreach (var handle in reader.TypeDefinitions)
        {
            foreach (var attributeHandle in reader.GetTypeDefinition(handle).GetCustomAttributes())
            {
                var attribute = reader.GetCustomAttribute(attributeHandle);
                if (!IsOtpModule(reader, attribute)) continue;
                var value = attribute.DecodeValue(StringsOnly.Instance);
                if (value.FixedArguments.Length != 1 || value.FixedArguments[0].Value is not string name || name.Length == 0) continue;
                var vsn = value.NamedArguments.FirstOrDefault(a => a.Name == "Vsn").Value as string ?? assemblyVersion;
                yield return new Entry(file, path, name, vsn);
            }
        }
    }

    private static bool IsOtpModule(MetadataReader reader, CustomAttribute attribute)
    {
        if (attribute.Constructor.Kind != HandleKind.MemberReference) return false;
        var parent = reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent;
        if (parent.Kind != HandleKind.TypeReference) return false;
        var type = reader.GetTypeReference((TypeReferenceHandle)parent);
        return reader.StringComparer.Equals(type.Name, "OtpModuleAttribute") && reader.StringComparer.Equals(type.Namespace, "Otp.Net.Code");
    }

    /// <summary>Decodes the string and primitive arguments <c>[OtpModule]</c> has; anything else is refused.</summary>
    private sealed class StringsOnly : ICustomAttributeTypeProvider<object?>
    {
        public static readonly StringsOnly Instance = new();

        public object? GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode;

        public object? GetSystemType() => throw new InvalidOperationException("type arguments are not read");

        public object? GetSZArrayType(object? elementType) => throw new InvalidOperationException("array arguments are not read");

        public object? GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => throw new InvalidOperationException("enum arguments are not read");

        public object? GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => throw new InvalidOperationException("enum arguments are not read");

        public object? GetTypeFromSerializedName(string name) => throw new InvalidOperationException("type arguments are not read");

        public PrimitiveTypeCode GetUnderlyingEnumType(object? type) => throw new InvalidOperationException("enum arguments are not read");

        public bool IsSystemType(object? type) => false;
    }
}
