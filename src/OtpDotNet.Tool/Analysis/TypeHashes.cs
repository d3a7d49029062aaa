using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Security.Cryptography;
using System.Text;

namespace Otp.Net.Tool.Analysis;

/// <summary>
/// The normalized hash of one type: its name, flags, layout, base type, interfaces, generic parameters, custom
/// attributes, fields (in layout order), methods (sorted by name and signature: signature, flags, locals, exception
/// regions and IL with every token replaced by the name it stands for), properties and events. No MVID, timestamp,
/// token number or PDB data enters the hash, so two deterministic builds of the same source hash the same, and a
/// type hashes the same whatever else changed in its assembly.
/// </summary>
internal static class TypeHashes
{
    /// <summary>A type's hash, the types of its own assembly it names, and the other assemblies it names.</summary>
    internal sealed record TypeResult(string Hash, IReadOnlySet<TypeDefinitionHandle> OwnTypes, IReadOnlySet<string> Assemblies);

    public static TypeResult Compute(AssemblyImage image, TypeDefinitionHandle handle)
    {
        var writer = new Writer(image);
        writer.Type(handle);
        return new TypeResult(Convert.ToHexStringLower(writer.Hash.GetHashAndReset()), writer.OwnTypes, writer.Assemblies);
    }

    private sealed class Writer(AssemblyImage image)
    {
        private readonly MetadataReader _reader = image.Reader;

        public IncrementalHash Hash { get; } = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public HashSet<TypeDefinitionHandle> OwnTypes { get; } = [];

        public HashSet<string> Assemblies { get; } = new(StringComparer.Ordinal);

        public void Type(TypeDefinitionHandle handle)
        {
            var type = _reader.GetTypeDefinition(handle);
            Put("type", image.Sigs.FullName(handle), ((int)type.Attributes).ToString());
            var layout = type.GetLayout();
            Put("layout", layout.PackingSize.ToString(), layout.Size.ToString());
            Put("base", type.BaseType.IsNil ? "-" : Name(image.Sigs.FromHandle(type.BaseType)));
            PutAll("interfaces", type.GetInterfaceImplementations().Select(i => Name(image.Sigs.FromHandle(_reader.GetInterfaceImplementation(i).Interface))).Order(StringComparer.Ordinal));
            PutAll("generic", type.GetGenericParameters().Select(p => _reader.GetString(_reader.GetGenericParameter(p).Name)));
            Attributes(type.GetCustomAttributes());
            foreach (var f in type.GetFields())
            {
                var field = _reader.GetFieldDefinition(f);
                var constant = field.GetDefaultValue();
                Put("field", _reader.GetString(field.Name), ((int)field.Attributes).ToString(), Name(field.DecodeSignature(image.Sigs, null)),
                    constant.IsNil ? "" : Convert.ToHexString(_reader.GetBlobBytes(_reader.GetConstant(constant).Value)));
                Attributes(field.GetCustomAttributes());
            }
            var methods = type.GetMethods().Select(m => (Handle: m, Key: MethodName(m))).OrderBy(m => m.Key, StringComparer.Ordinal);
            foreach (var (m, key) in methods) Method(m, key);
            foreach (var p in type.GetProperties())
            {
                var property = _reader.GetPropertyDefinition(p);
                var accessors = property.GetAccessors();
                Put("property", _reader.GetString(property.Name), PropertySignature(property), Accessor(accessors.Getter), Accessor(accessors.Setter));
                Attributes(property.GetCustomAttributes());
            }
            foreach (var e in type.GetEvents())
            {
                var @event = _reader.GetEventDefinition(e);
                var accessors = @event.GetAccessors();
                Put("event", _reader.GetString(@event.Name), Name(image.Sigs.FromHandle(@event.Type)), Accessor(accessors.Adder), Accessor(accessors.Remover));
            }
            foreach (var i in type.GetMethodImplementations())
            {
                var impl = _reader.GetMethodImplementation(i);
                Put("impl", MemberName(impl.MethodBody), MemberName(impl.MethodDeclaration));
            }
        }

        private string PropertySignature(PropertyDefinition property)
        {
            var sig = property.DecodeSignature(image.Sigs, null);
            return $"{Name(sig.ReturnType)}({string.Join(",", sig.ParameterTypes.Select(Name))})";
        }

        private string Accessor(MethodDefinitionHandle handle) => handle.IsNil ? "-" : _reader.GetString(_reader.GetMethodDefinition(handle).Name);

        private string MethodName(MethodDefinitionHandle handle)
        {
            var method = _reader.GetMethodDefinition(handle);
            var sig = method.DecodeSignature(image.Sigs, null);
            return $"{_reader.GetString(method.Name)}`{sig.GenericParameterCount}({string.Join(",", sig.ParameterTypes.Select(Name))}):{Name(sig.ReturnType)}";
        }

