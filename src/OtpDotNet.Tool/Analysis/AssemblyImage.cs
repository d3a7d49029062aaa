using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Security.Cryptography;
using Otp.Net.Releases;

namespace Otp.Net.Tool.Analysis;

/// <summary>
/// A module assembly read as metadata (System.Reflection.Metadata): nothing is loaded and no module code runs. Gives
/// its identity, whether it was built deterministically, its references, its target runtime and its modules.
/// </summary>
internal sealed class AssemblyImage : IDisposable
{
    /// <summary>The MSBuild settings that make a build reproducible, for error messages.</summary>
    public const string DeterministicSettings = "-p:Deterministic=true -p:ContinuousIntegrationBuild=true (or <Deterministic>true</Deterministic> and <ContinuousIntegrationBuild>true</ContinuousIntegrationBuild> in the project)";

    private readonly PEReader _pe;
    private readonly Dictionary<TypeDefinitionHandle, TypeHashes.TypeResult> _typeHashes = [];

    private AssemblyImage(string path, byte[] bytes)
    {
        Path = path;
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        _pe = new PEReader(ImmutableArray.Create(bytes));
        if (!_pe.HasMetadata) throw new ToolException($"{path} is not a .NET assembly (no metadata)");
        Reader = _pe.GetMetadataReader();
        Sigs = new SigProvider(Reader);
        var definition = Reader.GetAssemblyDefinition();
        Name = Reader.GetString(definition.Name);
        Version = definition.Version;
        Mvid = Reader.GetGuid(Reader.GetModuleDefinition().Mvid);
        IsDeterministic = _pe.ReadDebugDirectory().Any(e => e.Type == DebugDirectoryEntryType.Reproducible);
        References = Reader.AssemblyReferences
            .Select(h => Reader.GetAssemblyReference(h))
            .Select(r => (Name: Reader.GetString(r.Name), r))
            .GroupBy(r => r.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => Identity(g.First().r), StringComparer.Ordinal);
        TargetRuntime = ReadTargetRuntime();
        Modules = [.. FindModules()];
    }

    /// <summary>Where the assembly was read from.</summary>
    public string Path { get; }

    /// <summary>The SHA-256 of the file, lowercase hex.</summary>
    public string Sha256 { get; }

    public MetadataReader Reader { get; }

    public SigProvider Sigs { get; }

    public string Name { get; }

    public Version Version { get; }

    public Guid Mvid { get; }

    /// <summary>Whether the debug directory has a <c>Reproducible</c> entry (a deterministic compilation).</summary>
    public bool IsDeterministic { get; }

    /// <summary>The referenced assemblies by simple name.</summary>
    public IReadOnlyDictionary<string, ContractAssembly> References { get; }

    /// <summary>The .NET runtime the assembly targets, as <c>major.minor</c>, from its <c>TargetFrameworkAttribute</c>.</summary>
    public string? TargetRuntime { get; }

    /// <summary>The <c>[OtpModule]</c> classes, by name order.</summary>
    public IReadOnlyList<ModuleInfo> Modules { get; }

    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <exception cref="ToolException">The file is missing or is not a .NET assembly.</exception>
    public static AssemblyImage Open(string path)
    {
        if (!File.Exists(path)) throw new ToolException($"no assembly at {path}");
        try
        {
            return new AssemblyImage(path, File.ReadAllBytes(path));
        }
        catch (BadImageFormatException e)
        {
            throw new ToolException($"{path} is not a .NET assembly: {e.Message}", e);
        }
    }

    /// <summary>Throws unless the assembly was compiled deterministically.</summary>
    /// <param name="shownPath">The path to name in the message (default: where it was read from).</param>
    public void RequireDeterministic(string? shownPath = null)
    {
        if (!IsDeterministic)
            throw new ToolException($"{shownPath ?? Path} was not built deterministically (its debug directory has no Reproducible entry): build it with {DeterministicSettings}, so that two builds of the same code can be compared");
    }

    /// <summary>The module named <paramref name="name"/>, or null.</summary>
    public ModuleInfo? Module(string name) => Modules.FirstOrDefault(m => m.Name == name);

    /// <summary>The per-type normalized hash (cached).</summary>
    internal TypeHashes.TypeResult TypeHash(TypeDefinitionHandle type)
    {
        if (!_typeHashes.TryGetValue(type, out var result))
        {
            result = TypeHashes.Compute(this, type);
            _typeHashes[type] = result;
        }
        return result;
    }

    /// <summary>The outermost type declaring <paramref name="type"/> (itself when not nested).</summary>
    public TypeDefinitionHandle Outermost(TypeDefinitionHandle type)
    {
        while (true)
        {
            var declaring = Reader.GetTypeDefinition(type).GetDeclaringType();
            if (declaring.IsNil) return type;
            type = declaring;
        }
    }

