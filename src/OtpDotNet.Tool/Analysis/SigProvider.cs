using System.Collections.Immutable;
using System.Reflection.Metadata;

namespace Otp.Net.Tool.Analysis;

/// <summary>Decodes signatures and custom attribute values of one assembly into <see cref="TypeSig"/>s.</summary>
internal sealed class SigProvider(MetadataReader reader) : ISignatureTypeProvider<TypeSig, object?>, ICustomAttributeTypeProvider<TypeSig>
{
    public TypeSig GetArrayType(TypeSig elementType, ArrayShape shape) => new WrappedSig(elementType, "[" + new string(',', shape.Rank - 1) + "]");

    public TypeSig GetByReferenceType(TypeSig elementType) => new WrappedSig(elementType, "&");

    public TypeSig GetFunctionPointerType(MethodSignature<TypeSig> signature) =>
        new PrimitiveSig($"method {signature.ReturnType}({string.Join(",", signature.ParameterTypes)})");

    public TypeSig GetGenericInstantiation(TypeSig genericType, ImmutableArray<TypeSig> typeArguments) => new GenericSig(genericType, typeArguments);

    public TypeSig GetGenericMethodParameter(object? genericContext, int index) => new GenericParameterSig(true, index);

    public TypeSig GetGenericTypeParameter(object? genericContext, int index) => new GenericParameterSig(false, index);

    public TypeSig GetModifiedType(TypeSig modifier, TypeSig unmodifiedType, bool isRequired) =>
        new WrappedSig(unmodifiedType, (isRequired ? " modreq(" : " modopt(") + modifier + ")");

    public TypeSig GetPinnedType(TypeSig elementType) => new WrappedSig(elementType, " pinned");

    public TypeSig GetPointerType(TypeSig elementType) => new WrappedSig(elementType, "*");

    public TypeSig GetPrimitiveType(PrimitiveTypeCode typeCode) => new PrimitiveSig(typeCode switch
    {
        PrimitiveTypeCode.Boolean => "bool",
        PrimitiveTypeCode.Byte => "uint8",
        PrimitiveTypeCode.SByte => "int8",
        PrimitiveTypeCode.Char => "char",
        PrimitiveTypeCode.Int16 => "int16",
        PrimitiveTypeCode.UInt16 => "uint16",
        PrimitiveTypeCode.Int32 => "int32",
        PrimitiveTypeCode.UInt32 => "uint32",
        PrimitiveTypeCode.Int64 => "int64",
        PrimitiveTypeCode.UInt64 => "uint64",
        PrimitiveTypeCode.Single => "float32",
        PrimitiveTypeCode.Double => "float64",
        PrimitiveTypeCode.IntPtr => "native int",
        PrimitiveTypeCode.UIntPtr => "native uint",
        PrimitiveTypeCode.Object => "object",
        PrimitiveTypeCode.String => "string",
        PrimitiveTypeCode.TypedReference => "typedref",
        PrimitiveTypeCode.Void => "void",
        _ => typeCode.ToString(),
    });

    public TypeSig GetSZArrayType(TypeSig elementType) => new WrappedSig(elementType, "[]");

    public TypeSig GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) =>
        new NamedSig(FullName(handle), null, handle);

    public TypeSig GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => FromReference(handle);

    public TypeSig GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
        reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

    public TypeSig GetSystemType() => new NamedSig("System.Type", "System.Runtime", default);

    public TypeSig GetTypeFromSerializedName(string name) => new PrimitiveSig("typeof(" + name + ")");

    public PrimitiveTypeCode GetUnderlyingEnumType(TypeSig type) => PrimitiveTypeCode.Int32;

    public bool IsSystemType(TypeSig type) => type is NamedSig { FullName: "System.Type" };

    /// <summary>Any type handle (definition, reference or specification) as a <see cref="TypeSig"/>.</summary>
    public TypeSig FromHandle(EntityHandle handle) => handle.Kind switch
    {
        HandleKind.TypeDefinition => GetTypeFromDefinition(reader, (TypeDefinitionHandle)handle, 0),
        HandleKind.TypeReference => FromReference((TypeReferenceHandle)handle),
        HandleKind.TypeSpecification => GetTypeFromSpecification(reader, null, (TypeSpecificationHandle)handle, 0),
        _ => new PrimitiveSig("?" + handle.Kind),
    };

    /// <summary>The full name of a type of this assembly: <c>Namespace.Name</c>, <c>Outer/Inner</c> for nested types.</summary>
    public string FullName(TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        var name = reader.GetString(type.Name);
        var declaring = type.GetDeclaringType();
        if (!declaring.IsNil) return FullName(declaring) + "/" + name;
        var ns = reader.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    private NamedSig FromReference(TypeReferenceHandle handle)
    {
        var type = reader.GetTypeReference(handle);
        var name = reader.GetString(type.Name);
        var ns = reader.GetString(type.Namespace);
        var scope = type.ResolutionScope;
        switch (scope.Kind)
        {
            case HandleKind.TypeReference:
                var outer = FromReference((TypeReferenceHandle)scope);
                return outer with { FullName = outer.FullName + "/" + name };
            case HandleKind.AssemblyReference:
                var assembly = reader.GetString(reader.GetAssemblyReference((AssemblyReferenceHandle)scope).Name);
                return new NamedSig(ns.Length == 0 ? name : ns + "." + name, assembly, default);
            default:
                // A reference into the assembly itself (module scope): resolve it to the definition.
                var full = ns.Length == 0 ? name : ns + "." + name;
                foreach (var definition in reader.TypeDefinitions)
                {
                    if (FullName(definition) == full) return new NamedSig(full, null, definition);
                }
                return new NamedSig(full, "?", default);
        }
    }
}