        private void Method(MethodDefinitionHandle handle, string key)
        {
            var method = _reader.GetMethodDefinition(handle);
            Put("method", key, ((int)method.Attributes).ToString(), ((int)method.ImplAttributes).ToString());
            PutAll("parameters", method.GetParameters().Select(p => _reader.GetParameter(p)).Select(p => $"{p.SequenceNumber}:{_reader.GetString(p.Name)}:{(int)p.Attributes}"));
            Attributes(method.GetCustomAttributes());
            if (method.RelativeVirtualAddress == 0) return;
            var body = image.Body(method.RelativeVirtualAddress);
            Put("body", body.MaxStack.ToString(), body.LocalVariablesInitialized.ToString());
            if (!body.LocalSignature.IsNil)
            {
                var locals = _reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(image.Sigs, null);
                PutAll("locals", locals.Select(Name));
            }
            foreach (var region in body.ExceptionRegions)
            {
                Put("region", region.Kind.ToString(), region.TryOffset.ToString(), region.TryLength.ToString(), region.HandlerOffset.ToString(),
                    region.HandlerLength.ToString(), region.FilterOffset.ToString(), region.CatchType.IsNil ? "-" : Name(image.Sigs.FromHandle(region.CatchType)));
            }
            var il = new StringBuilder();
            foreach (var instruction in IL.Read(body))
            {
                il.Append(instruction.OpCode.Name);
                if (instruction.HasToken) il.Append(' ').Append(Token(instruction));
                else if (instruction.Targets is { } targets) il.Append(' ').AppendJoin(',', targets);
                else if (instruction.OpCode.OperandType != OperandType.InlineNone) il.Append(' ').Append(instruction.Operand);
                il.Append('\n');
            }
            Put("il", il.ToString());
        }

        private string Token(Instruction instruction)
        {
            if (instruction.OpCode.OperandType == OperandType.InlineString)
                return "\"" + _reader.GetUserString(MetadataTokens.UserStringHandle(instruction.Token & 0xFFFFFF)) + "\"";
            var handle = MetadataTokens.EntityHandle(instruction.Token);
            return handle.Kind switch
            {
                HandleKind.TypeDefinition or HandleKind.TypeReference or HandleKind.TypeSpecification => Name(image.Sigs.FromHandle(handle)),
                HandleKind.StandaloneSignature => StandaloneName((StandaloneSignatureHandle)handle),
                _ => MemberName(handle),
            };
        }

        private string StandaloneName(StandaloneSignatureHandle handle)
        {
            var sig = _reader.GetStandaloneSignature(handle).DecodeMethodSignature(image.Sigs, null);
            return $"calli {Name(sig.ReturnType)}({string.Join(",", sig.ParameterTypes.Select(Name))})";
        }

        /// <summary>A method or field (definition, reference or generic instance) by declaring type, name and signature.</summary>
        public string MemberName(EntityHandle handle)
        {
            switch (handle.Kind)
            {
                case HandleKind.MethodDefinition:
                    var method = _reader.GetMethodDefinition((MethodDefinitionHandle)handle);
                    return Name(image.Sigs.GetTypeFromDefinition(_reader, method.GetDeclaringType(), 0)) + "::" + MethodName((MethodDefinitionHandle)handle);
                case HandleKind.FieldDefinition:
                    var field = _reader.GetFieldDefinition((FieldDefinitionHandle)handle);
                    return Name(image.Sigs.GetTypeFromDefinition(_reader, field.GetDeclaringType(), 0)) + "::" + _reader.GetString(field.Name) + ":" + Name(field.DecodeSignature(image.Sigs, null));
                case HandleKind.MemberReference:
                    var member = _reader.GetMemberReference((MemberReferenceHandle)handle);
                    var parent = member.Parent.Kind switch
                    {
                        HandleKind.MethodDefinition => MemberName(member.Parent),
                        HandleKind.ModuleReference => "[module]",
                        _ => Name(image.Sigs.FromHandle(member.Parent)),
                    };
                    var name = _reader.GetString(member.Name);
                    if (member.GetKind() == MemberReferenceKind.Field) return $"{parent}::{name}:{Name(member.DecodeFieldSignature(image.Sigs, null))}";
                    var sig = member.DecodeMethodSignature(image.Sigs, null);
                    return $"{parent}::{name}`{sig.GenericParameterCount}({string.Join(",", sig.ParameterTypes.Select(Name))}):{Name(sig.ReturnType)}";
                case HandleKind.MethodSpecification:
                    var spec = _reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                    return MemberName(spec.Method) + "<" + string.Join(",", spec.DecodeSignature(image.Sigs, null).Select(Name)) + ">";
                default:
                    return "?" + handle.Kind;
            }
        }

        private void Attributes(CustomAttributeHandleCollection attributes)
        {
            var texts = attributes.Select(a => _reader.GetCustomAttribute(a))
                .Select(a => MemberName(a.Constructor) + "=" + Convert.ToHexString(_reader.GetBlobBytes(a.Value)))
                .Order(StringComparer.Ordinal);
            PutAll("attributes", texts);
        }

        /// <summary>The hash name of a type, noting the own types and assemblies it names.</summary>
        private string Name(TypeSig sig)
        {
            foreach (var part in sig.Parts())
            {
                if (part is not NamedSig named) continue;
                if (named.IsOwn) OwnTypes.Add(named.Definition);
                else if (named.Assembly is { } assembly) Assemblies.Add(assembly);
            }
            return sig.ToString();
        }

        private void Put(string tag, params string[] values) => PutAll(tag, values);

        private void PutAll(string tag, IEnumerable<string> values)
        {
            Append(tag);
            foreach (var value in values) Append(value);
            Append("\u0001");
        }

        private void Append(string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            Span<byte> length = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
            Hash.AppendData(length);
            Hash.AppendData(bytes);
        }
    }
}