    /// <summary>The base type of <paramref name="type"/>, or null.</summary>
    public TypeSig? BaseType(TypeDefinitionHandle type)
    {
        var handle = Reader.GetTypeDefinition(type).BaseType;
        return handle.IsNil ? null : Sigs.FromHandle(handle);
    }

    /// <summary>Whether <paramref name="type"/> (an own type) derives from <c>System.MulticastDelegate</c>.</summary>
    public bool IsDelegate(TypeDefinitionHandle type) => BaseType(type) is NamedSig { FullName: "System.MulticastDelegate" or "System.Delegate" };

    /// <summary>The method body at <paramref name="rva"/>.</summary>
    public MethodBodyBlock Body(int rva) => _pe.GetMethodBody(rva);

    public void Dispose() => _pe.Dispose();

    private static ContractAssembly Identity(AssemblyReference reference)
    {
        var name = reference.GetAssemblyName();
        return ContractAssembly.Of(name);
    }

    private string? ReadTargetRuntime()
    {
        foreach (var handle in Reader.GetAssemblyDefinition().GetCustomAttributes())
        {
            var attribute = Reader.GetCustomAttribute(handle);
            if (AttributeTypeName(attribute) != "System.Runtime.Versioning.TargetFrameworkAttribute") continue;
            var value = attribute.DecodeValue(Sigs);
            if (value.FixedArguments.Length == 1 && value.FixedArguments[0].Value is string framework)
            {
                // ".NETCoreApp,Version=v10.0"
                var at = framework.IndexOf("Version=v", StringComparison.Ordinal);
                if (at >= 0) return framework[(at + "Version=v".Length)..];
            }
        }
        return null;
    }

    /// <summary>The full name of an attribute's type.</summary>
    public string AttributeTypeName(CustomAttribute attribute) => attribute.Constructor.Kind switch
    {
        HandleKind.MemberReference => Reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent is var parent
            && parent.Kind is HandleKind.TypeReference or HandleKind.TypeDefinition ? TypeName(Sigs.FromHandle(parent)) : "?",
        HandleKind.MethodDefinition => Sigs.FullName(Reader.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType()),
        _ => "?",
    };

    private static string TypeName(TypeSig sig) => sig is NamedSig named ? named.FullName : sig.ToString();

    private IEnumerable<ModuleInfo> FindModules()
    {
        var found = new List<ModuleInfo>();
        foreach (var handle in Reader.TypeDefinitions)
        {
            var type = Reader.GetTypeDefinition(handle);
            foreach (var attributeHandle in type.GetCustomAttributes())
            {
                var attribute = Reader.GetCustomAttribute(attributeHandle);
                if (AttributeTypeName(attribute) != "Otp.Net.Code.OtpModuleAttribute") continue;
                var value = attribute.DecodeValue(Sigs);
                var name = value.FixedArguments.Length > 0 ? value.FixedArguments[0].Value as string : null;
                if (string.IsNullOrEmpty(name)) throw new ToolException($"{Path}: {Sigs.FullName(handle)} has an [OtpModule] without a name");
                var vsn = value.NamedArguments.FirstOrDefault(a => a.Name == "Vsn").Value as string ?? Version.ToString();
                var (kind, state) = KindOf(handle);
                var overrides = type.GetMethods().Any(m => Reader.GetString(Reader.GetMethodDefinition(m).Name) == "CodeChangeAsync");
                found.Add(new ModuleInfo(name, vsn, kind, handle, Sigs.FullName(handle)) { StateType = state, OverridesCodeChange = overrides });
            }
        }
        var duplicate = found.GroupBy(m => m.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ToolException($"{Path}: two classes are module '{duplicate.Key}'");
        return found.OrderBy(m => m.Name, StringComparer.Ordinal);
    }

    private (ModuleKind Kind, TypeSig? State) KindOf(TypeDefinitionHandle handle)
    {
        for (var current = handle; !current.IsNil;)
        {
            var type = Reader.GetTypeDefinition(current);
            foreach (var i in type.GetInterfaceImplementations())
            {
                if (Sigs.FromHandle(Reader.GetInterfaceImplementation(i).Interface) is NamedSig { FullName: "Otp.Net.Code.IProcessModule" })
                    return (ModuleKind.Process, null);
            }
            var baseSig = BaseType(current);
            switch (baseSig)
            {
                case GenericSig { Definition: NamedSig { FullName: "Otp.Net.GenServers.GenServer`1" } } generic:
                    return (ModuleKind.GenServer, generic.Arguments[0]);
                case NamedSig { FullName: "Otp.Net.Supervision.Supervisor" }:
                    return (ModuleKind.Supervisor, null);
                case NamedSig { FullName: "Otp.Net.Applications.Application" }:
                    return (ModuleKind.Application, null);
                case NamedSig { IsOwn: true } own:
                    current = own.Definition;
                    continue;
                case GenericSig { Definition: NamedSig { IsOwn: true } own }:
                    current = own.Definition;
                    continue;
                default:
                    return (ModuleKind.Other, null);
            }
        }
        return (ModuleKind.Other, null);
    }
}
